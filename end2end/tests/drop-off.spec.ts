// Journey: where invited patients stop registering. The test runs a Portico
// of its own (the same binary and site, a fresh SQLite file with demo data,
// mail to the run's SMTP server), so the Diabetes Clinic's figures are this
// journey's alone. Asha, the clinic's admin, sends four letters; one patient
// never enters the code, one gets the date of birth wrong twice and gives
// up, one proves nothing past their email address, and one registers. The
// uptake report then shows the funnel (table, chart and the refusals) at
// 320 px and on a desktop, and the same figures download as CSV.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { maildir, sixDigits, waitForMail } from './mail';
import { freePort, startPortico, stopPortico } from './own-portico';
import { type Patient, checkPage, enterDateOfBirth, heading, phone, signInStaff, snap } from './support';

const env = process.env;
const ASHA = 'asha.patel@demo.portico.example';
const PASSWORD = 'mango river lantern';
const DESKTOP = { width: 1280, height: 900 };

test.skip(!maildir() || !env.PORTICO_E2E_SMTP_PORT, 'needs the SMTP server the default run starts');

/** The first `count` Diabetes Clinic records nobody has invited, on this journey's Portico. */
async function uninvited(staff: Page, base: string, count: number): Promise<{ teamId: string; patients: Patient[] }> {
  const teams = (await (await staff.request.get(`${base}/api/v1/staff/teams`)).json()).teams;
  const diabetes = teams.find((t: { slug: string }) => t.slug === 'diabetes');
  const list = await (await staff.request.get(`${base}/api/v1/staff/teams/${diabetes.id}/records?page=1`)).json();
  const patients: Patient[] = [];
  for (const r of list.records) {
    const detail = await (await staff.request.get(`${base}/api/v1/staff/records/${r.id}`)).json();
    if (detail.exclusion || detail.registration !== 'not_invited') continue;
    const [year, month, day] = r.date_of_birth.split('-');
    patients.push({
      id: r.id,
      given: r.given_name,
      family: r.family_name,
      dob: { day: String(Number(day)), month: String(Number(month)), year },
    });
    if (patients.length === count) return { teamId: diabetes.id, patients };
  }
  throw new Error(`fewer than ${count} uninvited records in the demo data`);
}

/** Asha prints a letter for `patient` on the record page; the code it shows. */
async function letterFor(asha: Page, base: string, patient: Patient): Promise<string> {
  await asha.goto(`${base}/staff/records/${patient.id}`);
  await asha.getByLabel('Print a letter').check();
  await asha.getByRole('button', { name: 'Continue' }).click();
  await expect(asha.locator('.nhsuk-notification-banner--success')).toContainText('Invitation issued');
  return (await asha.locator('.portico-code').textContent())!.trim();
}

