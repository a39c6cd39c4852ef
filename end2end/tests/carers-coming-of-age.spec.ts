// Journey: a parent's access to a child's record, until the child comes of
// age. The test runs a Portico of its own (the same binary and site, a fresh
// SQLite file with demo data, mail to the run's SMTP server), so that it can
// let years pass: Asha, a clinician of the Diabetes Clinic, adds a father
// with parental responsibility to a child's record on the staff pages; the
// father registers from the emailed link and sees his child's record. Then
// Portico is started again on the same database with its clock set past the
// child's 16th birthday (`clock_offset_days`): the coming-of-age job ends
// the father's access, tells him, and invites the young person to their own
// record.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { linkTo, maildir, waitForMail } from './mail';
import { freePort, startPortico, stopPortico } from './own-portico';
import { checkPage, heading, phone, signInStaff, STAFF_PASSWORD } from './support';

const env = process.env;
const ASHA = 'asha.patel@demo.portico.example';

test.skip(!maildir() || !env.PORTICO_E2E_SMTP_PORT, 'needs the SMTP server the default run starts');

/** This journey's Portico: mail to the run's SMTP server, its clock `days` ahead. */
function startAhead(port: number, dir: string, days: number) {
  return startPortico(port, dir, 120, {
    PORTICO_SMTP_URL: `smtp://127.0.0.1:${env.PORTICO_E2E_SMTP_PORT}`,
    PORTICO_CLOCK_OFFSET_DAYS: String(days),
  });
}

interface Child {
  id: string;
  given: string;
  family: string;
  email: string;
  born: Date;
}

/** A Diabetes Clinic child with an email address on their record, 10 to 15 years old. */
async function aChild(page: Page, base: string): Promise<Child> {
  const teams = (await (await page.request.get(`${base}/api/v1/staff/teams`)).json()).teams;
  const diabetes = teams.find((t: { slug: string }) => t.slug === 'diabetes');
  const now = Date.now();
  for (let n = 1; n <= 10; n++) {
    const list = await (await page.request.get(`${base}/api/v1/staff/teams/${diabetes.id}/records?page=${n}`)).json();
    for (const r of list.records) {
      const born = new Date(`${r.date_of_birth}T00:00:00Z`);
      const years = (now - born.getTime()) / (365.25 * 86_400_000);
      if (years < 10 || years > 15.5) continue;
      const detail = await (await page.request.get(`${base}/api/v1/staff/records/${r.id}`)).json();
      if (detail.record.email && !detail.exclusion && detail.registration === 'not_invited') {
        return { id: r.id, given: r.given_name, family: r.family_name, email: detail.record.email, born };
      }
    }
    if (list.records.length < list.page_size) break;
  }
  throw new Error('no child with an email address in the demo data');
}

test('a parent sees a child record until the 16th birthday, then the young person is invited', async ({ browser }) => {
  test.setTimeout(180_000);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portico-coming-of-age-'));
  const base = `http://127.0.0.1:${port}`;
  const father = `father.${Date.now()}@example.org`;
  let portico = await startAhead(port, dir, 0);
  try {
    const asha = await phone(browser);
    await signInStaff(asha, ASHA, { base, database: join(dir, 'portico.db') });
    const child = await aChild(asha, base);

    await test.step('Asha adds the father, with parental responsibility, on the staff pages', async () => {
      await asha.goto(`${base}/staff/records/${child.id}`);
      await asha.getByRole('button', { name: 'Add a parent, guardian or carer' }).click();
      await asha.getByLabel('A parent or guardian of a child').check();
      await asha.getByLabel('Their email address').fill(father);
      await asha.getByLabel('Their relationship to the child').fill('Father');
      await asha.getByLabel('Parental responsibility').check();
      await asha.getByLabel('Everything in the record').check();
      await asha.getByRole('button', { name: 'Send the invitation' }).click();
      await expect(asha.getByText(father).first()).toBeVisible();
      await checkPage(asha, 'coming-of-age-1-added');
    });

    const dad = await phone(browser);
    await test.step("the father registers from the email and sees his child's record", async () => {
      const mail = await waitForMail(father, 'given access to a health record');
      await dad.goto(linkTo(mail.body, '/carers/accept'));
      await expect(heading(dad)).toHaveText(`See ${child.given}'s record`);
      await dad.getByLabel('Your full name').fill('Dan Father');
      await dad.getByLabel('Choose a password', { exact: true }).fill('walnut harbour violet engine');
      await dad.getByLabel('I accept the terms of use').check();
      await dad.getByRole('button', { name: 'Create account and accept' }).click();
      await expect(heading(dad)).toHaveText(`${child.given} ${child.family}'s record`);
      await expect(dad.getByText(`as their father`)).toBeVisible();
      await checkPage(dad, 'coming-of-age-2-father-sees');
    });

    await test.step('years pass: after the 16th birthday the access ends and the young person is invited', async () => {
      const sixteenth = new Date(child.born);
      sixteenth.setUTCFullYear(sixteenth.getUTCFullYear() + 16);
      const days = Math.ceil((sixteenth.getTime() - Date.now()) / 86_400_000) + 2;
      await stopPortico(portico);
      portico = await startAhead(port, dir, days);
      const ended = await waitForMail(father, 'carer access on Portico has ended');
      expect(ended.body).toContain(child.given);
      const invited = await waitForMail(child.email, 'invitation to see your health record');
      expect(invited.body).toContain('/register?code=');
    });

    await test.step('the father can no longer open the record', async () => {
      await dad.goto(`${base}/sign-in`);
      await dad.getByLabel('Email address').fill(father);
      await dad.getByLabel('Password', { exact: true }).fill('walnut harbour violet engine');
      await dad.getByRole('button', { name: 'Sign in' }).click();
      await expect(heading(dad)).not.toHaveText('Sign in');
      await dad.goto(`${base}/record/${child.id}`);
      await expect(heading(dad)).toHaveText('You cannot see this record');
      await checkPage(dad, 'coming-of-age-3-ended');
    });
  } finally {
    await stopPortico(portico);
  }
});
