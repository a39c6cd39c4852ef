// Journey: professionals who have a health record of their own. Jordan, the
// Respiratory Clinic's admin, sees the team's professionals with a record in
// it (Sam by the NHS number on his staff profile, Jordan himself by email and
// date of birth) and invites them with one button; Sam opens the real email
// on a phone, adds his record to the account he uses at work, and switches
// between his record and the staff pages.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { linkTo, maildir, waitForMail } from './mail';
import {
  PHONE,
  STAFF_PASSWORD,
  checkPage,
  enterAuthenticatorCode,
  enterDateOfBirth,
  heading,
  phone,
  signInStaff,
} from './support';

const JORDAN = 'jordan.hughes@demo.portico.example';
const SAM = 'sam.okafor@demo.portico.example';
const SUBJECT = 'You can see your own health record in Portico';
const SECTION = 'Professionals with a record in this team';

test.skip(!maildir(), 'needs the SMTP server the default run starts (PORTICO_E2E_MAILDIR)');

const section = (page: Page) => page.getByRole('region', { name: SECTION });
const rowOf = (page: Page, name: RegExp): Locator => section(page).locator('tbody tr').filter({ hasText: name });

/** Opens the Respiratory Clinic from the professional's teams. */
async function openRespiratory(page: Page) {
  await page.getByRole('link', { name: 'Respiratory Clinic' }).click();
  await expect(heading(page)).toHaveText('Respiratory Clinic');
}

test('a team admin invites the professionals who have a record; one adds it to his work account', async ({ browser }) => {
  const jordan = await (await browser.newContext()).newPage();

  await test.step('Jordan, the admin, sees Sam and himself listed, not invited yet', async () => {
    await signInStaff(jordan, JORDAN);
    await openRespiratory(jordan);
    await expect(section(jordan).getByRole('heading', { level: 2 })).toHaveText(SECTION);
    await expect(section(jordan).locator('tbody tr')).toHaveCount(2);
    await expect(rowOf(jordan, /Sam Okafor/)).toContainText(SAM);
    await expect(rowOf(jordan, /Sam Okafor/)).toContainText('NHS number on staff profile');
    await expect(rowOf(jordan, /Sam Okafor/).locator('.nhsuk-tag')).toHaveText('Not invited');
    await expect(rowOf(jordan, /Jordan Hughes/)).toContainText('Email and date of birth');
    await expect(rowOf(jordan, /Jordan Hughes/).locator('.nhsuk-tag')).toHaveText('Not invited');
    await expect(section(jordan).getByRole('button', { name: 'Invite 2 professionals' })).toBeVisible();
    await section(jordan).scrollIntoViewIfNeeded();
    await checkPage(jordan, 'professionals-1-team-desktop');
    await jordan.setViewportSize(PHONE);
    await checkPage(jordan, 'professionals-1-team-320');
  });

  await test.step('Jordan invites them with one button; both are then invited', async () => {
    await section(jordan).getByRole('button', { name: 'Invite 2 professionals' }).click();
    const banner = section(jordan).locator('.nhsuk-notification-banner--success');
    await expect(banner).toContainText('2 professionals invited by email');
    await expect(banner).toBeFocused();
    await expect(rowOf(jordan, /Sam Okafor/).locator('.nhsuk-tag')).toHaveText('Invited');
    await expect(rowOf(jordan, /Jordan Hughes/).locator('.nhsuk-tag')).toHaveText('Invited');
    await expect(section(jordan).getByRole('button')).toHaveCount(0);
    await expect(section(jordan)).toContainText('There is nobody left to invite');
    await checkPage(jordan, 'professionals-2-invited-320');
  });

  await test.step('Sam, a receptionist, sees the team without the section', async () => {
    const staff = await phone(browser);
    await signInStaff(staff, SAM);
    await openRespiratory(staff);
    await expect(staff.locator('main table').first()).toBeVisible();
    await expect(section(staff)).toHaveCount(0);
    await expect(staff.locator('.nhsuk-error-summary')).toHaveCount(0);
    await staff.context().close();
  });

  const sam = await phone(browser);
  await test.step("Sam opens the email's link on a phone and gives his date of birth", async () => {
    const invitation = await waitForMail(SAM, SUBJECT);
    await sam.goto(linkTo(invitation.body, '/register?code='));
    await expect(sam.getByLabel('Registration code')).not.toHaveValue('');
    await sam.getByRole('button', { name: 'Continue' }).click();
    await expect(heading(sam)).toHaveText('What is your date of birth?');
    await enterDateOfBirth(sam, { day: '14', month: '3', year: '1988' });
    await expect(heading(sam)).toHaveText('Add your record to your account');
    await checkPage(sam, 'professionals-3-link-account-320');
  });

  await test.step('with the password of his work account, he lands on his record', async () => {
    await sam.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
    await sam.getByRole('button', { name: 'Add my record' }).click();
    // A staff account's sign-in asks its authenticator's code as well.
    await enterAuthenticatorCode(sam);
    await expect(heading(sam)).toHaveText('Your record');
    await expect(sam.locator('main').getByText('Sam Okafor')).toBeVisible();
    await expect(sam.getByRole('link', { name: 'Staff pages' })).toBeVisible();
    await checkPage(sam, 'professionals-4-record-320');
  });

  await test.step('"Staff pages" leads to his teams, and "My record" back', async () => {
    await sam.getByRole('link', { name: 'Staff pages' }).click();
    await expect(heading(sam)).toHaveText('Your teams');
    await expect(sam.getByRole('link', { name: 'Respiratory Clinic' })).toBeVisible();
    await expect(sam.getByRole('link', { name: 'My record' })).toBeVisible();
    await checkPage(sam, 'professionals-5-staff-320');
    await sam.getByRole('link', { name: 'My record' }).click();
    await expect(heading(sam)).toHaveText('Your record');
    await expect(sam.locator('main').getByText('Sam Okafor')).toBeVisible();
  });

  await test.step("Jordan's list shows Sam registered", async () => {
    await jordan.setViewportSize({ width: 1280, height: 720 });
    await jordan.reload();
    await expect(rowOf(jordan, /Sam Okafor/).locator('.nhsuk-tag')).toHaveText('Registered');
    await expect(rowOf(jordan, /Jordan Hughes/).locator('.nhsuk-tag')).toHaveText('Invited');
    await section(jordan).scrollIntoViewIfNeeded();
    await checkPage(jordan, 'professionals-6-registered-desktop');
  });
});
