// Journeys: invited registration on a phone, with the real email read from
// the SMTP server: a code typed as if from a letter (issued by a team admin
// on the record page), and an emailed invitation whose links are opened on
// another device; then a forgotten password and a change of email.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { linkTo, maildir, sixDigits, waitForMail } from './mail';
import { type Patient, checkPage, diabetesRecord, enterDateOfBirth, heading, phone, signInStaff, summary } from './support';

const ASHA = 'asha.patel@demo.portico.example';
const PASSWORD = 'mango river lantern';

test.skip(!maildir(), 'needs the SMTP server the default run starts (PORTICO_E2E_MAILDIR)');

/** Asha signed in on a phone, and the `nth` Diabetes Clinic record nobody has invited. */
async function ashaAndRecord(browser: Browser, nth: number): Promise<{ asha: Page; patient: Patient }> {
  const asha = await phone(browser);
  await signInStaff(asha, ASHA);
  return { asha, patient: await diabetesRecord(asha, nth) };
}

async function choosePassword(page: Page) {
  await expect(heading(page)).toHaveText('Choose a password');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('I accept the terms of use').check();
  await page.getByRole('button', { name: 'Create your account' }).click();
  await expect(heading(page)).toHaveText('Your record');
}

test('a patient registers with the code from a letter, typed on a phone', async ({ browser }) => {
  const { asha, patient } = await ashaAndRecord(browser, 5);
  let code = '';
  const email = 'letter.patient@example.com';

  await test.step('Asha issues a letter invitation on the record page, and sees the code once', async () => {
    await asha.goto(`/staff/records/${patient.id}`);
    await asha.getByLabel('Print a letter').check();
    await asha.getByRole('button', { name: 'Continue' }).click();
    await expect(asha.locator('.nhsuk-notification-banner--success')).toContainText('Invitation issued');
    code = (await asha.locator('.portico-code').textContent())!.trim();
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await expect(asha.getByText('Invited', { exact: true })).toBeVisible();
    await checkPage(asha, 'registration-1-staff-issued-letter');
  });

  const page = await phone(browser);
  await test.step('the start page leads to the code; a mistyped code is caught at once', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Start now' }).click();
    await expect(heading(page)).toHaveText('Enter your registration code');
    const typo = (code[0] === 'Z' ? 'Y' : 'Z') + code.slice(1);
    await page.getByLabel('Registration code').fill(typo);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(summary(page)).toContainText('Check your registration code');
    await expect(summary(page)).toBeFocused();
    await checkPage(page, 'registration-2-code-error');
    // Typed as people type: lower case, spaces, an O for a 0.
    await page.getByLabel('Registration code').fill(code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o'));
    await page.getByRole('button', { name: 'Continue' }).click();
  });

  await test.step('a wrong date of birth is refused with the tries left; the right one goes on', async () => {
    await expect(heading(page)).toHaveText('What is your date of birth?');
    await enterDateOfBirth(page, { ...patient.dob, year: String(Number(patient.dob.year) - 1) });
    await expect(summary(page)).toContainText('The registration code or date of birth is not right');
    await expect(summary(page)).toContainText('After 4 more wrong tries');
    await checkPage(page, 'registration-3-date-of-birth-error');
    await enterDateOfBirth(page, patient.dob);
  });

  await test.step('the email address is proved with the code from the real email', async () => {
    await expect(heading(page)).toContainText(`Hello ${patient.given}`);
    await page.getByLabel('Email address').fill(email);
    await checkPage(page, 'registration-4-email');
    await page.getByRole('button', { name: 'Send the email' }).click();
    await expect(heading(page)).toHaveText('Check your email');
    await checkPage(page, 'registration-5-check-email');
    const mail = await waitForMail(email, 'Confirm your email address');
    await page.getByLabel('Code from the email').fill('000 000' === sixDigits(mail.body) ? '111 111' : '000 000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(summary(page)).toContainText('The code is not right');
    await page.getByLabel('Code from the email').fill(sixDigits(mail.body));
    await page.getByRole('button', { name: 'Continue' }).click();
  });

  await test.step('a password that is too short, and the terms left unticked, are both named', async () => {
    await expect(heading(page)).toHaveText('Choose a password');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create your account' }).click();
    await expect(summary(page)).toContainText('Password must be 15 characters or more');
    await expect(summary(page)).toContainText('Confirm that you accept the terms of use');
    await checkPage(page, 'registration-6-password-errors');
    await choosePassword(page);
    await expect(page.getByText(`${patient.given}`, { exact: false }).first()).toBeVisible();
    await checkPage(page, 'registration-7-record');
  });

  await test.step('the code works once', async () => {
    const again = await phone(browser);
    await again.goto(`/register?code=${code}`);
    await again.getByRole('button', { name: 'Continue' }).click();
    await enterDateOfBirth(again, patient.dob);
    await expect(heading(again)).toHaveText('This registration code has already been used');
    await expect(again.getByRole('link', { name: 'Sign in to Portico' })).toBeVisible();
    await checkPage(again, 'registration-8-code-used');
  });
});

test('an emailed invitation is opened by its link, and finished on another device', async ({ browser }) => {
  const { asha, patient } = await ashaAndRecord(browser, 6);
  const email = 'emailed.patient@example.com';

  await test.step('Asha sends the invitation by email', async () => {
    await asha.goto(`/staff/records/${patient.id}`);
    await asha.getByLabel('Send an email').check();
    await asha.getByLabel("Patient's email address").fill(email);
    await asha.getByRole('button', { name: 'Continue' }).click();
    await expect(asha.locator('.portico-contact')).toHaveText(email);
    await asha.getByRole('button', { name: 'Send the email' }).click();
    await expect(asha.locator('.nhsuk-notification-banner--success')).toContainText('Invitation sent by email');
    await expect(asha.locator('.portico-code')).toHaveCount(0);
  });

  const laptop = await phone(browser);
  await test.step('the link in the invitation fills in the code', async () => {
    const invitation = await waitForMail(email, 'Your invitation');
    await laptop.goto(linkTo(invitation.body, '/register?code='));
    await expect(laptop.getByLabel('Registration code')).not.toHaveValue('');
    await laptop.getByRole('button', { name: 'Continue' }).click();
    await enterDateOfBirth(laptop, patient.dob);
    await laptop.getByLabel('Email address').fill(email);
    await laptop.getByRole('button', { name: 'Send the email' }).click();
    await expect(heading(laptop)).toHaveText('Check your email');
  });

  await test.step('the confirmation link, opened on a phone, carries on there', async () => {
    const mail = await waitForMail(email, 'Confirm your email address');
    const other = await phone(browser);
    await other.goto(linkTo(mail.body, '/register/confirm-email'));
    await expect(heading(other)).toHaveText('Your email address is confirmed');
    expect(other.url()).not.toContain('token=');
    await checkPage(other, 'registration-9-link-confirmed');
    await other.getByRole('link', { name: 'Continue to choose a password' }).click();
    await choosePassword(other);
  });
});

test('a patient who forgot their password resets it from the email, then changes their email address', async ({ browser }) => {
  const { asha, patient } = await ashaAndRecord(browser, 7);
  const email = 'forgetful.patient@example.com';
  const newEmail = 'moved.patient@example.com';
  const newPassword = 'tulip anchor meadow';

  await test.step('registered by letter code', async () => {
    await asha.goto(`/staff/records/${patient.id}`);
    await asha.getByLabel('Print a letter').check();
    await asha.getByRole('button', { name: 'Continue' }).click();
    const code = (await asha.locator('.portico-code').textContent())!.trim();
    const page = await phone(browser);
    await page.goto(`/register?code=${code}`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await enterDateOfBirth(page, patient.dob);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send the email' }).click();
    const mail = await waitForMail(email, 'Confirm your email address');
    await page.getByLabel('Code from the email').fill(sixDigits(mail.body));
    await page.getByRole('button', { name: 'Continue' }).click();
    await choosePassword(page);
  });

  await test.step('registering another record with the same address: the page is the same, the email says sign in', async () => {
    const { asha: admin, patient: other } = await ashaAndRecord(browser, 8);
    await admin.goto(`/staff/records/${other.id}`);
    await admin.getByLabel('Print a letter').check();
    await admin.getByRole('button', { name: 'Continue' }).click();
    const code = (await admin.locator('.portico-code').textContent())!.trim();
    const second = await phone(browser);
    await second.goto(`/register?code=${code}`);
    await second.getByRole('button', { name: 'Continue' }).click();
    await enterDateOfBirth(second, other.dob);
    await second.getByLabel('Email address').fill(email);
    await second.getByRole('button', { name: 'Send the email' }).click();
    await expect(heading(second)).toHaveText('Check your email');
    await expect(second.getByText('the email tells you how to sign in instead')).toBeVisible();
    const told = await waitForMail(email, 'You already have a Portico account');
    expect(told.body).toContain('/forgotten-password');
    expect(told.body).not.toMatch(/^\s*\d{3} \d{3}\s*$/m);
  });

  const page = await phone(browser);
  await test.step('asks for a reset from the sign-in page; the answer says nothing about the account', async () => {
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgotten your password?' }).click();
    await expect(heading(page)).toHaveText('Reset your password');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expect(heading(page)).toHaveText('Check your email');
    await checkPage(page, 'registration-10-reset-asked');
  });

  await test.step('the link sets a new password, once', async () => {
    const mail = await waitForMail(email, 'Reset your Portico password');
    const link = linkTo(mail.body, '/reset-password');
    await page.goto(link);
    await expect(heading(page)).toHaveText('Choose a new password');
    expect(page.url(), 'the token leaves the address bar').not.toContain('token=');
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(heading(page)).toHaveText('Your password has been changed');
    await page.goto(link);
    await page.getByLabel('New password').fill('another long passphrase here');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(heading(page)).toContainText('expired or has already been used');
  });

  await test.step('signs in with the new password and changes the email address', async () => {
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(heading(page)).toHaveText('Your record');
    await page.goto('/account');
    await expect(heading(page)).toHaveText('Your account');
    await page.getByLabel('New email address').fill(newEmail);
    await page.getByLabel('Your password').fill(newPassword);
    await page.getByRole('button', { name: 'Send a link to the new address' }).click();
    await expect(page.getByRole('status').filter({ hasText: newEmail })).toBeVisible();
    await checkPage(page, 'registration-11-account');
    await waitForMail(email, 'Someone asked to change your Portico email address');
    const proof = await waitForMail(newEmail, 'Confirm your new email address');
    await page.goto(linkTo(proof.body, '/account/confirm-email'));
    await expect(heading(page)).toHaveText('Your email address has been changed');
    await waitForMail(email, 'Your Portico email address has been changed');
  });

  await test.step('signing out everywhere ends this session too', async () => {
    await page.goto('/account');
    await page.getByRole('button', { name: 'Sign out on every device' }).click();
    await expect(heading(page)).toHaveText('You have signed out');
    await page.goto('/record');
    await expect(heading(page)).toHaveText('Sign in to see your record');
  });
});