/** A patient's phone at the date of birth page, their code entered. */
async function codeEntered(browser: Browser, base: string, code: string): Promise<Page> {
  const page = await phone(browser);
  await page.goto(`${base}/`);
  await page.getByRole('button', { name: 'Start now' }).click();
  await page.getByLabel('Registration code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(heading(page)).toHaveText('What is your date of birth?');
  return page;
}

/** The date of birth matched and the email given; at "Check your email". */
async function emailGiven(browser: Browser, base: string, code: string, patient: Patient, email: string) {
  const page = await codeEntered(browser, base, code);
  await enterDateOfBirth(page, patient.dob);
  await expect(heading(page)).toContainText(`Hello ${patient.given}`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send the email' }).click();
  await expect(heading(page)).toHaveText('Check your email');
  return page;
}

test('the uptake report shows where invited patients stopped, and why', async ({ browser }) => {
  test.setTimeout(180_000);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portico-drop-off-'));
  const base = `http://127.0.0.1:${port}`;
  const stamp = Date.now();
  const portico = await startPortico(port, dir, 120, {
    PORTICO_SMTP_URL: `smtp://127.0.0.1:${env.PORTICO_E2E_SMTP_PORT}`,
  });
  try {
    const asha = await phone(browser);
    await signInStaff(asha, ASHA, { base, database: join(dir, 'portico.db') });
    const { teamId, patients } = await uninvited(asha, base, 4);
    const codes: string[] = [];

    await test.step('Asha prints a letter for each of four patients', async () => {
      for (const patient of patients) codes.push(await letterFor(asha, base, patient));
    });

    await test.step('the second patient gets the date of birth wrong twice and gives up', async () => {
      const page = await codeEntered(browser, base, codes[1]);
      const wrong = { ...patients[1].dob, year: String(Number(patients[1].dob.year) - 1) };
      await enterDateOfBirth(page, wrong);
      await expect(page.locator('.nhsuk-error-summary')).toContainText('After 4 more wrong tries');
      await enterDateOfBirth(page, wrong);
      await expect(page.locator('.nhsuk-error-summary')).toContainText('After 3 more wrong tries');
    });

    await test.step('the third gives an email address and never confirms it', async () => {
      await emailGiven(browser, base, codes[2], patients[2], `drop-off.third.${stamp}@example.com`);
    });

    await test.step('the fourth registers', async () => {
      const email = `drop-off.fourth.${stamp}@example.com`;
      const page = await emailGiven(browser, base, codes[3], patients[3], email);
      const mail = await waitForMail(email, 'Confirm your email address');
      await page.getByLabel('Code from the email').fill(sixDigits(mail.body));
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(heading(page)).toHaveText('Choose a password');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('I accept the terms of use').check();
      await page.getByRole('button', { name: 'Create your account' }).click();
      await expect(heading(page)).toHaveText('Your record');
    });

    await test.step('the uptake report shows the funnel, its chart and the refusals, at 320 px', async () => {
      await asha.goto(`${base}/staff/teams/${teamId}/uptake`);
      await expect(heading(asha)).toContainText('Uptake report');
      await expect(asha.getByRole('heading', { name: 'Where patients stopped' })).toBeVisible();
      const steps = asha.getByRole('table', { name: 'Letter: patients at each step' });
      const row = (step: string) => steps.getByRole('row').filter({ has: asha.getByRole('rowheader', { name: step }) });
      await expect(row('Invited').getByRole('cell')).toHaveText([/4$/, /100\.0%$/, /–$/]);
      await expect(row('Code entered').getByRole('cell')).toHaveText([/3$/, /75\.0%$/, /1 stopped \(25\.0%\)$/]);
      await expect(row('Date of birth matched').getByRole('cell')).toHaveText([/2$/, /50\.0%$/, /1 stopped \(33\.3%\)$/]);
      await expect(row('Email given').getByRole('cell')).toHaveText([/2$/, /50\.0%$/, /0 stopped \(0\.0%\)$/]);
      await expect(row('Email confirmed').getByRole('cell')).toHaveText([/1$/, /25\.0%$/, /1 stopped \(50\.0%\)$/]);
      await expect(row('Registered').getByRole('cell')).toHaveText([/1$/, /25\.0%$/, /0 stopped \(0\.0%\)$/]);
      const chart = asha.getByRole('img', { name: 'Letter: patients at each step of registering' });
      await expect(chart).toBeVisible();
      await expect(chart).toContainText('Date of birth matched: 2 (50.0%)');
      const reasons = asha.getByRole('table', { name: 'Letter: why codes were refused' });
      await expect(reasons.getByRole('row').filter({ hasText: 'did not match' }).getByRole('cell')).toHaveText([
        /Code or date of birth did not match$/,
        /2$/,
      ]);
      await checkPage(asha, 'drop-off-1-funnel');
      await asha.getByRole('heading', { name: 'Where patients stopped' }).scrollIntoViewIfNeeded();
      await asha.screenshot({ path: 'test-results/screens/drop-off-2-funnel-viewport.png' });
      await asha.setViewportSize(DESKTOP);
      await snap(asha, 'drop-off-3-funnel-desktop');
    });

    await test.step('the funnel downloads as CSV, a line for each step and reason', async () => {
      const [download] = await Promise.all([
        asha.waitForEvent('download'),
        asha.getByRole('link', { name: 'Download where patients stopped as CSV' }).click(),
      ]);
      const csv = test.info().outputPath('drop-off.csv');
      await download.saveAs(csv);
      const lines = readFileSync(csv, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('team_id,team_name,channel,kind,name,count,percent_of_invited,dropped,dropped_percent');
      expect(lines.slice(1)).toEqual([
        `${teamId},Diabetes Clinic,letter,step,invited,4,100.0,0,0.0`,
        `${teamId},Diabetes Clinic,letter,step,code_entered,3,75.0,1,25.0`,
        `${teamId},Diabetes Clinic,letter,step,date_of_birth_matched,2,50.0,1,33.3`,
        `${teamId},Diabetes Clinic,letter,step,email_given,2,50.0,0,0.0`,
        `${teamId},Diabetes Clinic,letter,step,email_confirmed,1,25.0,1,50.0`,
        `${teamId},Diabetes Clinic,letter,step,registered,1,25.0,0,0.0`,
        `${teamId},Diabetes Clinic,letter,refusal,mismatch,2,,,`,
        `${teamId},Diabetes Clinic,letter,refusal,locked,0,,,`,
        `${teamId},Diabetes Clinic,letter,refusal,expired,0,,,`,
        `${teamId},Diabetes Clinic,letter,refusal,used,0,,,`,
        `${teamId},Diabetes Clinic,letter,refusal,no_longer_valid,0,,,`,
        `${teamId},Diabetes Clinic,letter,refusal,already_registered,0,,,`,
      ]);
    });
  } finally {
    await stopPortico(portico);
  }
});
