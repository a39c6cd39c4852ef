// Journey: a patient who owns a record sees their timeline on a phone.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const PATIENT = 'olivia.smith@patients.portico.example';
const PASSWORD = 'portico-demo-password';

test('a patient sees their record as a timeline on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 700 });

  await test.step('without signing in, the page says how to get in', async () => {
    await page.goto('/record');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to see your record');
  });

  await test.step('signed in, the timeline shows newest first', async () => {
    const signIn = await page.request.post('/api/v1/session', {
      headers: { 'x-portico-csrf': '1' },
      data: { email: PATIENT, password: PASSWORD },
    });
    expect(signIn.status()).toBe(200);
    await page.goto('/record');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your record');
    // In the record itself, not only in the header's account name.
    await expect(page.locator('main').getByText('Olivia Smith')).toBeVisible();
    const titles = page.locator('.portico-timeline h3');
    await expect(titles).toHaveText(['Diabetes clinic', 'HbA1c', 'Clinic letter']);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.screenshot({ path: 'test-results/screens/10-my-record-320.png', fullPage: true });
  });
});
