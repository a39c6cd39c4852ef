// Journeys: mass registration. Jordan Hughes, the Respiratory Clinic's
// admin, runs campaigns over a cohort limited by a CSV of NHS numbers: a
// letter campaign (the test downloads the batch PDF, reads a patient's code
// out of it and registers with it on a phone), then a text-message campaign
// through the GOV.UK Notify stand-in; the uptake report shows the
// registration, on the page and as a CSV download.
//
// The records are ones only the Respiratory Clinic holds, and not the
// professionals' own: the other journeys use the Diabetes Clinic's records
// and Sam's and Jordan's, and a campaign must not invite or register them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { maildir, sixDigits, waitForMail } from './mail';
import { notifyRecord, notifyRequests, waitForText } from './notify';
import { sharedDatabase } from './authenticator';
import { checkPage, enterDateOfBirth, heading, phone, signInStaff, snap, summary } from './support';

const JORDAN = 'jordan.hughes@demo.portico.example';
const PASSWORD = 'mango river lantern';
const DESKTOP = { width: 1280, height: 900 };

test.skip(!maildir() || !notifyRecord(), 'needs the SMTP server and Notify stand-in the default run starts');

interface RecordRow {
  id: string;
  nhs_number: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
}

/** Every record of a team, page by page, as `staff` sees them. */
async function allRecords(staff: Page, teamId: string): Promise<RecordRow[]> {
  const records: RecordRow[] = [];
  for (let page = 1; ; page++) {
    const answer = await (await staff.request.get(`/api/v1/staff/teams/${teamId}/records?page=${page}`)).json();
    records.push(...answer.records);
    if (records.length >= answer.total || answer.records.length === 0) return records;
  }
}

/** A record's details as staff see them (for its mobile number and address). */
async function recordDetail(staff: Page, id: string) {
  return (await (await staff.request.get(`/api/v1/staff/records/${id}`)).json()).record;
}

/**
 * Records only the Respiratory Clinic holds, not registered, and not a
 * professional's own, with what the channel needs: a postal address for
 * letters, a mobile number for texts. `skip` leaves out those already used.
 */
async function respiratoryOnly(
  jordan: Page,
  count: number,
  needs: 'postcode' | 'mobile',
  skip: string[] = [],
): Promise<RecordRow[]> {
  const teams = (await (await jordan.request.get('/api/v1/staff/teams')).json()).teams;
  const respiratory = teams.find((t: { slug: string }) => t.slug === 'respiratory');
  // Jordan is not in the Diabetes Clinic: its records are the ones Jordan
  // cannot open.
  const found: RecordRow[] = [];
  for (const record of await allRecords(jordan, respiratory.id)) {
    if (found.length === count) break;
    if (skip.includes(record.id) || ['Okafor', 'Hughes'].includes(record.family_name)) continue;
    const detail = await (await jordan.request.get(`/api/v1/staff/records/${record.id}`)).json();
    const onlyHere = detail.teams.length === 1;
    if (onlyHere && detail.registration === 'not_invited' && detail.record[needs]) found.push(record);
  }
  expect(found, `${count} Respiratory-only records with a ${needs}`).toHaveLength(count);
  return found;
}

/** A valid NHS number of the 999 test range that no demo record has. */
function strangerNhsNumber(): string {
  for (let stem = 999_890_000; ; stem++) {
    const digits = String(stem).split('').map(Number);
    const check = (11 - (digits.reduce((acc, d, i) => acc + d * (10 - i), 0) % 11)) % 11;
    if (check !== 10) return digits.join('') + check;
  }
}

function csvOf(numbers: string[]): { name: string; mimeType: string; buffer: Buffer } {
  return { name: 'cohort.csv', mimeType: 'text/csv', buffer: Buffer.from(['nhs_number', ...numbers].join('\n') + '\n') };
}

