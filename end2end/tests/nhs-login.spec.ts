// Journey: a patient nobody invited continues with NHS login (the stand-in on
// loopback that playwright.config.ts starts) and, proven at P9, lands on the
// record their NHS number and date of birth match; one whose record is
// excluded is told plainly that their clinical team will look first.
import { expect, test, type Page } from '@playwright/test';
import { checkPage, heading, phone } from './support';

async function continueWithNhsLogin(page: Page, from: string, who: RegExp) {
  await page.goto(from);
  const button = page.getByRole('link', { name: 'Continue with NHS login' });
  await expect(button).toBeVisible();
  await button.click();
  await expect(page.getByRole('heading', { name: 'NHS login (stand-in)' })).toBeVisible();
  await page.getByRole('button', { name: who }).click();
}

test('Mona continues with NHS login and sees the record it proves is hers', async ({ browser }) => {
  const page = await phone(browser);

  await test.step('the sign-in page offers NHS login, in NHS blue', async () => {
    await page.goto('/sign-in');
    await expect(heading(page)).toHaveText('Sign in');
    const button = page.getByRole('link', { name: 'Continue with NHS login' });
    await expect(button).toBeVisible();
    await expect(button).toHaveCSS('background-color', 'rgb(0, 94, 184)');
    await checkPage(page, 'nhs-login-1-sign-in');
    await page.screenshot({ path: '/tmp/nhslogin-1-sign-in.png', fullPage: true });
  });

  await test.step('at NHS login she signs in, proven with photo ID (P9)', async () => {
    await continueWithNhsLogin(page, '/sign-in', /Mona Millar, P9/);
  });

  await test.step('back in Portico, her record, with no invitation and no email check', async () => {
    await expect(page).toHaveURL(/\/record$/);
    await expect(heading(page)).toHaveText('Your record');
    await expect(page.locator('main').getByText('Mona Millar')).toBeVisible();
    await expect(page.locator('main').getByText('968 636 8973')).toBeVisible();
    await checkPage(page, 'nhs-login-2-record');
    await page.screenshot({ path: '/tmp/nhslogin-2-record.png', fullPage: true });
  });
});

test('Ezra, whose record is excluded, is told his clinical team will look first', async ({ browser }) => {
  const page = await phone(browser);

  await test.step('the registration page offers NHS login too', async () => {
    await continueWithNhsLogin(page, '/register', /Ezra Exley, P9/);
  });

  await test.step('he is told plainly what happens next, and sees no record', async () => {
    await expect(page).toHaveURL(/\/nhs-login\?outcome=held$/);
    await expect(heading(page)).toHaveText('Your clinical team needs to check your details');
    await expect(page.getByText('Your clinical team will contact you.')).toBeVisible();
    await checkPage(page, 'nhs-login-3-held');
    await page.screenshot({ path: '/tmp/nhslogin-3-held.png', fullPage: true });
    await page.goto('/record');
    await expect(heading(page)).not.toHaveText('Your record');
  });
});
