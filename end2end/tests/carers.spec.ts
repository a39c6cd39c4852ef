// Journeys: carers, on a phone.
//
// 1. Olivia, a registered demo patient, makes one entry private, invites a
//    carer by email who sees everything but private entries; the carer
//    registers from the emailed link and sees Olivia's record without that
//    entry. Olivia sees the visit in her access history, then stops the
//    carer's access: the carer's open page no longer shows the record, and
//    the carer is told by email.
// 2. Olivia is also the mother of Leo and the carer of her mother Margaret
//    (demo data): one account, a list of the records she may open, and a
//    switch between them that always says whose record is on screen.
//    Margaret, signed in, sees in her access history that Olivia looked.
import { test, expect, type Page } from '@playwright/test';
import { linkTo, maildir, waitForMail } from './mail';
import { checkPage, heading, phone, summary } from './support';

const OLIVIA = 'olivia.smith@patients.portico.example';
const MARGARET = 'margaret.smith@patients.portico.example';
const PASSWORD = 'portico-demo-password';

async function signInPatient(page: Page, email: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(heading(page)).toHaveText('Your record');
}

test('a patient invites a carer, who registers and sees the record, then the patient ends it', async ({ browser }) => {
  test.skip(!maildir(), 'needs the SMTP server the default run starts');
  const olivia = await phone(browser);
  const carerEmail = `carer.${Date.now()}@example.org`;
  await signInPatient(olivia, OLIVIA);

  await test.step('the record links to the carers page, which explains and offers an invitation', async () => {
    await olivia.getByRole('link', { name: 'Carers who can see your record' }).click();
    await expect(heading(olivia)).toHaveText('Carers who can see your record');
    await checkPage(olivia, 'carers-1-list');
    await olivia.getByRole('button', { name: 'Invite a carer' }).click();
    await expect(heading(olivia)).toHaveText('Invite a carer');
  });

  await test.step('mistakes are explained, each linked to its field', async () => {
    await olivia.getByLabel("Your carer's email address").fill(OLIVIA);
    await olivia.getByLabel('Day').fill('31');
    await olivia.getByLabel('Month').fill('2');
    await olivia.getByLabel('Year').fill('2030');
    await olivia.getByRole('button', { name: 'Send invitation' }).click();
    await expect(summary(olivia)).toBeFocused();
    await expect(summary(olivia)).toContainText('Choose what your carer can see');
    await expect(summary(olivia)).toContainText('Enter a real date');
    await checkPage(olivia, 'carers-2-invite-errors');
    // Herself: the server refuses, on the address.
    await olivia.getByLabel('Everything except private and sensitive entries').check();
    await olivia.getByLabel('Day').fill('');
    await olivia.getByLabel('Month').fill('');
    await olivia.getByLabel('Year').fill('');
    await olivia.getByRole('button', { name: 'Send invitation' }).click();
    await expect(summary(olivia)).toContainText('You cannot invite yourself as a carer');
  });

  await test.step('the invitation is sent and waits on the carers page', async () => {
    await olivia.getByLabel("Your carer's email address").fill(carerEmail);
    await olivia.getByRole('button', { name: 'Send invitation' }).click();
    await expect(heading(olivia)).toHaveText('Carers who can see your record');
    await expect(olivia.getByRole('alert')).toContainText(`Invitation sent to ${carerEmail}`);
    await expect(olivia.getByRole('heading', { name: 'Invitations not yet accepted' })).toBeVisible();
    await checkPage(olivia, 'carers-3-invited');
  });

  await test.step('on her record, Olivia makes her HbA1c result private', async () => {
    await olivia.goto('/record');
    const result = olivia.locator('li.nhsuk-card', { hasText: 'HbA1c' });
    await result.getByRole('button', { name: /Make private/ }).click();
    await expect(result.getByText('Private', { exact: true })).toBeVisible();
    await checkPage(olivia, 'carers-4-private');
  });

  const carer = await phone(browser);
  let recordUrl = '';
  await test.step('the carer registers from the emailed link and sees the record, less the private entry', async () => {
    const mail = await waitForMail(carerEmail, 'invited to help');
    expect(mail.body).toContain('Olivia');
    expect(mail.body).not.toMatch(/HbA1c|diabetes/i);
    await carer.goto(linkTo(mail.body, '/carers/accept'));
    await expect(heading(carer)).toHaveText("See Olivia's record");
    await expect(carer).not.toHaveURL(/token=/);
    await checkPage(carer, 'carers-5-accept');
    await carer.getByRole('button', { name: 'Create account and accept' }).click();
    await expect(summary(carer)).toContainText('Enter your name');
    await carer.getByLabel('Your full name').fill('Chris Carer');
    await carer.getByLabel('Choose a password', { exact: true }).fill('mango river lantern kettle');
    await carer.getByLabel('I accept the terms of use').check();
    await carer.getByRole('button', { name: 'Create account and accept' }).click();
    await expect(heading(carer)).toHaveText("Olivia Smith's record");
    await expect(carer.getByText('You are looking at Olivia\'s record as their carer')).toBeVisible();
    await expect(carer.getByRole('heading', { name: 'Clinic letter' })).toBeVisible();
    await expect(carer.getByRole('heading', { name: 'HbA1c' })).toHaveCount(0);
    recordUrl = carer.url();
    await checkPage(carer, 'carers-6-carer-sees');
  });

  await test.step('Olivia is told, and sees the visit in her access history', async () => {
    await waitForMail(OLIVIA, 'accepted');
    await olivia.goto('/carers');
    await expect(olivia.getByRole('heading', { name: 'Chris Carer' })).toBeVisible();
    await olivia.getByRole('link', { name: 'See when carers looked at your record' }).click();
    await expect(heading(olivia)).toHaveText('When carers looked at your record');
    await expect(olivia.locator('li', { hasText: 'Chris Carer' }).filter({ hasText: 'Opened your record' }).first())
      .toBeVisible();
    await checkPage(olivia, 'carers-7-history');
  });

  await test.step('Olivia stops the access; the carer can no longer see the record, and is told', async () => {
    await olivia.goto('/carers');
    await olivia.getByRole('button', { name: 'Stop access for Chris Carer' }).click();
    await checkPage(olivia, 'carers-8-confirm');
    await olivia.getByRole('button', { name: "Yes, stop Chris Carer's access" }).click();
    await expect(olivia.getByRole('alert')).toContainText('Chris Carer can no longer see your record');
    await expect(olivia.getByRole('heading', { name: 'Chris Carer' })).toHaveCount(0);
    await carer.goto(recordUrl);
    await expect(heading(carer)).toHaveText('You cannot see this record');
    await checkPage(carer, 'carers-9-ended');
    await waitForMail(carerEmail, 'has ended');
  });

  await test.step('with no carer left, the marks are not offered, and the entry stays private', async () => {
    await olivia.goto('/record');
    const result = olivia.locator('li.nhsuk-card', { hasText: 'HbA1c' });
    await expect(result.getByText('Private', { exact: true })).toBeVisible();
    await expect(result.getByRole('button')).toHaveCount(0);
  });
});