/** From the team page: campaigns, then the new-campaign form. */
async function openNewCampaign(jordan: Page) {
  await jordan.goto('/staff');
  await jordan.getByRole('link', { name: 'Respiratory Clinic' }).click();
  await expect(heading(jordan)).toHaveText('Respiratory Clinic');
  await jordan.getByRole('link', { name: 'Campaigns', exact: true }).click();
  await expect(heading(jordan)).toContainText('Campaigns');
  await jordan.getByRole('button', { name: 'Start a new campaign' }).click();
  await expect(heading(jordan)).toContainText('Start a campaign');
}

/** Waits on the campaign page for the campaign to finish, with all `total` records worked through. */
async function waitUntilFinished(jordan: Page, total: number) {
  await expect(jordan.locator('main .nhsuk-tag').first()).toHaveText('Finished', { timeout: 60_000 });
  const bar = jordan.getByRole('progressbar', { name: 'Records worked through' });
  await expect(bar).toHaveAttribute('value', String(total));
  await expect(bar).toHaveAttribute('max', String(total));
  await expect(jordan.locator('main p', { hasText: new RegExp(`^${total} of ${total} records$`) })).toBeVisible();
}

/** The patient's code on their page of the batch PDF (pages are split by form feeds). */
function codeFor(pdfText: string, record: RecordRow): string {
  const page = pdfText.split('\f').find((p) => p.includes(`${record.given_name} ${record.family_name}`));
  expect(page, `a letter to ${record.given_name} ${record.family_name}`).toBeDefined();
  return page!.match(/\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/)![0];
}

