// The patient's first load stays within its budget: at most 200 KB
// gzip-compressed of wasm, JS and CSS, on every page where a patient (or a
// carer) may arrive first. Measured as Chromium downloads it from the server,
// which sends build-web's precompressed files, so a change that made a bundle
// heavier, or stopped the server compressing, fails here rather than on a
// patient's phone. The staff console loads on clinic machines and has no budget.
import { test, expect, type Page } from '@playwright/test';
import { heading } from './support';

const BUDGET_BYTES = 200 * 1024;

// One page of each patient-side bundle (types/src/bundle.rs).
const FIRST_PAGES: [bundle: string, path: string][] = [
  ['patient', '/'],
  ['register', '/register'],
  ['join', '/join/no-such-team'],
  ['account', '/sign-in'],
  ['notifications', '/notifications/unsubscribe'],
  ['carers', '/carers'],
  ['carer-invitation', '/carers/accept'],
  ['two-step', '/account/two-step-sign-in'],
];

/** The compressed bytes of each wasm, JS and CSS file the page loaded. */
async function firstLoad(page: Page, path: string): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  const pending: Promise<void>[] = [];
  page.on('requestfinished', (request) => {
    const url = new URL(request.url());
    if (!/\.(wasm|js|css)$/.test(url.pathname)) return;
    pending.push(
      request.sizes().then(async (sizes) => {
        const encoding = (await request.response())?.headers()['content-encoding'] ?? 'none';
        expect(encoding, `${url.pathname} is sent compressed`).toBe('gzip');
        files.set(url.pathname, sizes.responseBodySize);
      }),
    );
  });
  await page.goto(path);
  // The wasm has run: the page's heading is there.
  await expect(heading(page)).toBeVisible();
  await page.waitForLoadState('networkidle');
  await Promise.all(pending);
  return files;
}

test.describe('first loads', () => {
  // gzip, as the budget is written; a browser offered brotli would get less.
  test.use({ extraHTTPHeaders: { 'accept-encoding': 'gzip' } });

  for (const [bundle, path] of FIRST_PAGES) {
    test(`the ${bundle} bundle's first load is within 200 KB gzip`, async ({ page }) => {
      const files = await firstLoad(page, path);
      const names = [...files.keys()];
      expect(names.some((name) => name.endsWith(`portico-${bundle}_bg.wasm`)), `${path} loads ${bundle}`).toBe(true);
      expect(names.some((name) => name.includes('staff')), `${path} loads nothing of the staff console`).toBe(false);
      const total = [...files.values()].reduce((sum, bytes) => sum + bytes, 0);
      test.info().annotations.push({ type: 'first load', description: `${bundle}: ${(total / 1024).toFixed(1)} KB gzip` });
      expect(total, `${bundle}: ${names.join(', ')}`).toBeLessThanOrEqual(BUDGET_BYTES);
    });
  }
});
