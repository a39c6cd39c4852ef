// Journey: email settings on a phone. Olivia, a registered demo patient,
// goes from her account to her email settings, has new entries sent in the
// daily email, and sees it saved (and still so after a reload). A link that
// was copied wrongly says so. Then an unsubscribe link from a real email:
// someone asks to join the Diabetes Clinic (through the API), Asha declines,
// and the email telling them carries the link; opened in another browser,
// without signing in, it turns those emails off.
import { createHash } from 'node:crypto';
import { test, expect } from '@playwright/test';
import { linkTo, maildir, sixDigits, waitForMail } from './mail';
import { checkPage, heading, phone, signInStaff, summary } from './support';

const OLIVIA = 'olivia.smith@patients.portico.example';
const ASHA = 'asha.patel@demo.portico.example';
const PASSWORD = 'portico-demo-password';
const CSRF = { 'x-portico-csrf': '1' };

/** The nonce that solves a join page's proof of work: SHA-256 of
 * `challenge:nonce` starts with `bits` zero bits (types/src/proof_of_work.rs). */
function solve(challenge: string, bits: number): string {
  for (let nonce = 0; ; nonce++) {
    const digest = createHash('sha256').update(`${challenge}:${nonce}`).digest();
    let zeros = 0;
    for (const byte of digest) {
      if (byte === 0) {
        zeros += 8;
        continue;
      }
      zeros += Math.clz32(byte) - 24;
      break;
    }
    if (zeros >= bits) return String(nonce);
  }
}

/** The same screenshot where the person running the journey looks at it. */
async function keep(page: import('@playwright/test').Page, name: string) {
  await page.screenshot({ path: `/tmp/notifications-${name}.png`, fullPage: true });
}

test('a patient changes how they get emails, and sees it saved', async ({ browser }) => {
  const page = await phone(browser);
  const signIn = await page.request.post('/api/v1/session', { headers: CSRF, data: { email: OLIVIA, password: PASSWORD } });
  expect(signIn.status()).toBe(200);

  await test.step('the account page links to the email settings', async () => {
    await page.goto('/account');
    await expect(heading(page)).toHaveText('Your account');
    await page.getByRole('link', { name: 'Change your email settings' }).click();
    await expect(heading(page)).toHaveText('Email settings');
    await expect(page).toHaveURL(/\/account\/notifications$/);
  });

  const newEntries = page.getByRole('group', { name: 'New information in your record' });
  await test.step('one question per kind, and the security emails listed as always on', async () => {
    await expect(page.locator('fieldset')).toHaveCount(4);
    await expect(newEntries.getByLabel('Immediately')).toBeChecked();
    await expect(page.getByText('Your password is changed')).toBeVisible();
    await expect(page.getByText('You cannot turn these off.')).toBeVisible();
    await checkPage(page, 'notifications-1-settings');
    await keep(page, '1-settings');
  });

  await test.step('new entries go in the daily email: saved, with a success banner', async () => {
    await newEntries.getByLabel('In a daily email').check();
    await page.getByRole('button', { name: 'Save email settings' }).click();
    const banner = page.locator('.nhsuk-notification-banner--success');
    await expect(banner).toContainText('Your email settings have been saved');
    await expect(banner).toBeFocused();
    await expect(summary(page)).toHaveCount(0);
    await checkPage(page, 'notifications-2-saved');
    await keep(page, '2-saved');
    const saved = await (await page.request.get('/api/v1/me/notification-preferences')).json();
    const entries = saved.preferences.find((p: { kind: string }) => p.kind === 'new_entries');
    expect(entries.delivery).toBe('daily_digest');
    await page.reload();
    await expect(page.getByRole('group', { name: 'New information in your record' }).getByLabel('In a daily email')).toBeChecked();
  });

  await test.step('signed out, the page says to sign in', async () => {
    const stranger = await phone(browser);
    await stranger.goto('/account/notifications');
    await expect(heading(stranger)).toHaveText('Sign in to change your email settings');
  });
});

test('a link that was copied wrongly says it does not work', async ({ browser }) => {
  const page = await phone(browser);
  for (const address of ['/notifications/unsubscribe?token=not-a-real-token', '/notifications/unsubscribe']) {
    await page.goto(address);
    await expect(heading(page)).toHaveText('This link does not work');
  }
  // The token left the address bar.
  await expect(page).toHaveURL(/\/notifications\/unsubscribe$/);
  await checkPage(page, 'notifications-3-unknown-link');
  await keep(page, '3-unknown-link');
});

