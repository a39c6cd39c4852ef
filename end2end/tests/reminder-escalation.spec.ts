// Journey: reminder escalation across channels, with days that pass. The
// test runs a Portico of its own (the same binary and site, a fresh SQLite
// file with demo data, mail to the run's SMTP server, texts to the run's
// Notify stand-in), so that it can move its clock on (`clock_offset_days`).
// Asha, the Diabetes Clinic's admin, starts an email campaign over two
// patients with a plan: a text message 14 days later. One patient registers
// from the email in between. Portico is started again 15 days on: the text
// step goes to the other patient only, the campaign page counts the step,
// and each record page shows its history of reminders and why.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { allMail, linkTo, maildir, sixDigits, waitForMail } from './mail';
import { notifyRecord, notifyRequests, waitForText } from './notify';
import { freePort, startPortico, stopPortico } from './own-portico';
import { checkPage, enterDateOfBirth, heading, phone, signInStaff, snap } from './support';

const env = process.env;
const ASHA = 'asha.patel@demo.portico.example';
const DESKTOP = { width: 1280, height: 900 };

test.skip(
  !maildir() || !env.PORTICO_E2E_SMTP_PORT || !notifyRecord() || !env.PORTICO_E2E_NOTIFY_PORT,
  'needs the SMTP server and Notify stand-in the default run starts',
);

/** This journey's Portico: mail and texts to the run's stand-ins, its clock `days` ahead. */
function startAhead(port: number, dir: string, days: number) {
  return startPortico(port, dir, 120, {
    PORTICO_SMTP_URL: `smtp://127.0.0.1:${env.PORTICO_E2E_SMTP_PORT}`,
    PORTICO_NOTIFY_BASE_URL: `http://127.0.0.1:${env.PORTICO_E2E_NOTIFY_PORT}/`,
    PORTICO_NOTIFY_API_KEY:
      'portico_standin-7d1b3f2e-0c4a-4b8e-9f61-2a5c8d9e0b17-3c9e5a71-8f2d-4e6b-a0c4-51d7e9b2f863',
    PORTICO_NOTIFY_SMS_INVITATION_TEMPLATE_ID: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
    PORTICO_NOTIFY_MESSAGES_PER_MINUTE: '0',
    PORTICO_CLOCK_OFFSET_DAYS: String(days),
  });
}

interface Person {
  id: string;
  nhs: string;
  given: string;
  family: string;
  dob: string;
  email: string;
  mobile: string;
}

/** Diabetes-only records never invited, with an email address and a mobile number. */
async function twoPatients(asha: Page, base: string): Promise<Person[]> {
  const teams = (await (await asha.request.get(`${base}/api/v1/staff/teams`)).json()).teams;
  const diabetes = teams.find((t: { slug: string }) => t.slug === 'diabetes');
  const found: Person[] = [];
  for (let n = 1; n <= 10 && found.length < 2; n++) {
    const list = await (await asha.request.get(`${base}/api/v1/staff/teams/${diabetes.id}/records?page=${n}`)).json();
    for (const r of list.records) {
      if (found.length === 2) break;
      if (['Okafor', 'Hughes'].includes(r.family_name) || !r.nhs_number) continue;
      const d = await (await asha.request.get(`${base}/api/v1/staff/records/${r.id}`)).json();
      if (d.teams.length === 1 && d.registration === 'not_invited' && !d.exclusion && d.record.email && d.record.mobile) {
        found.push({
          id: r.id,
          nhs: r.nhs_number,
          given: r.given_name,
          family: r.family_name,
          dob: r.date_of_birth,
          email: d.record.email,
          mobile: d.record.mobile,
        });
      }
    }
    if (list.records.length < list.page_size) break;
  }
  expect(found, 'two Diabetes-only records with an email and a mobile').toHaveLength(2);
  return found;
}

const textsTo = (mobile: string) =>
  notifyRequests().filter((r) => r.path === '/v2/notifications/sms' && r.status === 201 && r.body?.phone_number === mobile)
    .length;

/** The patient registers on a phone from the link in their invitation email. */
async function registerFromEmail(browser: Browser, person: Person, nth: number) {
  const invitation = await waitForMail(person.email, 'invitation', nth);
  const page = await phone(browser);
  await page.goto(linkTo(invitation.body, '/register?code='));
  await expect(page.getByLabel('Registration code')).not.toHaveValue('');
  await page.getByRole('button', { name: 'Continue' }).click();
  const [year, month, day] = person.dob.split('-');
  await enterDateOfBirth(page, { day: String(Number(day)), month: String(Number(month)), year });
  const account = `escalation.${Date.now()}@example.org`;
  await page.getByLabel('Email address').fill(account);
  await page.getByRole('button', { name: 'Send the email' }).click();
  const mail = await waitForMail(account, 'Confirm your email address');
  await page.getByLabel('Code from the email').fill(sixDigits(mail.body));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(heading(page)).toHaveText('Choose a password');
  await page.getByLabel('Password', { exact: true }).fill('copper meadow lantern');
  await page.getByLabel('I accept the terms of use').check();
  await page.getByRole('button', { name: 'Create your account' }).click();
  await expect(heading(page)).toHaveText('Your record');
  await page.context().close();
}

