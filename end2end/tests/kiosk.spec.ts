// Journey: kiosk check-in at the clinic. Sam, a receptionist of the
// Respiratory Clinic, sets up a tablet in the waiting room as the team's
// kiosk. A patient checks in on it (date of birth and surname), chooses a
// code on the screen, and registers with that code on their own phone. The
// kiosk starts again by itself after a minute without a touch, sends someone
// who keeps giving a wrong date of birth to reception, and once Sam revokes
// it, says it has been switched off.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { maildir, sixDigits, waitForMail } from './mail';
import { type Patient, PHONE, checkPage, enterDateOfBirth, heading, phone, signInStaff, summary } from './support';

const SAM = 'sam.okafor@demo.portico.example';
const PASSWORD = 'mango river lantern';
const KIOSK_NAME = 'Waiting room, level 2';
/** A tablet on the waiting room's wall, held landscape. */
const TABLET = { width: 1024, height: 768 };

test.skip(!maildir(), 'needs the SMTP server the default run starts (PORTICO_E2E_MAILDIR)');

/**
 * A Respiratory Clinic record no other journey uses: the other journeys take
 * Diabetes Clinic records and the professionals' own, so the last record in
 * the Respiratory Clinic alone.
 */
async function respiratoryOnlyRecord(staff: Page): Promise<Patient> {
  const teams = (await (await staff.request.get('/api/v1/staff/teams')).json()).teams;
  const records = async (slug: string) => {
    const team = teams.find((t: { slug: string }) => t.slug === slug);
    const all = [];
    for (let page = 1; ; page++) {
      const answer = await (await staff.request.get(`/api/v1/staff/teams/${team.id}/records?page=${page}`)).json();
      all.push(...answer.records);
      if (page * answer.page_size >= answer.total) return all;
    }
  };
  const diabetes = new Set((await records('diabetes')).map((r: { id: string }) => r.id));
  const professionals = ['Okafor', 'Hughes'];
  const candidates = (await records('respiratory')).filter(
    (r: { id: string; family_name: string }) => !diabetes.has(r.id) && !professionals.includes(r.family_name),
  );
  const record = candidates[candidates.length - 1];
  const [year, month, day] = record.date_of_birth.split('-');
  return {
    id: record.id,
    given: record.given_name,
    family: record.family_name,
    dob: { day: String(Number(day)), month: String(Number(month)), year },
  };
}

/** Sam on the tablet, and the team page of the Respiratory Clinic. */
async function samOnTheTablet(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: TABLET });
  const tablet = await context.newPage();
  await signInStaff(tablet, SAM);
  return tablet;
}

/** The team page's section about kiosks. */
const kiosks = (page: Page) => page.locator('section[aria-labelledby="kiosks"]');

async function openRespiratory(page: Page) {
  await page.getByRole('link', { name: 'Respiratory Clinic' }).click();
  await expect(heading(page)).toHaveText('Respiratory Clinic');
}

/** On the kiosk: from the start page to the surname, with this date of birth. */
async function checkIn(kiosk: Page, dob: Patient['dob'], surname: string) {
  await kiosk.getByRole('button', { name: 'Check in', exact: true }).click();
  await expect(heading(kiosk)).toHaveText('What is your date of birth?');
  await enterDateOfBirth(kiosk, dob);
  await expect(heading(kiosk)).toHaveText('Confirm who you are');
  await kiosk.getByLabel('Your surname').fill(surname);
  await kiosk.getByRole('button', { name: 'Continue' }).click();
}