test('the unsubscribe link from a real email turns those emails off, without signing in', async ({ browser }) => {
  test.skip(!maildir(), 'needs the SMTP server the default run starts (PORTICO_E2E_MAILDIR)');
  test.setTimeout(90_000);
  const email = 'unsubscribe.journey@example.com';
  const device = await phone(browser);

  await test.step('someone asks to join a team (through the API) and Asha declines: they are emailed', async () => {
    const r = device.request;
    const { challenge, bits } = await (await r.get('/api/v1/join/diabetes')).json();
    const join = await r.post('/api/v1/join/diabetes', {
      headers: CSRF,
      data: {
        given_name: 'Robin',
        family_name: 'Unsubscriber',
        date_of_birth: '1981-04-05',
        email,
        challenge,
        nonce: solve(challenge, bits),
      },
    });
    expect(join.ok(), await join.text()).toBe(true);
    const confirm = await waitForMail(email, 'Confirm your email address');
    const confirmed = await r.post('/api/v1/registration/email/confirm', {
      headers: CSRF,
      data: { code: sixDigits(confirm.body) },
    });
    expect(confirmed.ok(), await confirmed.text()).toBe(true);
    const completed = await r.post('/api/v1/registration/complete', {
      headers: CSRF,
      data: { password: 'mango river lantern', accept_terms: true },
    });
    expect(completed.ok(), await completed.text()).toBe(true);

    const asha = await phone(browser);
    await signInStaff(asha, ASHA);
    const teams = await (await asha.request.get('/api/v1/staff/teams')).json();
    const diabetes = teams.teams.find((t: { slug: string }) => t.slug === 'diabetes');
    const queue = await (await asha.request.get(`/api/v1/staff/teams/${diabetes.id}/sign-ups`)).json();
    const mine = queue.sign_ups.find((s: { email: string }) => s.email === email);
    expect(mine, 'the sign-up in the queue').toBeDefined();
    const declined = await asha.request.post(`/api/v1/staff/sign-ups/${mine.id}/decline`, {
      headers: CSRF,
      data: { reason: 'We do not look after you in this clinic.' },
    });
    expect(declined.ok(), await declined.text()).toBe(true);
  });

  const mail = await waitForMail(email, 'Your request to join');
  // mail.ts gives the decoded text part of the multipart email.
  const body = mail.body;
  const link = new URL(linkTo(body, '/notifications/unsubscribe?token='));
  expect(linkTo(body, '/account/notifications')).toMatch(/\/account\/notifications$/);

  // The person's own session, to read their settings before and after.
  const signIn = await device.request.post('/api/v1/session', {
    headers: CSRF,
    data: { email, password: 'mango river lantern' },
  });
  expect(signIn.ok(), await signIn.text()).toBe(true);

  const page = await phone(browser);
  await test.step('the link says what it turns off, and changes nothing yet', async () => {
    await page.goto(link.pathname + link.search);
    await expect(heading(page)).toHaveText('Turn off emails');
    await expect(page.getByText('This will turn off emails about your requests to join a care team.')).toBeVisible();
    await expect(page).toHaveURL(/\/notifications\/unsubscribe$/);
    await checkPage(page, 'notifications-4-unsubscribe');
    await keep(page, '4-unsubscribe');
    const before = await (await device.request.get('/api/v1/me/notification-preferences')).json();
    expect(before.preferences.find((p: { kind: string }) => p.kind === 'sign_up_decided').delivery).not.toBe('off');
  });

  await test.step('one button turns them off; the confirmation links to the settings', async () => {
    await page.getByRole('button', { name: 'Turn off these emails' }).click();
    await expect(heading(page)).toHaveText('Emails turned off');
    await expect(page.getByText('You will not get emails about your requests to join a care team any more.')).toBeVisible();
    await checkPage(page, 'notifications-5-turned-off');
    await keep(page, '5-turned-off');
    const after = await (await device.request.get('/api/v1/me/notification-preferences')).json();
    expect(after.preferences.find((p: { kind: string }) => p.kind === 'sign_up_decided').delivery).toBe('off');
    const settings = page.getByRole('link', { name: 'Change your email settings' });
    await expect(settings).toHaveAttribute('href', '/account/notifications');
  });
});
