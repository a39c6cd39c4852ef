// Journey: a safeguarding lead opens a patient's record on a phone, excludes
// it from invitations (after first sending the form empty), sees the flag,
// and lifts it again; a receptionist opening the same record while it is
// excluded sees neither the flag nor the forms.
import { test, expect, type Page } from '@playwright/test';
import { checkPage, heading, phone, signInStaff as signIn, summary } from './support';

const MORGAN = 'morgan.reid@demo.portico.example';
const SAM = 'sam.okafor@demo.portico.example';
const PATIENT = 'Olivia Smith';

const flag = (page: Page) => page.locator('.nhsuk-card--warning');

test('a safeguarding lead excludes a record and lifts it; a receptionist never sees the flag', async ({ browser }) => {
  const morgan = await phone(browser);
  let recordUrl = '';

  await test.step('Morgan finds the patient and opens the record', async () => {
    await signIn(morgan, MORGAN);
    await morgan.getByRole('link', { name: 'Diabetes Clinic' }).click();
    await morgan.getByLabel('Search records').fill(PATIENT);
    await morgan.getByRole('button', { name: 'Search' }).click();
    await expect(morgan.getByText(`1 record found for ‘${PATIENT}’`)).toBeVisible();
    await morgan.getByRole('link', { name: 'Smith, Olivia' }).click();
    await expect(morgan).toHaveURL(/\/staff\/records\/[^?]+\?team=.+&q=Olivia%20Smith$/);
    await expect(heading(morgan)).toHaveText(`Patient record – ${PATIENT}`);
    recordUrl = morgan.url();
  });

  await test.step('the record shows details, registration, teams, entries and history', async () => {
    const details = morgan.locator('.nhsuk-card', { has: morgan.getByRole('heading', { name: 'Details' }) });
    await expect(details.locator('dd').nth(1)).toHaveText(/^999 \d{3} \d{4}$/);
    await expect(details.locator('dd').nth(2)).toHaveText(/^\d{1,2} [A-Z][a-z]+ \d{4} \((aged \d+|under 1 year old)\)$/);
    await expect(details).toContainText('12 Station Road');
    await expect(details).toContainText('ODS code B86001');
    // Olivia Smith is the demo patient who has registered.
    await expect(morgan.getByText('Registered', { exact: true })).toBeVisible();
    await expect(morgan.getByRole('listitem').filter({ hasText: /^(Diabetes|Respiratory) Clinic$/ })).toHaveText([
      'Diabetes Clinic',
      'Respiratory Clinic',
    ]);
    await expect(morgan.locator('.portico-timeline h3')).toHaveText(['Diabetes clinic', 'HbA1c', 'Clinic letter']);
    await expect(morgan.locator('.portico-timeline .nhsuk-tag')).toHaveText(['Appointment', 'Test result', 'Letter']);
    const versions = morgan.locator('table', { hasText: 'Changed by' }).locator('tbody tr');
    await expect(versions).toHaveCount(2);
    await expect(versions.nth(0)).toContainText('CSV upload by Dr Asha Patel');
    await expect(versions.nth(0)).toContainText('Address, postcode and GP practice');
    await expect(versions.nth(1)).toContainText('HL7 from DEMO-PAS');
    await expect(versions.nth(1)).toContainText('Record created');
    await expect(flag(morgan)).toHaveCount(0);
    await checkPage(morgan, '11-record-320');
  });

  await test.step('sending the exclusion form empty lists both missing answers', async () => {
    await expect(morgan.getByRole('heading', { name: 'Exclude from invitations' })).toBeVisible();
    const count = morgan.locator('.nhsuk-character-count__status');
    await expect(count).toHaveText('You have 2,000 characters remaining');
    await morgan.getByRole('button', { name: 'Exclude this record' }).click();
    await expect(summary(morgan)).toBeFocused();
    await expect(morgan).toHaveTitle(/^Error: /);
    const links = summary(morgan).getByRole('link');
    await expect(links).toHaveText(['Choose a reason for the exclusion', 'Enter a note explaining the decision']);
    await expect(morgan.locator('#reason-error')).toContainText('Choose a reason for the exclusion');
    await checkPage(morgan, '12-exclusion-errors-320');
  });

  await test.step('the form is completed from the keyboard, and the flag shows', async () => {
    await summary(morgan).getByRole('link', { name: 'Choose a reason for the exclusion' }).click();
    await expect(morgan.getByLabel('Safeguarding concern')).toBeFocused();
    await morgan.keyboard.press('Space');
    await expect(morgan.getByLabel('Safeguarding concern')).toBeChecked();
    await morgan.keyboard.press('Tab');
    await expect(morgan.getByLabel('Note', { exact: true })).toBeFocused();
    await morgan.keyboard.type('Concern raised at clinic on 24 November.\nReview at the next safeguarding meeting.');
    await expect(morgan.locator('.nhsuk-character-count__status')).toHaveText('You have 1,919 characters remaining');
    // Said to screen readers once typing pauses, not at every key.
    await expect(morgan.locator('.nhsuk-character-count__sr-status')).toHaveText('You have 1,919 characters remaining');
    await morgan.keyboard.press('Tab');
    await expect(morgan.getByRole('button', { name: 'Exclude this record' })).toBeFocused();
    await morgan.keyboard.press('Enter');

    await expect(morgan.getByText('This record is now excluded from invitations.')).toBeVisible();
    await expect(heading(morgan)).toBeFocused();
    await expect(morgan).not.toHaveTitle(/^Error: /);
    await expect(flag(morgan)).toContainText('Excluded from invitations');
    await expect(flag(morgan)).toContainText('Safeguarding concern');
    await expect(flag(morgan)).toContainText('Review at the next safeguarding meeting.');
    await expect(flag(morgan)).toContainText(/Morgan Reid on \d{1,2} [A-Z][a-z]+ \d{4} at /);
    await expect(morgan.getByText('Excluded', { exact: true })).toBeVisible();
    await expect(morgan.getByRole('heading', { name: 'Exclude from invitations' })).toHaveCount(0);
    await expect(morgan.getByRole('heading', { name: 'Lift the exclusion' })).toBeVisible();
    await checkPage(morgan, '13-excluded-320');
  });

  await test.step('Sam, a receptionist, opens the same record and sees no flag and no exclusion form', async () => {
    const sam = await phone(browser);
    await signIn(sam, SAM);
    await sam.goto(recordUrl);
    await expect(heading(sam)).toHaveText(`Patient record – ${PATIENT}`);
    await expect(sam.locator('.portico-timeline h3')).toHaveCount(3);
    await expect(flag(sam)).toHaveCount(0);
    await expect(sam.getByText(/excluded/i)).toHaveCount(0);
    await expect(sam.getByRole('heading', { name: 'Exclude from invitations' })).toHaveCount(0);
    await expect(sam.getByRole('button', { name: /exclu/i })).toHaveCount(0);
    await checkPage(sam, '14-receptionist-320');
    await sam.context().close();
  });

  await test.step('lifting needs a note; once lifted, the flag is gone and the first form is back', async () => {
    await morgan.getByRole('button', { name: 'Lift the exclusion' }).click();
    await expect(summary(morgan)).toBeFocused();
    await expect(summary(morgan).getByRole('link')).toHaveText(['Enter a note explaining the decision']);
    await summary(morgan).getByRole('link').click();
    await expect(morgan.getByLabel('Why is the exclusion being lifted?')).toBeFocused();
    await morgan.keyboard.type('Reviewed with social care: no longer needed.');
    await morgan.getByRole('button', { name: 'Lift the exclusion' }).click();

    await expect(morgan.getByText('The exclusion has been lifted.', { exact: false })).toBeVisible();
    await expect(heading(morgan)).toBeFocused();
    await expect(flag(morgan)).toHaveCount(0);
    await expect(summary(morgan)).toHaveCount(0);
    await expect(morgan.getByRole('heading', { name: 'Exclude from invitations' })).toBeVisible();
    await checkPage(morgan, '15-lifted-320');
  });

  await test.step('the back link returns to the same search', async () => {
    await morgan.getByRole('link', { name: 'Back to search results' }).click();
    await expect(morgan).toHaveURL(/\/staff\/teams\/[^?]+\?q=Olivia%20Smith$/);
    await expect(morgan.getByLabel('Search records')).toHaveValue(PATIENT);
    await expect(morgan.getByRole('link', { name: 'Smith, Olivia' })).toBeVisible();
  });
  await morgan.context().close();
});

test('a record that is missing, or of no team of theirs, is not found in plain words', async ({ browser }) => {
  const page = await phone(browser);
  await signIn(page, SAM);
  await page.goto('/staff/records/no-such-record');
  await expect(heading(page)).toHaveText('Record not found');
  await expect(page.getByText('not in any of your teams')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to your teams' })).toBeVisible();
  await checkPage(page, '16-record-not-found-320');
  await page.context().close();
});