/** A patient registers on a phone with a code and their date of birth. */
async function registerWithCode(browser: Browser, code: string, record: RecordRow, email: string) {
  const page = await phone(browser);
  await page.goto('/register');
  await page.getByLabel('Registration code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
  const [year, month, day] = record.date_of_birth.split('-');
  await enterDateOfBirth(page, { day: String(Number(day)), month: String(Number(month)), year });
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send the email' }).click();
  const mail = await waitForMail(email, 'Confirm your email address');
  await page.getByLabel('Code from the email').fill(sixDigits(mail.body));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(heading(page)).toHaveText('Choose a password');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('I accept the terms of use').check();
  await page.getByRole('button', { name: 'Create your account' }).click();
  await expect(heading(page)).toHaveText('Your record');
  await checkPage(page, 'campaigns-6-patient-registered');
}

test('a letter campaign over a list of NHS numbers is printed, and a code from its PDF registers the patient', async ({ browser }) => {
  test.setTimeout(180_000);
  const jordan = await phone(browser);
  await signInStaff(jordan, JORDAN);
  const cohort = await respiratoryOnly(jordan, 3, 'postcode');
  const stranger = strangerNhsNumber();
  const name = 'Spring letters, listed patients';

  await test.step('the form says what is missing, then counts the cohort before anything is sent', async () => {
    await openNewCampaign(jordan);
    await checkPage(jordan, 'campaigns-1-new');
    await jordan.getByRole('button', { name: 'Count the cohort' }).click();
    await expect(summary(jordan)).toContainText('Select how the invitations are sent');
    await expect(summary(jordan)).toContainText('Select who to invite');
    await checkPage(jordan, 'campaigns-1-new-errors');

    await jordan.getByLabel('Name of the campaign').fill(name);
    await jordan.getByLabel('Letters to print').check();
    await jordan.getByLabel('Never invited').check();
    // The stranger is on row 3 of the file (row 1 is the header).
    const numbers = [cohort[0].nhs_number, stranger, cohort[1].nhs_number, cohort[2].nhs_number];
    await jordan.getByLabel('Only these NHS numbers (optional)').setInputFiles(csvOf(numbers));
    await jordan.getByRole('button', { name: 'Count the cohort' }).click();
    await expect(jordan.getByRole('heading', { name: 'Who this campaign will invite' })).toBeFocused();
    await expect(jordan.getByText('Your file lists 4 NHS numbers.')).toBeVisible();
    await expect(jordan.getByText('1 NHS number is not in this team')).toBeVisible();
    await expect(jordan.getByText(/left out: row 3 of your file/)).toBeVisible();
    await expect(jordan.getByText('3 records match')).toBeVisible();
    await expect(jordan.getByText('3 patients will be invited')).toBeVisible();
    await checkPage(jordan, 'campaigns-2-counted');
  });

  let pdfText = '';
  await test.step('Jordan starts it and watches it finish; the batch PDF holds one letter each', async () => {
    await jordan.getByRole('button', { name: 'Start the campaign' }).click();
    await expect(heading(jordan)).toContainText(name);
    await expect(jordan.getByRole('progressbar', { name: 'Records worked through' })).toBeVisible();
    await waitUntilFinished(jordan, 3);
    await expect(jordan.getByRole('button', { name: 'Pause the campaign' })).toHaveCount(0);
    await checkPage(jordan, 'campaigns-3-finished');

    const [download] = await Promise.all([
      jordan.waitForEvent('download'),
      jordan.getByRole('link', { name: /Download letters \(PDF\)/ }).first().click(),
    ]);
    const file = test.info().outputPath('letters.pdf');
    await download.saveAs(file);
    expect(execFileSync('pdfinfo', [file]).toString()).toMatch(/Pages:\s+3\s/);
    pdfText = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-singlefile', file, 'test-results/screens/campaigns-4-letter']);
    // The page shows the batch as downloaded once it asks again.
    await expect(jordan.getByRole('cell', { name: /Not yet/ })).toHaveCount(0, { timeout: 10_000 });

    const [manifest] = await Promise.all([
      jordan.waitForEvent('download'),
      jordan.getByRole('link', { name: /Download manifest \(CSV\)/ }).first().click(),
    ]);
    const manifestFile = test.info().outputPath('manifest.csv');
    await manifest.saveAs(manifestFile);
    const lines = readFileSync(manifestFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4); // a header and three letters

    await jordan.setViewportSize(DESKTOP);
    await snap(jordan, 'campaigns-3-finished-desktop');
    await jordan.setViewportSize({ width: 320, height: 700 });
  });

  await test.step('a patient types the code from their letter on a phone and registers', async () => {
    await registerWithCode(browser, codeFor(pdfText, cohort[0]), cohort[0], 'campaign.letter@example.com');
  });

  await test.step('the campaign is listed, and the uptake report shows the registration', async () => {
    await jordan.getByRole('link', { name: "Back to the team's campaigns" }).click();
    await expect(jordan.getByRole('link', { name })).toBeVisible();
    await expect(jordan.getByRole('row').filter({ hasText: name })).toContainText('3 of 3 records');
    await checkPage(jordan, 'campaigns-5-list');

    await jordan.getByRole('link', { name: /uptake report/ }).click();
    await expect(heading(jordan)).toContainText('Uptake report');
    const letters = jordan.getByRole('row').filter({ hasText: 'Letter' });
    await expect(letters.getByRole('cell')).toHaveText([/Letter$/, /3$/, /1$/, /1$/, /33\.3%$/, /Under an hour$/]);
    await expect(jordan.getByRole('img', { name: 'Patients invited, opened and registered, by channel' })).toBeVisible();
    await checkPage(jordan, 'campaigns-7-uptake');
    await jordan.setViewportSize(DESKTOP);
    await snap(jordan, 'campaigns-7-uptake-desktop');

    const [download] = await Promise.all([
      jordan.waitForEvent('download'),
      jordan.getByRole('link', { name: 'Download as CSV' }).click(),
    ]);
    const csv = test.info().outputPath('uptake.csv');
    await download.saveAs(csv);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('team_id,team_name,channel,invited,opened,registered,conversion_percent,median_hours_to_register');
    expect(rows.some((r) => r.endsWith(',Respiratory Clinic,letter,3,1,1,33.3,0'))).toBe(true);
  });
});

test('a text-message campaign goes through GOV.UK Notify with a code for each patient', async ({ browser }) => {
  test.setTimeout(120_000);
  const jordan = await phone(browser);
  await signInStaff(jordan, JORDAN);
  const cohort = await respiratoryOnly(jordan, 2, 'mobile');
  const name = 'Texts to listed patients';

  await test.step('Jordan counts a cohort of two and starts the campaign', async () => {
    await openNewCampaign(jordan);
    await jordan.getByLabel('Name of the campaign').fill(name);
    await jordan.getByLabel('Text messages').check();
    await jordan.getByLabel('Not registered', { exact: true }).check();
    await jordan.getByLabel('Only these NHS numbers (optional)').setInputFiles(csvOf(cohort.map((r) => r.nhs_number)));
    await jordan.getByRole('button', { name: 'Count the cohort' }).click();
    await expect(jordan.getByText('2 patients will be invited')).toBeVisible();
    await jordan.getByRole('button', { name: 'Start the campaign' }).click();
    await expect(heading(jordan)).toContainText(name);
    await waitUntilFinished(jordan, 2);
    await checkPage(jordan, 'campaigns-8-texts-finished');
  });

  await test.step('Notify received a text for each, with a JWT that passes its check and a code in a link', async () => {
    for (const record of cohort) {
      const { mobile } = await recordDetail(jordan, record.id);
      const text = await waitForText(mobile);
      expect(text.jwt_valid).toBe(true);
      const code: string = text.body.personalisation.code;
      expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(text.body.personalisation.link).toContain(`/register?code=${code}`);
    }
  });
});

test('a running campaign is followed live, and paused, resumed and cancelled from its page', async ({ browser }) => {
  // A campaign of a few records finishes before the page can watch it run,
  // so this journey stages the campaign API's answers for a large one.
  const jordan = await phone(browser);
  await signInStaff(jordan, JORDAN);
  const teams = (await (await jordan.request.get('/api/v1/staff/teams')).json()).teams;
  const respiratory = teams.find((t: { slug: string }) => t.slug === 'respiratory');
  const progress = {
    total: 5000, processed: 1234, issued: 1200, skipped_excluded: 4, skipped_registered: 20, skipped_no_contact: 10,
    sent: 1100, delivered: 900, failed: 12, waiting: 88, per_minute: 300,
  };
  const staged = {
    campaign: {
      id: 'staged', team_id: respiratory.id, name: 'Staged texts', channel: 'sms', kind: 'invitation', state: 'running',
      created_by: 'Jordan Hughes', created_at: '2026-11-27T09:00:00.000000Z', finished_at: null, progress,
    },
    cohort: ['Not registered', 'With a mobile phone number'],
    failures: [{ reason: 'The mobile number does not exist', count: 12 }],
    batches: [],
  };
  let reads = 0;
  await jordan.route('**/api/v1/staff/campaigns/staged', (route) => {
    reads++;
    return route.fulfill({ json: staged });
  });
  const actions: string[] = [];
  await jordan.route('**/api/v1/staff/campaigns/staged/*', (route) => {
    const action = route.request().url().split('/').pop()!;
    actions.push(action);
    staged.campaign.state = { pause: 'paused', resume: 'running', cancel: 'cancelled' }[action]!;
    return route.fulfill({ json: staged });
  });
  const tag = jordan.locator('main .nhsuk-tag').first();

  await test.step('the page asks every 2 seconds while it runs, and shows the numbers as they move', async () => {
    await jordan.goto('/staff/campaigns/staged');
    await expect(heading(jordan)).toContainText('Staged texts');
    await expect(jordan.locator('main p', { hasText: /^1,234 of 5,000 records$/ })).toBeVisible();
    await expect(jordan.getByRole('row', { name: /The mobile number does not exist/ })).toBeVisible();
    await checkPage(jordan, 'campaigns-9-running');
    await jordan.setViewportSize(DESKTOP);
    await snap(jordan, 'campaigns-9-running-desktop');
    await jordan.setViewportSize({ width: 320, height: 700 });
    progress.processed = 2500;
    await expect(jordan.locator('main p', { hasText: /^2,500 of 5,000 records$/ })).toBeVisible({ timeout: 5_000 });
    await expect(jordan.getByRole('progressbar', { name: 'Records worked through' })).toHaveAttribute('value', '2500');
  });

  await test.step('paused, it stops asking; resumed, it asks again', async () => {
    await jordan.getByRole('button', { name: 'Pause the campaign' }).click();
    await expect(tag).toHaveText('Paused');
    expect(actions).toEqual(['pause']);
    const whenPaused = reads;
    await jordan.waitForTimeout(5_000);
    expect(reads).toBe(whenPaused);
    await checkPage(jordan, 'campaigns-10-paused');
    await jordan.getByRole('button', { name: 'Resume the campaign' }).click();
    await expect(tag).toHaveText('Running');
    await expect.poll(() => reads, { timeout: 5_000 }).toBeGreaterThan(whenPaused + 1);
  });

  await test.step('cancelling asks first; "no" keeps it running, "yes" cancels it', async () => {
    await jordan.getByRole('button', { name: 'Cancel the campaign' }).click();
    const question = jordan.getByRole('heading', { name: /Cancel this campaign\?/ });
    await expect(question).toBeFocused();
    await checkPage(jordan, 'campaigns-11-cancel-question');
    await jordan.getByRole('button', { name: 'No, keep it' }).click();
    await expect(question).toBeHidden();
    expect(actions).toEqual(['pause', 'resume']);
    await jordan.getByRole('button', { name: 'Cancel the campaign' }).click();
    await jordan.getByRole('button', { name: 'Yes, cancel the campaign' }).click();
    await expect(tag).toHaveText('Cancelled');
    await expect(jordan.getByRole('button', { name: /campaign/ })).toHaveCount(0);
    expect(actions).toEqual(['pause', 'resume', 'cancel']);
  });

  await test.step('a page left stops asking', async () => {
    staged.campaign.state = 'running';
    await jordan.reload();
    await expect(tag).toHaveText('Running');
    await jordan.getByRole('link', { name: "Back to the team's campaigns" }).click();
    await expect(heading(jordan)).toContainText('Campaigns');
    const whenLeft = reads;
    await jordan.waitForTimeout(4_500);
    expect(reads).toBe(whenLeft);
  });
});

test('a family sharing one mobile: staff are warned, and each text names its own patient', async ({ browser }) => {
  test.setTimeout(120_000);
  const jordan = await phone(browser);
  await signInStaff(jordan, JORDAN);
  // The last two of a dozen, so the other journeys' first picks stay theirs.
  const family = (await respiratoryOnly(jordan, 12, 'mobile')).slice(-2);
  const shared: string = (await recordDetail(jordan, family[0].id)).mobile;
  // Feeds set contact details; here the test stands in for one giving both the parent's mobile.
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', sharedDatabase(),
    `UPDATE records SET mobile = '${shared}' WHERE id = '${family[1].id}'`]);
  const name = 'Texts to a family';

  await test.step('counting the cohort warns that two patients share one mobile number', async () => {
    await openNewCampaign(jordan);
    await jordan.getByLabel('Name of the campaign').fill(name);
    await jordan.getByLabel('Text messages').check();
    await jordan.getByLabel('Not registered', { exact: true }).check();
    await jordan.getByLabel('Only these NHS numbers (optional)').setInputFiles(csvOf(family.map((r) => r.nhs_number)));
    await jordan.getByRole('button', { name: 'Count the cohort' }).click();
    await expect(jordan.getByText('2 patients will be invited')).toBeVisible();
    const warning = jordan.locator('.nhsuk-warning-callout', { hasText: '2 patients share 1 mobile number' });
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('names whom it is for');
    await checkPage(jordan, 'campaigns-9-shared-mobile');
    await jordan.getByRole('button', { name: 'Start the campaign' }).click();
    await expect(heading(jordan)).toContainText(name);
    await waitUntilFinished(jordan, 2);
  });

  await test.step('the phone gets two texts, each naming its patient, each code its own', async () => {
    let texts: { body: any }[] = [];
    await expect
      .poll(() => {
        texts = notifyRequests().filter(
          (r) => r.path === '/v2/notifications/sms' && r.status === 201 && r.body?.phone_number === shared,
        );
        return texts.length;
      }, { timeout: 10_000 })
      .toBe(2);
    const named = family.map((r) => `${r.given_name} ${r.family_name[0].toUpperCase()}.`).sort();
    expect(texts.map((t) => t.body.personalisation.name).sort()).toEqual(named);
    expect(new Set(texts.map((t) => t.body.personalisation.code)).size).toBe(2);
  });
});
