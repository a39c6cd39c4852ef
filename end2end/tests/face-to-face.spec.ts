// Journeys: face-to-face registration at the desk. Sam, a receptionist,
// finds the patient by searching the team's records and invites them there
// and then: a printed letter (the test reads the code back out of the PDF
// and registers with it), a text message through the GOV.UK Notify stand-in
// (the test reads what Notify received), and the device itself, handed over
// and taken back with Sam's password.
import { execFileSync } from 'node:child_process';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { NOTIFY_SMS_TEMPLATE_ID } from '../playwright.config';
import { maildir, sixDigits, waitForMail } from './mail';
import { notifyRecord, waitForText } from './notify';
import {
  type Patient,
  STAFF_PASSWORD,
  checkPage,
  diabetesRecord,
  enterDateOfBirth,
  heading,
  phone,
  signInStaff,
  summary,
} from './support';

const SAM = 'sam.okafor@demo.portico.example';
const PASSWORD = 'mango river lantern';

test.skip(!maildir() || !notifyRecord(), 'needs the SMTP server and Notify stand-in the default run starts');

/** Sam signed in, and the `nth` unregistered Diabetes Clinic record (page 1). */
async function samAndPatient(browser: Browser, nth: number): Promise<{ sam: Page; patient: Patient }> {
  const sam = await phone(browser);
  await signInStaff(sam, SAM);
  return { sam, patient: await diabetesRecord(sam, nth) };
}

/** The way a receptionist gets there: the team, a search, the record. */
async function findPatient(sam: Page, patient: Patient) {
  await sam.getByRole('link', { name: 'Diabetes Clinic' }).click();
  await sam.getByLabel('Search records').fill(`${patient.given} ${patient.family}`);
  await sam.getByRole('button', { name: 'Search' }).click();
  // Names repeat; the record is the one with this id.
  await sam.locator(`main a[href*="${patient.id}"]`).first().click();
  await expect(heading(sam)).toContainText(`${patient.given} ${patient.family}`);
}

/** From the date of birth to the password: the rest of registering. */
async function registerFromDateOfBirth(page: Page, patient: Patient, email: string) {
  await enterDateOfBirth(page, patient.dob);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send the email' }).click();
  const mail = await waitForMail(email, 'Confirm your email address');
  await page.getByLabel('Code from the email').fill(sixDigits(mail.body));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(heading(page)).toHaveText('Choose a password');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('I accept the terms of use').check();
  await page.getByRole('button', { name: 'Create your account' }).click();
}