test('a campaign escalates from email to a text 14 days on, skipping the patient who registered', async ({ browser }) => {
  test.setTimeout(240_000);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portico-escalation-'));
  const base = `http://127.0.0.1:${port}`;
  const database = join(dir, 'portico.db');
  const name = `Escalating ${Date.now()}`;
  let portico = await startAhead(port, dir, 0);
  try {
    let asha = await phone(browser);
    await signInStaff(asha, ASHA, { base, database });
    const [registers, reminded] = await twoPatients(asha, base);
    const mailsBefore = (p: Person) => allMail().filter((m) => m.to === p.email && m.subject.includes('invitation')).length;
    const before = { registers: mailsBefore(registers), reminded: mailsBefore(reminded) };
    const textsBefore = { registers: textsTo(registers.mobile), reminded: textsTo(reminded.mobile) };
    let campaignUrl = '';

    await test.step('Asha sets a plan: a zero-day reminder is refused, then a text after 14 days is counted', async () => {
      await asha.goto(`${base}/staff`);
      await asha.getByRole('link', { name: 'Diabetes Clinic' }).click();
      await asha.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await asha.getByRole('button', { name: 'Start a new campaign' }).click();
      await expect(heading(asha)).toContainText('Start a campaign');
      await asha.getByLabel('Name of the campaign').fill(name);
      await asha.getByLabel('Emails').check();
      await asha.getByLabel('Never invited').check();
      const csv = ['nhs_number', registers.nhs, reminded.nhs].join('\n') + '\n';
      await asha.getByLabel('Only these NHS numbers (optional)').setInputFiles({
        name: 'cohort.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      });
      // Each further reminder appears once the one before it has a channel.
      await expect(asha.getByLabel('Reminder 2 sent as')).toHaveCount(0);
      await asha.getByLabel('Reminder 1 sent as').selectOption('sms');
      await expect(asha.getByLabel('Reminder 2 sent as')).toBeVisible();
      await expect(asha.getByLabel('Reminder 3 sent as')).toHaveCount(0);
      await asha.getByLabel('Reminder 1: days after the campaign starts').fill('0');
      await asha.getByRole('button', { name: 'Count the cohort' }).click();
      await expect(asha.locator('.nhsuk-error-summary')).toContainText('1 or more');
      await checkPage(asha, 'escalation-1-plan-error');
      await asha.getByLabel('Reminder 1: days after the campaign starts').fill('14');
      await asha.getByRole('button', { name: 'Count the cohort' }).click();
      await expect(asha.getByText('2 patients will be invited')).toBeVisible();
      await expect(asha.getByText('Reminder 1 is a text message, 14 days after the start')).toBeVisible();
      await checkPage(asha, 'escalation-2-counted');
      await asha.getByRole('button', { name: 'Start the campaign' }).click();
      await expect(heading(asha)).toContainText(name);
      await expect(asha.getByRole('heading', { name: 'Reminder plan' })).toBeVisible();
      await expect(asha.locator('main p .nhsuk-tag').first()).toHaveText('Finished', { timeout: 60_000 });
      campaignUrl = asha.url();
      await checkPage(asha, 'escalation-3-first-send');
    });

    await test.step('one patient registers from the email before the reminder is due', async () => {
      await waitForMail(reminded.email, 'invitation', before.reminded + 1);
      await registerFromEmail(browser, registers, before.registers + 1);
    });

    await test.step('fifteen days pass: the text goes to the patient who has not registered, only', async () => {
      await stopPortico(portico);
      portico = await startAhead(port, dir, 15);
      await asha.context().close();
      asha = await phone(browser);
      await signInStaff(asha, ASHA, { base, database, offsetDays: 15 });
      await expect.poll(() => textsTo(reminded.mobile), { timeout: 30_000 }).toBe(textsBefore.reminded + 1);
      const text = await waitForText(reminded.mobile);
      expect(text.jwt_valid).toBe(true);
      await asha.goto(campaignUrl);
      const step = asha.getByRole('row').filter({ hasText: 'Reminder 1' });
      await expect(async () => {
        await asha.reload();
        await expect(step).toContainText('Finished', { timeout: 1_000 });
      }).toPass({ timeout: 30_000 });
      await expect(step).toContainText('1 registered');
      await checkPage(asha, 'escalation-4-step-counted');
      await asha.setViewportSize(DESKTOP);
      await snap(asha, 'escalation-4-step-counted-desktop');
      await asha.setViewportSize({ width: 320, height: 700 });
      expect(textsTo(registers.mobile), 'the registered patient gets no text').toBe(textsBefore.registers);
    });

    await test.step("each record page shows the patient's history of reminders, and why", async () => {
      await asha.goto(`${base}/staff/records/${reminded.id}`);
      await expect(asha.getByRole('heading', { name: 'Reminders' })).toBeVisible();
      const rows = asha.getByRole('table', { name: 'Reminders for this record' }).getByRole('row');
      await expect(rows.filter({ hasText: 'Reminder 1 of 1' })).toContainText('Sent a new code by text message');
      await expect(rows.filter({ hasText: 'First invitation' })).toContainText('Sent a new code by email');
      await checkPage(asha, 'escalation-5-record-reminded');

      await asha.getByRole('button', { name: 'Record that the patient wants no more reminders' }).click();
      await expect(asha.getByText('This patient will get no more reminders.')).toBeVisible();
      await expect(asha.getByText(/asked for no more reminders \(recorded by Dr Asha Patel/)).toBeVisible();
      await checkPage(asha, 'escalation-6-opted-out');

      await asha.goto(`${base}/staff/records/${registers.id}`);
      const theirs = asha.getByRole('table', { name: 'Reminders for this record' }).getByRole('row');
      await expect(theirs.filter({ hasText: 'Reminder 1 of 1' })).toContainText('Not sent: registered');
      await checkPage(asha, 'escalation-7-record-registered');
    });
  } finally {
    await stopPortico(portico);
  }
});
