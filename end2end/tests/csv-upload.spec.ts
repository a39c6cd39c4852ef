// Journey: a team admin uploads a CSV of patients on a phone. The form says
// at once what it can (no file, not a CSV); the server refuses a file with a
// missing and an unknown column; a file with good and bad rows is previewed
// with every bad row named by row, column and why, and only the good rows
// are imported. The same file again is flagged as already imported and
// discarded. A receptionist cannot upload.
import { test, expect } from '@playwright/test';
import { checkPage, heading, phone, signInStaff as signIn, summary } from './support';

const ASHA = 'asha.patel@demo.portico.example';
const SAM = 'sam.okafor@demo.portico.example';

/// A valid test NHS number (the 999 range) from a nine-digit stem, or
/// nothing for a stem whose check digit would be 10.
function nhs(stem: number): string | null {
  const digits = String(stem).padStart(9, '0').split('').map(Number);
  const sum = digits.reduce((acc, d, i) => acc + d * (10 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? null : digits.join('') + check;
}

/// Valid numbers no demo record has (the demo counts up from 999 000 000).
function numbers(count: number): string[] {
  const found: string[] = [];
  for (let stem = 999_870_000; found.length < count; stem++) {
    const n = nhs(stem);
    if (n) found.push(n);
  }
  return found;
}

const [N1, N2, N3, N4] = numbers(4);
// Row 1 is the header: the preview names rows 2 and 7 (the same NHS number),
// 3 (not a valid NHS number) and 5 (an impossible date); rows 4 and 6 go in.
const MIXED = [
  'NHS Number,Given name,Family name,Date of birth,Email,Postcode',
  `${N1},Quilla,Varga,1971-04-12,quilla.varga@example.com,LS1 4AP`,
  '1234567890,Rhys,Varga,02/03/1980,,LS1 4AP',
  `${N2},Tomasz,Varga,1990-06-30,,LS2 7EY`,
  `${N3},Ulla,Varga,31/02/1985,,LS2 7EY`,
  `${N4},Wren,Varga,2001-11-05,,`,
  `${N1},Quilla,Varga-Smith,1971-04-12,,LS1 4AP`,
].join('\r\n') + '\r\n';

const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

test('a team admin previews a CSV, sees every bad row, and imports only the good ones', async ({ browser }) => {
  const asha = await phone(browser);
  let uploadUrl = '';

  await test.step('Asha goes from her team to the upload page', async () => {
    await signIn(asha, ASHA);
    await asha.getByRole('link', { name: 'Diabetes Clinic' }).click();
    await asha.getByRole('link', { name: 'Upload patients from a CSV file' }).click();
    await expect(heading(asha)).toHaveText('Diabetes Clinic – Upload patients');
    uploadUrl = asha.url();
    await asha.getByText('What the file must contain').click();
    await expect(asha.getByRole('link', { name: 'Download a template CSV file' })).toBeVisible();
    await checkPage(asha, 'csv-upload-1-form');
  });

  await test.step('the form checks the choice before sending it', async () => {
    await asha.getByRole('button', { name: 'Check the file' }).click();
    await expect(summary(asha)).toBeFocused();
    await expect(summary(asha)).toContainText('Select a CSV file of patients');
    await expect(asha).toHaveTitle(/^Error: /);

    await asha.getByLabel('Choose a CSV file').setInputFiles(csv('patients.xlsx', MIXED));
    await asha.getByRole('button', { name: 'Check the file' }).click();
    await expect(summary(asha)).toContainText('The selected file must be a CSV');
    await summary(asha).getByRole('link', { name: 'The selected file must be a CSV' }).click();
    await expect(asha.getByLabel('Choose a CSV file')).toBeFocused();
  });

  await test.step('a file with a missing and an unknown column is refused with both reasons', async () => {
    const wrong = 'nhs_number,given_name,family_name,favourite_colour\r\n' + `${N1},Quilla,Varga,green\r\n`;
    await asha.getByLabel('Choose a CSV file').setInputFiles(csv('wrong.csv', wrong));
    await asha.getByRole('button', { name: 'Check the file' }).click();
    await expect(summary(asha)).toBeFocused();
    await expect(summary(asha)).toContainText('date_of_birth');
    await expect(summary(asha)).toContainText('favourite_colour');
    await expect(asha.locator('#file-error')).toBeVisible();
    await checkPage(asha, 'csv-upload-2-refused');
  });

  await test.step('a file with bad rows is previewed: each bad row by row, column and why', async () => {
    await asha.getByLabel('Choose a CSV file').setInputFiles(csv('clinic-list.csv', MIXED));
    await asha.getByRole('button', { name: 'Check the file' }).click();
    await expect(heading(asha)).toHaveText('Upload patients – Check the file before importing');
    await expect(asha).toHaveURL(/\/staff\/teams\/[^/]+\/imports\/[^/?]+$/);
    const facts = asha.locator('dl.nhsuk-summary-list');
    await expect(facts).toContainText('clinic-list.csv');
    await expect(facts).toContainText('6 rows');
    await expect(facts).toContainText('2 patients');
    await expect(asha.getByRole('heading', { name: '4 rows have problems' })).toBeVisible();
    const problems = asha.locator('table', { hasText: 'Problem' }).locator('tbody tr');
    await expect(problems).toHaveCount(4);
    const cells = (n: number) => problems.nth(n).locator('td');
    await expect(cells(0).nth(0)).toHaveText(/Row\s+2$/);
    await expect(cells(0).nth(2)).toContainText('also on row 7');
    await expect(cells(1).nth(0)).toHaveText(/Row\s+3$/);
    await expect(cells(1).nth(1)).toHaveText(/NHS Number$/);
    await expect(cells(2).nth(0)).toHaveText(/Row\s+5$/);
    await expect(cells(2).nth(1)).toHaveText(/Date of birth$/);
    await expect(cells(3).nth(0)).toHaveText(/Row\s+7$/);
    await expect(cells(3).nth(2)).toContainText('also on row 2');
    await checkPage(asha, 'csv-upload-3-preview');
  });

  await test.step('importing writes the good rows and says what changed', async () => {
    await asha.getByRole('button', { name: 'Import 2 patients' }).click();
    await expect(heading(asha)).toHaveText('Upload patients – Patients imported', { timeout: 15_000 });
    await expect(heading(asha)).toBeFocused();
    await expect(asha.locator('.nhsuk-panel')).toContainText('2 new records');
    await checkPage(asha, 'csv-upload-4-imported');
  });

  await test.step('the new records are in the team, with the upload in their history', async () => {
    await asha.getByRole('link', { name: "Go to the team's records" }).click();
    await asha.getByLabel('Search records').fill('Varga');
    await asha.getByRole('button', { name: 'Search' }).click();
    await expect(asha.getByText('2 records found for ‘Varga’')).toBeVisible();
    await asha.getByRole('link', { name: 'Varga, Tomasz' }).click();
    await expect(heading(asha)).toHaveText('Patient record – Tomasz Varga');
    await expect(asha.locator('table', { hasText: 'Changed by' })).toContainText('CSV upload by Dr Asha Patel');
  });

  await test.step('the same file again is flagged as imported, and discarded', async () => {
    await asha.goto(uploadUrl);
    await asha.getByLabel('Choose a CSV file').setInputFiles(csv('clinic-list.csv', MIXED));
    await asha.getByRole('button', { name: 'Check the file' }).click();
    await expect(heading(asha)).toHaveText('Upload patients – Check the file before importing');
    await expect(asha.locator('.nhsuk-inset-text')).toContainText('This same file was imported on');
    await asha.getByRole('button', { name: 'Discard this upload' }).click();
    await expect(heading(asha)).toHaveText('Upload patients – Upload discarded');
    await expect(asha.getByText('Nothing in this file was imported.')).toBeVisible();
  });
});

test('a receptionist is told that only a team admin can upload patients', async ({ browser }) => {
  const asha = await phone(browser);
  await signIn(asha, ASHA);
  await asha.getByRole('link', { name: 'Diabetes Clinic' }).click();
  const teamUrl = new URL(asha.url());

  const sam = await phone(browser);
  await signIn(sam, SAM);
  await sam.getByRole('link', { name: 'Diabetes Clinic' }).click();
  await expect(sam.getByLabel('Search records')).toBeVisible();
  await expect(sam.getByRole('link', { name: 'Upload patients from a CSV file' })).toHaveCount(0);
  await sam.goto(`${teamUrl.pathname}/upload`);
  await expect(heading(sam)).toHaveText('Only a team admin can upload patients');
});