test('a receptionist prints the letter, and the code read out of the PDF registers the patient', async ({ browser }) => {
  const { sam, patient } = await samAndPatient(browser, 12);
  let code = '';

  await test.step('Sam finds the patient and prints a one-page letter', async () => {
    await findPatient(sam, patient);
    await sam.getByLabel('Print a letter').check();
    await checkPage(sam, 'face-to-face-1-choose');
    await sam.getByRole('button', { name: 'Continue' }).click();
    await expect(sam.locator('.nhsuk-notification-banner--success')).toContainText('Print the letter');
    await checkPage(sam, 'face-to-face-2-letter-ready');
    const [download] = await Promise.all([
      sam.waitForEvent('download'),
      sam.getByRole('link', { name: 'Download the letter (PDF)' }).click(),
    ]);
    const file = test.info().outputPath('letter.pdf');
    await download.saveAs(file);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(execFileSync('pdfinfo', [file]).toString()).toMatch(/Pages:\s+1\s/);
    expect(text).toContain(`${patient.given} ${patient.family}`);
    code = text.match(/\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/)![0];
    await expect(sam.locator('.portico-code')).toHaveText(code);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-singlefile', file, 'test-results/screens/face-to-face-3-letter']);
  });

  await test.step('the patient types the code from the letter on their phone and registers', async () => {
    const page = await phone(browser);
    await page.goto('/register');
    await page.getByLabel('Registration code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await registerFromDateOfBirth(page, patient, 'letter.at.desk@example.com');
    await expect(heading(page)).toHaveText('Your record');
  });
});

test('a receptionist sends a text message, corrected at the desk, through GOV.UK Notify', async ({ browser }) => {
  const { sam, patient } = await samAndPatient(browser, 13);
  await findPatient(sam, patient);

  await test.step('a number that is not a UK mobile is caught; the number is read back before sending', async () => {
    await sam.getByLabel('Send a text message').check();
    await sam.getByLabel("Patient's mobile number").fill('020 7946 0000');
    await sam.getByRole('button', { name: 'Continue' }).click();
    await expect(summary(sam)).toContainText('Enter a UK mobile number');
    await sam.getByLabel("Patient's mobile number").fill('07700 900 928');
    await sam.getByRole('button', { name: 'Continue' }).click();
    await expect(sam.locator('.portico-contact')).toHaveText('07700 900928');
    await checkPage(sam, 'face-to-face-4-check-number');
    // The patient spots the swapped digits.
    await sam.getByRole('button', { name: 'Change the number' }).click();
    await sam.getByLabel("Patient's mobile number").fill('07700 900 982');
    await sam.getByRole('button', { name: 'Continue' }).click();
    await expect(sam.locator('.portico-contact')).toHaveText('07700 900982');
    await sam.getByRole('button', { name: 'Send the text message' }).click();
    await expect(sam.locator('.nhsuk-notification-banner--success')).toContainText('Invitation sent by text message');
    await expect(sam.locator('.portico-code')).toHaveCount(0);
    // On the record, with who sent it.
    await expect(sam.getByText(/^Invited by text message by Sam Okafor on /)).toBeVisible();
  });

  await test.step('Notify received it, with a JWT that passes its own check, and the code registers', async () => {
    const text = await waitForText('+447700900982');
    expect(text.jwt_valid).toBe(true);
    expect(text.body.template_id).toBe(NOTIFY_SMS_TEMPLATE_ID);
    const code: string = text.body.personalisation.code;
    expect(text.body.personalisation.link).toContain(`/register?code=${code}`);
    const page = await phone(browser);
    await page.goto(`/register?code=${code}`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await enterDateOfBirth(page, patient.dob);
    await expect(heading(page)).toContainText(`Hello ${patient.given}`);
  });
});

test('a receptionist hands the device over; the patient registers on it; only the receptionist\'s password takes it back', async ({ browser }) => {
  const { sam, patient } = await samAndPatient(browser, 14);
  await findPatient(sam, patient);

  await test.step('Sam hands the device over', async () => {
    await sam.getByLabel('Hand this device to the patient').check();
    await sam.getByRole('button', { name: 'Continue' }).click();
    await expect(sam.getByText('Your session pauses')).toBeVisible();
    await checkPage(sam, 'face-to-face-5-hand-over');
    await sam.getByRole('button', { name: 'Hand over the device' }).click();
    await expect(heading(sam)).toHaveText('Enter your registration code');
    await expect(sam.getByLabel('Registration code')).not.toHaveValue('');
    await expect(sam.getByText('belongs to Sam Okafor')).toBeVisible();
    await checkPage(sam, 'face-to-face-6-patient-starts');
  });

  await test.step('the patient registers, and is not signed in on the desk device', async () => {
    await sam.getByRole('button', { name: 'Continue' }).click();
    await registerFromDateOfBirth(sam, patient, 'handed.over@example.com');
    await expect(heading(sam)).toHaveText('You have registered');
    await checkPage(sam, 'face-to-face-7-hand-back');
    // Nothing of the patient's, and nothing of Sam's, opens meanwhile.
    const record = await sam.request.get('/api/v1/me/record');
    expect(record.status()).toBe(423);
  });

  await test.step('the device goes back: a wrong password is refused, Sam\'s own resumes where Sam was', async () => {
    await sam.getByRole('button', { name: 'Give the device back to Sam Okafor' }).click();
    await expect(heading(sam)).toHaveText('Take the device back');
    await sam.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await sam.getByRole('button', { name: 'Continue' }).click();
    await expect(summary(sam)).toContainText('The password is not right');
    await checkPage(sam, 'face-to-face-8-take-back-error');
    await sam.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
    await sam.getByRole('button', { name: 'Continue' }).click();
    await expect(heading(sam)).toContainText(`${patient.given} ${patient.family}`);
    await expect(sam.getByText('Registered', { exact: true })).toBeVisible();
  });
});

test('a hand-over abandoned halfway does not resume without the password', async ({ browser }) => {
  const { sam, patient } = await samAndPatient(browser, 15);
  await sam.goto(`/staff/records/${patient.id}`);
  await sam.getByLabel('Hand this device to the patient').check();
  await sam.getByRole('button', { name: 'Continue' }).click();
  await sam.getByRole('button', { name: 'Hand over the device' }).click();
  await sam.getByRole('button', { name: 'Continue' }).click();
  await expect(heading(sam)).toHaveText('What is your date of birth?');
  // The patient walks away; someone tries the staff pages.
  await sam.goto('/staff');
  await expect(heading(sam)).toHaveText('Take the device back');
  await sam.goto(`/staff/records/${patient.id}`);
  await expect(heading(sam)).toHaveText('Take the device back');
  await sam.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await sam.getByRole('button', { name: 'Continue' }).click();
  await expect(heading(sam)).toContainText(`${patient.given} ${patient.family}`);
  await expect(sam.getByText('Not invited', { exact: true })).toBeVisible();
});
