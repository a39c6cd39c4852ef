// Playwright drives Debian's Chromium (no browser download is possible here)
// against the real Portico server, started fresh for the run: a new SQLite file
// with demo data, the built app, a port of its own.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const port = process.env.PORTICO_E2E_PORT ?? '18181';
const baseURL = `http://127.0.0.1:${port}`;
const binary = process.env.PORTICO_E2E_BINARY ?? join(root, 'target', 'debug', 'portico');
const data = mkdtempSync(join(tmpdir(), 'portico-e2e-'));

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `"${binary}" demo`,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${join(data, 'portico.db')}`,
      PORTICO_BIND: `127.0.0.1:${port}`,
      PORTICO_PUBLIC_BASE_URL: `${baseURL}/`,
      PORTICO_SITE_DIR: process.env.PORTICO_SITE_DIR ?? join(root, 'target', 'site'),
      RUST_LOG: 'warn',
    },
  },
});
