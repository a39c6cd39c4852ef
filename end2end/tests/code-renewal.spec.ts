// Journey: a patient whose registration code has expired asks for a new one
// and registers with it. The test runs a Portico of its own (the same binary
// and site, a fresh SQLite file with demo data, mail to the run's SMTP
// server) so that it can let days pass: Asha, the Diabetes Clinic's admin,
// emails an invitation to the address on a record; Portico is then started
// again on the same database with its clock 10 days ahead
// (`clock_offset_days`), past the emailed code's 7 days. The patient enters
// the code and date of birth, is told it has expired, asks for a new code,
// which arrives at the record's own address naming the code it replaces,
// and registers with it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { allMail, linkTo, maildir, sixDigits, waitForMail } from './mail';
import { freePort, startPortico, stopPortico } from './own-portico';
import { checkPage, enterDateOfBirth, heading, phone, signInStaff } from './support';

const env = process.env;
const ASHA = 'asha.patel@demo.portico.example';
const DAYS_LATER = 10;

test.skip(!maildir() || !env.PORTICO_E2E_SMTP_PORT, 'needs the SMTP server the default run starts');

/** This journey's Portico: mail to the run's SMTP server, its clock `days` ahead. */
function startAhead(port: number, dir: string, days: number) {
  return startPortico(port, dir, 60, {
    PORTICO_SMTP_URL: `smtp://127.0.0.1:${env.PORTICO_E2E_SMTP_PORT}`,
    PORTICO_CLOCK_OFFSET_DAYS: String(days),
  });
}

/** The next message to `to` about `subject`: the run's other journeys may have mailed the same demo address. */
function nextMail(to: string, subject: string) {
  const before = allMail().filter((m) => m.to === to && m.subject.includes(subject)).length;
  return () => waitForMail(to, subject, before + 1);
}

interface Invitee {
  id: string;
  given: string;
  email: string;
  dob: { day: string; month: string; year: string };
}

/** A Diabetes Clinic adult with an email address on their record, not invited, not excluded. */
async function anInvitee(page: Page, base: string): Promise<Invitee> {
  const teams = (await (await page.request.get(`${base}/api/v1/staff/teams`)).json()).teams;
  const diabetes = teams.find((t: { slug: string }) => t.slug === 'diabetes');
  for (let n = 1; n <= 5; n++) {
    const list = await (await page.request.get(`${base}/api/v1/staff/teams/${diabetes.id}/records?page=${n}`)).json();
    for (const r of list.records) {
      const [year, month, day] = r.date_of_birth.split('-');
      if (Number(year) > 2000) continue;
      const detail = await (await page.request.get(`${base}/api/v1/staff/records/${r.id}`)).json();
      if (detail.record.email && !detail.exclusion && detail.registration === 'not_invited') {
        const dob = { day: String(Number(day)), month: String(Number(month)), year };
        return { id: r.id, given: r.given_name, email: detail.record.email, dob };
      }
    }
    if (list.records.length < list.page_size) break;
  }
  throw new Error('no adult with an email address in the demo data');
}

test('a patient whose code expired asks for a new one and registers with it', async ({ browser }) => {
  test.setTimeout(150_000);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portico-code-renewal-'));
  const base = `http://127.0.0.1:${port}`;
  let portico = await startAhead(port, dir, 0);
  try {
    const asha = await phone(browser);
    await signInStaff(asha, ASHA, { base, database: join(dir, 'portico.db') });
    const invitee = await anInvitee(asha, base);
    let oldCode = '';

    await test.step('Asha emails an invitation to the address on the record', async () => {
      await asha.goto(`${base}/staff/records/${invitee.id}`);
      const invitationMail = nextMail(invitee.email, 'Your invitation');
      await asha.getByLabel('Send an email').check();
      await asha.getByLabel("Patient's email address").fill(invitee.email);
      await asha.getByRole('button', { name: 'Continue' }).click();
      await asha.getByRole('button', { name: 'Send the email' }).click();
      await expect(asha.locator('.nhsuk-notification-banner--success')).toContainText('Invitation sent by email');
      const invitation = await invitationMail();
      oldCode = new URL(linkTo(invitation.body, '/register?code=')).searchParams.get('code')!;
    });

    const page = await phone(browser);
    await test.step(`${DAYS_LATER} days later the code has expired, and the page offers a new one`, async () => {
      await stopPortico(portico);
      portico = await startAhead(port, dir, DAYS_LATER);
      await page.goto(`${base}/register?code=${oldCode}`);
      await expect(heading(page)).toHaveText('Enter your registration code');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(heading(page)).toHaveText('What is your date of birth?');
      await enterDateOfBirth(page, invitee.dob);
      await expect(heading(page)).toHaveText('This registration code has expired');
      await expect(heading(page)).toBeFocused();
      await checkPage(page, 'code-renewal-1-expired');
    });

    const renewedMail = nextMail(invitee.email, 'A new code');
    await test.step('the patient asks for a new code and is told where it goes, and no more', async () => {
      await page.getByRole('button', { name: 'Send me a new code' }).click();
      await expect(heading(page)).toHaveText('Check your email and text messages');
      await expect(heading(page)).toBeFocused();
      await expect(page.getByText('If your details match an expired invitation')).toBeVisible();
      await checkPage(page, 'code-renewal-2-asked');
    });

    await test.step('the new code arrives at the address on the record, naming the code it replaces', async () => {
      const renewed = await renewedMail();
      expect(renewed.body).toContain('your last one had expired');
      const link = linkTo(renewed.body, '/register?code=');
      expect(new URL(link).searchParams.get('code')).not.toBe(oldCode);
      await page.goto(link);
      await expect(heading(page)).toHaveText('Enter your registration code');
      await page.getByRole('button', { name: 'Continue' }).click();
      await enterDateOfBirth(page, invitee.dob);
    });

    await test.step('registration completes with the new code', async () => {
      await expect(heading(page)).toContainText(`Hello ${invitee.given}`);
      const confirmMail = nextMail(invitee.email, 'Confirm your email address');
      await page.getByLabel('Email address').fill(invitee.email);
      await page.getByRole('button', { name: 'Send the email' }).click();
      await expect(heading(page)).toHaveText('Check your email');
      const confirm = await confirmMail();
      await page.getByLabel('Code from the email').fill(sixDigits(confirm.body));
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(heading(page)).toHaveText('Choose a password');
      await page.getByLabel('Password', { exact: true }).fill('copper meadow lantern');
      await page.getByLabel('I accept the terms of use').check();
      await page.getByRole('button', { name: 'Create your account' }).click();
      await expect(heading(page)).toHaveText('Your record');
    });

    await test.step('Asha sees on the record that the patient asked for the new code', async () => {
      await signInStaff(asha, ASHA, { base, database: join(dir, 'portico.db'), offsetDays: DAYS_LATER });
      await asha.goto(`${base}/staff/records/${invitee.id}`);
      await expect(asha.getByText('New code for an expired invitation')).toBeVisible();
      await checkPage(asha, 'code-renewal-3-staff-record');
    });
  } finally {
    await stopPortico(portico);
  }
});
