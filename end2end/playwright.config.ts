// Playwright drives Debian's Chromium (no browser download is possible here)
// against the real Portico server.
//
// By default the run starts its own server: `portico demo` (target/debug, or
// PORTICO_E2E_BINARY) on a fresh SQLite file in a temporary directory, a free
// port, and the built app from PORTICO_SITE_DIR (default target/site); it waits
// for /readyz and stops the server afterwards. Mail goes to a real SMTP server
// on loopback (PyPI's aiosmtpd), which saves each message into a Maildir the
// journeys read (tests/mail.ts). Text messages go to a GOV.UK Notify stand-in
// (notify/standin/run: prism serving Notify's OpenAPI description behind a
// recorder that checks the JWT as Notify does), whose record the journeys read
// (tests/notify.ts). NHS login is nhslogin/standin/run: an OpenID Connect
// provider kept to NHS login's contract, with its test users, which Portico
// reaches with the test key pair beside it. Set PORTICO_E2E_BASE_URL to run
// the journeys against a server that is already running instead (the mail
// journeys then need PORTICO_E2E_MAILDIR).
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const env = process.env;

// This file is loaded more than once (the runner, then each worker, which
// inherits this process's environment): choose the port and directory once.
const ownServer = !env.PORTICO_E2E_BASE_URL || env.PORTICO_E2E_OWN_SERVER === '1';
if (ownServer && env.PORTICO_E2E_OWN_SERVER !== '1') {
  env.PORTICO_E2E_OWN_SERVER = '1';
  env.PORTICO_E2E_BASE_URL = `http://127.0.0.1:${freePort()}`;
  env.PORTICO_E2E_DATA_DIR = mkdtempSync(join(tmpdir(), 'portico-e2e-'));
  env.PORTICO_E2E_SMTP_PORT = freePort();
  env.PORTICO_E2E_MAILDIR = join(env.PORTICO_E2E_DATA_DIR, 'mail');
  env.PORTICO_E2E_NOTIFY_PORT = freePort();
  env.PORTICO_E2E_NOTIFY_RECORD = join(env.PORTICO_E2E_DATA_DIR, 'notify.jsonl');
  env.PORTICO_E2E_NHS_LOGIN_PORT = freePort();
}
// The GOV.UK Notify stand-in's test key (notify/standin/run prints it) and
// the template the text-message invitations name.
export const NOTIFY_SERVICE_ID = '7d1b3f2e-0c4a-4b8e-9f61-2a5c8d9e0b17';
const NOTIFY_SECRET = '3c9e5a71-8f2d-4e6b-a0c4-51d7e9b2f863';
export const NOTIFY_SMS_TEMPLATE_ID = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const baseURL = env.PORTICO_E2E_BASE_URL!.replace(/\/$/, '');

function freePort(): string {
  const script =
    "const s = require('node:net').createServer();" +
    "s.listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });";
  return execFileSync(process.execPath, ['-e', script]).toString().trim();
}

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  workers: 1, // two cores: one for Chromium, one for the server
  retries: 0,
  forbidOnly: !!env.CI,
  timeout: 30_000,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  globalTeardown: './global-teardown.ts',
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'off',
    headless: true,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // Playwright adds --headless itself (headless: true above).
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
  webServer: ownServer
    ? [
      {
        command: `python3 -m aiosmtpd -n -l 127.0.0.1:${env.PORTICO_E2E_SMTP_PORT} -c aiosmtpd.handlers.Mailbox "${env.PORTICO_E2E_MAILDIR}"`,
        port: Number(env.PORTICO_E2E_SMTP_PORT),
        reuseExistingServer: false,
        timeout: 30_000,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 2_000 },
        stdout: 'ignore',
        stderr: 'pipe',
      },
      {
        command: `"${join(root, 'notify', 'standin', 'run')}" --port ${env.PORTICO_E2E_NOTIFY_PORT} --record "${env.PORTICO_E2E_NOTIFY_RECORD}"`,
        port: Number(env.PORTICO_E2E_NOTIFY_PORT),
        reuseExistingServer: false,
        timeout: 60_000,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 2_000 },
        stdout: 'ignore',
        stderr: 'pipe',
      },
      {
        command: `"${join(root, 'nhslogin', 'standin', 'run')}" --port ${env.PORTICO_E2E_NHS_LOGIN_PORT} --client-id portico-e2e --redirect-uri ${baseURL}/api/v1/nhs-login/callback`,
        port: Number(env.PORTICO_E2E_NHS_LOGIN_PORT),
        reuseExistingServer: false,
        timeout: 30_000,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 2_000 },
        stdout: 'ignore',
        stderr: 'pipe',
      },
      {
        command: `"${env.PORTICO_E2E_BINARY ?? join(root, 'target', 'debug', 'portico')}" demo`,
        url: `${baseURL}/readyz`,
        reuseExistingServer: false,
        timeout: 60_000,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
        stdout: 'ignore',
        stderr: 'pipe',
        env: {
          DATABASE_URL: `sqlite://${join(env.PORTICO_E2E_DATA_DIR!, 'portico.db')}`,
          PORTICO_BIND: new URL(baseURL).host,
          PORTICO_PUBLIC_BASE_URL: `${baseURL}/`,
          PORTICO_SITE_DIR: env.PORTICO_SITE_DIR ?? join(root, 'target', 'site'),
          PORTICO_SMTP_URL: `smtp://127.0.0.1:${env.PORTICO_E2E_SMTP_PORT}`,
          PORTICO_NOTIFY_BASE_URL: `http://127.0.0.1:${env.PORTICO_E2E_NOTIFY_PORT}/`,
          PORTICO_NOTIFY_API_KEY: `portico_standin-${NOTIFY_SERVICE_ID}-${NOTIFY_SECRET}`,
          PORTICO_NOTIFY_SMS_INVITATION_TEMPLATE_ID: NOTIFY_SMS_TEMPLATE_ID,
          PORTICO_NHS_LOGIN_ISSUER: `http://127.0.0.1:${env.PORTICO_E2E_NHS_LOGIN_PORT}`,
          PORTICO_NHS_LOGIN_CLIENT_ID: 'portico-e2e',
          PORTICO_NHS_LOGIN_PRIVATE_KEY_PATH: join(root, 'nhslogin', 'standin', 'test-client-key.pem'),
          RUST_LOG: 'warn',
        },
      },
    ]
    : undefined,
});
