// Journey: a patient nobody invited continues with NHS login (the stand-in on
// loopback that playwright.config.ts starts) and, proven at P9, lands on the
// record their NHS number and date of birth match; one whose record is
// excluded is told plainly that their clinical team will look first; one who
// starts on a team's join page has a record at once and waits for the team,
// whose admin adds that record to the team.
import { expect, test, type Page } from '@playwright/test';
import { checkPage, heading, phone, signInStaff } from './support';

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

test('Nia joins the Diabetes Clinic with NHS login, and Asha adds her record to the team', async ({ browser }) => {
  const page = await phone(browser);

  await test.step('the join page offers NHS login before its form', async () => {
    await continueWithNhsLogin(page, '/join/diabetes', /Nia Newton, P9/);
  });

  await test.step('she has her record at once, and is told the team will check her request', async () => {
    await expect(page).toHaveURL(/\/nhs-login\?outcome=team-waiting$/);
    await expect(heading(page)).toHaveText('Your request to join the team has been sent');
    await expect(page.getByRole('link', { name: 'Sign in with your email address and password' })).toHaveCount(0);
    await checkPage(page, 'nhs-login-4-team-waiting');
    await page.screenshot({ path: '/tmp/nhslogin-4-team-waiting.png', fullPage: true });
    await page.getByRole('link', { name: 'Go to your record' }).click();
    await expect(heading(page)).toHaveText('Your record');
    await expect(page.locator('main').getByText('Nia Newton')).toBeVisible();
  });

  await test.step('Asha sees the request with Nia\'s own record, and adds it to the team', async () => {
    const asha = await phone(browser);
    await signInStaff(asha, 'asha.patel@demo.portico.example');
    const teams = await (await asha.request.get('/api/v1/staff/teams')).json();
    const diabetes = teams.teams.find((t: { slug: string }) => t.slug === 'diabetes');
    await asha.goto(`/staff/teams/${diabetes.id}/sign-ups`);
    const card = asha.locator('.nhsuk-card').filter({ hasText: 'Nia Newton' });
    await expect(card).toContainText('NHS login (P9)');
    await expect(card).toContainText('Their own record');
    await checkPage(asha, 'nhs-login-5-queue');
    await asha.screenshot({ path: '/tmp/nhslogin-5-queue.png', fullPage: true });
    await expect(card.getByRole('button', { name: /^Make a new record/ })).toHaveCount(0);
    await card.getByRole('button', { name: /^Add their record to this team/ }).click();
    await expect(asha.getByRole('status').filter({ hasText: 'is linked to their record' })).toBeVisible();
    await expect(asha.locator('.nhsuk-card').filter({ hasText: 'Nia Newton' })).toHaveCount(0);
  });
});
