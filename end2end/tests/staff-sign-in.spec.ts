// Journey: a professional signs in, finds a patient, and signs out.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { forgetLastCodes, totpCode } from './authenticator';
import { enterAuthenticatorCode } from './support';

const SAM = 'sam.okafor@demo.portico.example';
const PASSWORD = 'portico-demo-password';
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function snap(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a professional signs in, finds a patient by name and NHS number, and signs out', async ({ page }) => {
  await test.step('open Portico and follow the way in for staff', async () => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('See your health record online');
    await expectAccessible(page);
    await snap(page, '01-landing');
    await page.getByRole('link', { name: 'Sign in to the Portico staff console' }).click();
    await expect(page).toHaveURL(/\/staff\/sign-in$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
    await expectAccessible(page);
  });

  await test.step('sign in with the password, then the authenticator app\'s code', async () => {
    await signIn(page, SAM, PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enter the code from your authenticator app');
    await expectAccessible(page);
    await snap(page, '02a-authenticator-code');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.locator('.nhsuk-error-summary')).toContainText('Enter the code from your authenticator app');
    await page.getByLabel('Security code').fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.locator('.nhsuk-error-summary')).toContainText('The code is not right, or has been used already');
    await expect(page.locator('.nhsuk-error-summary')).toBeFocused();
    await expectAccessible(page);
    await snap(page, '02b-wrong-code');
    await enterAuthenticatorCode(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your teams');
    await expect(page.getByRole('link', { name: 'Diabetes Clinic' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Respiratory Clinic' })).toBeVisible();
    await expect(page.getByText('Sam Okafor')).toBeVisible();
    await snap(page, '02-teams');
  });

  let nhsNumber = '';
  let familyName = '';
  await test.step('open a team and find a patient by name', async () => {
    await page.getByRole('link', { name: 'Diabetes Clinic' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Diabetes Clinic');
    const firstRow = page.locator('table tbody tr').first();
    await expect(firstRow).toBeVisible();
    const cells = firstRow.locator('td');
    familyName = (await cells.nth(0).innerText()).split(',')[0].replace(/^Name\s*/, '').trim();
    nhsNumber = (await cells.nth(1).innerText()).replace(/^NHS number\s*/, '').trim();
    await expectAccessible(page);
    await page.getByLabel('Search records').fill(familyName);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(familyName)}`));
    await expect(page.getByText(new RegExp(`found for ‘${familyName}’`))).toBeVisible();
    const rows = page.locator('table tbody tr');
    for (const row of await rows.all()) {
      await expect(row).toContainText(familyName);
    }
    await expectAccessible(page);
    await snap(page, '03-search-by-name');
  });

  await test.step('find the same patient by NHS number', async () => {
    await page.getByLabel('Search records').fill(nhsNumber);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('table tbody tr')).toHaveCount(1);
    await expect(page.locator('table tbody tr')).toContainText(nhsNumber);
    await snap(page, '04-search-by-nhs-number');
  });

  await test.step('sign out, and the staff pages ask to sign in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/staff\/sign-in/);
    await expect(page.getByText('You have signed out')).toBeVisible();
    await snap(page, '05-signed-out');
    await page.goto('/staff');
    await expect(page).toHaveURL(/\/staff\/sign-in/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  });
});

test('a wrong password shows the error summary, and nothing says whether the account exists', async ({ page }) => {
  await page.goto('/staff/sign-in');
  await signIn(page, SAM, 'not-the-password');
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('There is a problem');
  await expect(summary).toContainText('Email or password is incorrect');
  await expect(page.locator('.nhsuk-error-summary')).toBeFocused();
  await expectAccessible(page);
  await snap(page, '06-wrong-password');
  const forKnown = await summary.textContent();
  await signIn(page, 'nobody@demo.portico.example', 'not-the-password');
  await expect(summary).toHaveText(forKnown ?? '');
});

test('an empty form names each missing field', async ({ page }) => {
  await page.goto('/staff/sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const summary = page.getByRole('alert');
  await expect(summary.getByRole('link', { name: /email address/i })).toBeVisible();
  await expect(summary.getByRole('link', { name: /password/i })).toBeVisible();
  await summary.getByRole('link', { name: /email address/i }).click();
  await expect(page.getByLabel('Email address')).toBeFocused();
  await snap(page, '07-empty-form');
});

test('the sign-in form works from the keyboard alone', async ({ page }) => {
  await page.goto('/staff/sign-in');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await page.keyboard.press('Tab'); // skip link first
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  await page.getByLabel('Email address').focus();
  await page.keyboard.type(SAM);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enter the code from your authenticator app');
  forgetLastCodes();
  await page.getByLabel('Security code').focus();
  await page.keyboard.type(totpCode());
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your teams');
});

test('the landing page fits a 320 px wide phone without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const [path, name] of [['/', '08-landing-320'], ['/staff/sign-in', '09-sign-in-320']]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
    await snap(page, name);
  }
});