test('a carer of two dependants switches between their records, always told whose is on screen', async ({ browser }) => {
  const olivia = await phone(browser);
  await signInPatient(olivia, OLIVIA);

  await test.step('her own record offers the others', async () => {
    await olivia.getByText('Switch to another record').click();
    const records = olivia.getByRole('navigation', { name: 'Records you can see' });
    await expect(records.getByRole('link')).toHaveCount(3);
    await expect(records.getByRole('link', { name: 'Your record' })).toHaveAttribute('aria-current', 'page');
    await checkPage(olivia, 'switch-1-own');
    await records.getByRole('link', { name: /Leo Smith \(you are their mother\)/ }).click();
  });

  await test.step("Leo's record says whose it is and as whom", async () => {
    await expect(heading(olivia)).toHaveText("Leo Smith's record");
    await expect(olivia).toHaveTitle(/Leo Smith's record/);
    await expect(olivia.getByText("You are looking at Leo's record as their mother")).toBeVisible();
    await expect(olivia.getByRole('heading', { name: "Children's diabetes clinic" })).toBeVisible();
    await checkPage(olivia, 'switch-2-leo');
  });

  await test.step("then Margaret's, without the entry her team marked sensitive", async () => {
    await olivia.getByText('Switch to another record').click();
    await olivia.getByRole('link', { name: /Margaret Smith \(you are their carer\)/ }).click();
    await expect(heading(olivia)).toHaveText("Margaret Smith's record");
    await expect(olivia.getByRole('heading', { name: 'Kidney function' })).toBeVisible();
    await expect(olivia.getByRole('heading', { name: 'Memory clinic referral' })).toHaveCount(0);
    await checkPage(olivia, 'switch-3-margaret');
  });

  await test.step('and back to her own', async () => {
    await olivia.getByText('Switch to another record').click();
    await olivia.getByRole('link', { name: 'Your record' }).click();
    await expect(heading(olivia)).toHaveText('Your record');
  });

  await test.step('Margaret sees that Olivia looked', async () => {
    const margaret = await phone(browser);
    await signInPatient(margaret, MARGARET);
    await margaret.goto('/carers');
    await expect(margaret.getByRole('heading', { name: 'Olivia Smith' })).toBeVisible();
    await margaret.goto('/carers/access-history');
    await expect(margaret.locator('li', { hasText: 'Olivia Smith' }).filter({ hasText: 'Opened your record' }).first())
      .toBeVisible();
  });
});
