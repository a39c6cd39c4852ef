// Journey: a patient nobody invited asks to join the Diabetes Clinic on its
// join page, on a phone; proves the email with the code from the real
// email; sets a password and is told they wait. Asha, the team's admin,
// finds the request in the team's queue with the record it matches, and
// links it. The patient signs in again and sees their record.
import { test, expect, type Page } from '@playwright/test';
import { maildir, sixDigits, waitForMail } from './mail';
import { checkPage, heading, phone, signInStaff, summary } from './support';

const ASHA = 'asha.patel@demo.portico.example';
const PASSWORD = 'mango river lantern';
const EMAIL = 'joining.patient@example.com';

test.skip(!maildir(), 'needs the SMTP server the default run starts (PORTICO_E2E_MAILDIR)');

/** The same screenshot where the person running the journey looks at it. */
async function keep(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/join-${name}.png`, fullPage: true });
}

test('a patient asks to join a team, waits, and is linked to their record', async ({ browser }) => {
  test.setTimeout(120_000); // one long journey: two people, three bundles, three emails
  const asha = await phone(browser);
  await signInStaff(asha, ASHA);
  const teams = await (await asha.request.get('/api/v1/staff/teams')).json();
  const diabetes = teams.teams.find((t: { slug: string }) => t.slug === 'diabetes');
  const list = await (await asha.request.get(`/api/v1/staff/teams/${diabetes.id}/records?page=1`)).json();
  // From the end of the first page: a record no other journey registered or excluded.
  let record: any = undefined;
  for (const candidate of [...list.records].reverse()) {
    const detail = await (await asha.request.get(`/api/v1/staff/records/${candidate.id}`)).json();
    if (candidate.nhs_number && detail.registration !== 'registered' && !detail.exclusion) {
      record = candidate;
      break;
    }
  }
  expect(record, 'a record nobody has registered').toBeDefined();
  const [year, month, day] = record.date_of_birth.split('-');

  const page = await phone(browser);
  await test.step('a closed or unknown team has no join page', async () => {
    for (const slug of ['respiratory', 'no-such-team']) {
      const response = await page.goto(`/join/${slug}`);
      expect(response?.status()).toBe(404);
      await expect(heading(page)).toHaveText('Page not found');
    }
    await checkPage(page, 'join-0-not-found');
  });

  await test.step('the join page shows the team and its message; an empty form names every field', async () => {
    const response = await page.goto('/join/diabetes');
    expect(response?.status()).toBe(200);
    await expect(heading(page)).toHaveText('Ask to join Diabetes Clinic on Portico');
    await expect(page.getByText('under the care of our diabetes clinic')).toBeVisible();
    await checkPage(page, 'join-1-form');
    await keep(page, '1-form');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(summary(page)).toBeFocused();
    await expect(summary(page)).toContainText('Enter your first name');
    await expect(summary(page)).toContainText('Enter your last name');
    await expect(summary(page)).toContainText('Enter an email address');
    await page.getByLabel('NHS number (optional)').fill('943 476 5918');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(summary(page)).toContainText('NHS number');
    await checkPage(page, 'join-2-errors');
    await keep(page, '2-errors');
    // The summary's link takes the person to the field.
    await summary(page).getByRole('link', { name: 'Enter your first name' }).click();
    await expect(page.getByLabel('First name')).toBeFocused();
  });

  await test.step('the details as the team knows them, then the code from the real email', async () => {
    await page.getByLabel('First name').fill(record.given_name);
    await page.getByLabel('Last name').fill(record.family_name);
    await page.getByLabel('Day').fill(String(Number(day)));
    await page.getByLabel('Month').fill(String(Number(month)));
    await page.getByLabel('Year').fill(year);
    await page.getByLabel('NHS number (optional)').fill(record.nhs_number);
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('UK mobile number (optional)').fill('07700 900123');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(heading(page)).toHaveText('Check your email');
    const mail = await waitForMail(EMAIL, 'Confirm your email address');
    await page.getByLabel('Code from the email').fill(sixDigits(mail.body));
    await page.getByRole('button', { name: 'Continue' }).click();
  });

  await test.step('a password, and then the page says they wait in the team’s queue', async () => {
    await expect(heading(page)).toHaveText('Choose a password');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('I accept the terms of use').check();
    await page.getByRole('button', { name: 'Create your account' }).click();
    await expect(heading(page)).toHaveText('You are waiting to join Diabetes Clinic');
    await checkPage(page, 'join-3-waiting');
    await keep(page, '3-waiting');
    await waitForMail(EMAIL, 'You have asked to join');
  });

  await test.step('Asha finds the request in the team’s queue, with its match, and links it', async () => {
    await asha.goto(`/staff/teams/${diabetes.id}`);
    await asha.getByRole('link', { name: 'Sign-ups waiting' }).click();
    await expect(heading(asha)).toContainText('Sign-ups waiting');
    const card = asha.locator('.nhsuk-card').filter({ hasText: `${record.given_name} ${record.family_name}` });
    await expect(card).toContainText('Same NHS number and date of birth');
    await expect(card).toContainText('The team checks every sign-up');
    await checkPage(asha, 'join-4-queue');
    await keep(asha, '4-queue');
    await card.getByRole('button', { name: /^Link to this record/ }).first().click();
    await expect(asha.getByRole('status').filter({ hasText: 'is linked to their record' })).toBeVisible();
    await expect(asha.locator('.nhsuk-card').filter({ hasText: `${record.given_name} ${record.family_name}` })).toHaveCount(0);
    await checkPage(asha, 'join-5-linked');
    await waitForMail(EMAIL, 'Your health record is ready');
  });

  await test.step('the patient signs in and sees their record', async () => {
    const later = await phone(browser);
    await later.goto('/sign-in');
    await later.getByLabel('Email address').fill(EMAIL);
    await later.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await later.getByRole('button', { name: 'Sign in' }).click();
    await expect(heading(later)).toHaveText('Your record');
    await expect(later.locator('#maincontent').getByText(`${record.given_name} ${record.family_name}`)).toBeVisible();
    await checkPage(later, 'join-6-record');
    await keep(later, '6-record');
  });
});