test('a receptionist sets up a kiosk; a patient checks in, gets a code on the screen and registers on their phone', async ({ browser }) => {
  test.setTimeout(180_000); // one long journey: a kiosk's whole day
  const kiosk = await samOnTheTablet(browser);
  const patient = await respiratoryOnlyRecord(kiosk);
  let code = '';

  await test.step('Sam sets the tablet up as the team\'s kiosk, from the team page', async () => {
    await openRespiratory(kiosk);
    await expect(kiosk.getByRole('heading', { name: 'Kiosks' })).toBeVisible();
    await kiosk.getByRole('button', { name: 'Set up this device as a kiosk' }).click();
    await expect(summary(kiosk)).toContainText('Enter a name for this kiosk');
    await checkPage(kiosk, 'kiosk-1-team-page-name-missing');
    await kiosks(kiosk).screenshot({ path: 'test-results/screens/kiosk-1b-section.png' });
    await kiosk.getByLabel('Name of this kiosk').fill(KIOSK_NAME);
    await kiosk.getByRole('button', { name: 'Set up this device as a kiosk' }).click();
    await expect(heading(kiosk)).toHaveText('Check in for your appointment');
    await expect(kiosk.getByText('Respiratory Clinic')).toBeVisible();
    // Sam is signed out on it: the staff pages ask for a sign-in.
    expect((await kiosk.request.get('/api/v1/session')).status()).toBe(401);
    await checkPage(kiosk, 'kiosk-2-start');
  });

  await test.step('the patient gives their date of birth (a slip caught first) and their surname', async () => {
    await kiosk.getByRole('button', { name: 'Check in', exact: true }).click();
    await expect(heading(kiosk)).toHaveText('What is your date of birth?');
    await kiosk.getByLabel('Day').fill(patient.dob.day);
    await kiosk.getByRole('button', { name: 'Continue' }).click();
    await expect(summary(kiosk)).toContainText('Date of birth must include a day, month and year');
    await checkPage(kiosk, 'kiosk-3-date-of-birth-error');
    await enterDateOfBirth(kiosk, patient.dob);
    await expect(heading(kiosk)).toHaveText('Confirm who you are');
    // Other ways to say who you are, one field at a time.
    await kiosk.getByRole('button', { name: 'Use your NHS number instead' }).click();
    await expect(kiosk.getByLabel('Your NHS number')).toBeFocused();
    await kiosk.getByRole('button', { name: 'Use your surname instead' }).click();
    await kiosk.getByLabel('Your surname').fill(patient.family.toUpperCase());
    await checkPage(kiosk, 'kiosk-4-surname');
    await kiosk.getByRole('button', { name: 'Continue' }).click();
    await expect(heading(kiosk)).toHaveText('Get your invitation');
    // Nothing from the record is on the screen, not even the name.
    await expect(kiosk.locator('main')).not.toContainText(patient.given);
    await checkPage(kiosk, 'kiosk-5-choose');
  });

  await test.step('they choose a code on the screen, and it shows with its QR code', async () => {
    await kiosk.getByLabel('Show me a code to scan').check();
    await kiosk.getByRole('button', { name: 'Continue' }).click();
    await expect(heading(kiosk)).toHaveText("Scan this with your phone's camera");
    await expect(kiosk.locator('.portico-qr svg')).toBeVisible();
    code = (await kiosk.locator('.portico-code').textContent())!.trim();
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await checkPage(kiosk, 'kiosk-6-code-tablet');
    await kiosk.setViewportSize(PHONE);
    await checkPage(kiosk, 'kiosk-7-code-320');
    await kiosk.setViewportSize(TABLET);
  });

  await test.step('the patient registers with the code on their own phone', async () => {
    const page = await phone(browser);
    const email = 'kiosk.patient@example.com';
    await page.goto('/register');
    await page.getByLabel('Registration code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
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
    await expect(heading(page)).toHaveText('Your record');
  });

  await test.step('the kiosk starts again, and keeps nothing the patient typed', async () => {
    await kiosk.getByRole('button', { name: 'Start again' }).click();
    await expect(heading(kiosk)).toHaveText('Check in for your appointment');
    await expect(kiosk.locator('.portico-code')).toHaveCount(0);
    await kiosk.getByRole('button', { name: 'Check in', exact: true }).click();
    await expect(kiosk.getByLabel('Day')).toHaveValue('');
    await expect(kiosk.getByLabel('Year')).toHaveValue('');
    // Registered now: the kiosk says so, and nothing more.
    await enterDateOfBirth(kiosk, patient.dob);
    await kiosk.getByLabel('Your surname').fill(patient.family);
    await kiosk.getByRole('button', { name: 'Continue' }).click();
    await expect(heading(kiosk)).toHaveText('You are already registered');
    await checkPage(kiosk, 'kiosk-8-already-registered');
  });

  await test.step('a minute without a touch: a warning, then the start page, with nothing kept', async () => {
    await kiosk.clock.install();
    await kiosk.reload();
    await kiosk.getByRole('button', { name: 'Check in', exact: true }).click();
    await kiosk.getByLabel('Day').fill('14');
    await kiosk.clock.fastForward(41_000);
    await expect(kiosk.getByText('Are you still there?')).toBeVisible();
    await checkPage(kiosk, 'kiosk-9-idle-warning');
    await kiosk.clock.fastForward(20_000);
    await expect(heading(kiosk)).toHaveText('Check in for your appointment');
    await kiosk.getByRole('button', { name: 'Check in', exact: true }).click();
    await expect(kiosk.getByLabel('Day')).toHaveValue('');
    await kiosk.getByRole('button', { name: 'Start again' }).click();
  });

  await test.step('someone who keeps giving a wrong date of birth is sent to reception', async () => {
    const wrong = { day: '1', month: '2', year: '1960' };
    for (let attempt = 1; attempt <= 4; attempt++) {
      await checkIn(kiosk, wrong, 'Notaperson');
      await expect(heading(kiosk)).toHaveText('We could not find you');
      if (attempt === 1) await checkPage(kiosk, 'kiosk-10-not-found');
      await kiosk.getByRole('button', { name: 'Start again' }).click();
    }
    await checkIn(kiosk, wrong, 'Notaperson');
    await expect(heading(kiosk)).toHaveText('Please ask at reception');
    await kiosk.setViewportSize(PHONE);
    await checkPage(kiosk, 'kiosk-11-ask-at-reception-320');
    await kiosk.setViewportSize(TABLET);
    await kiosk.getByRole('button', { name: 'Start again' }).click();
  });

  await test.step('Sam revokes the kiosk from the team page, and the kiosk says it is switched off', async () => {
    // Someone starts checking in as it happens.
    await kiosk.getByRole('button', { name: 'Check in', exact: true }).click();
    await enterDateOfBirth(kiosk, { day: '3', month: '4', year: '1970' });
    await kiosk.getByLabel('Your surname').fill('Someone');

    const desk = await phone(browser);
    await signInStaff(desk, SAM);
    await openRespiratory(desk);
    const row = desk.getByRole('row').filter({ hasText: KIOSK_NAME });
    await expect(row).toContainText('Sam Okafor');
    await row.getByRole('button', { name: `Revoke ${KIOSK_NAME}` }).click();
    await expect(row).toContainText('Switched off');
    await checkPage(desk, 'kiosk-12-team-page-revoked-320');
    await kiosks(desk).screenshot({ path: 'test-results/screens/kiosk-12b-section-320.png' });

    await kiosk.getByRole('button', { name: 'Continue' }).click();
    await expect(heading(kiosk)).toHaveText('This kiosk has been switched off');
    await expect(kiosk.getByText('Ask at reception.')).toBeVisible();
    await checkPage(kiosk, 'kiosk-13-switched-off');
    await kiosk.reload();
    await expect(heading(kiosk)).toHaveText('This kiosk has been switched off');
  });
});
