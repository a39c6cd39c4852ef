// Journey: a professional with no second factor yet sets up an authenticator
// app after their password, keeps the recovery codes, and later signs in
// with one of them instead of the phone. On a Portico of its own, since it
// takes the demo professional's authenticator away first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { secretOf, totpCode } from './authenticator';
import { freePort, startPortico, stopPortico } from './own-portico';
import { STAFF_PASSWORD, checkPage, heading, phone, summary } from './support';

const SAM = 'sam.okafor@demo.portico.example';

test('Sam sets up an authenticator app, saves his recovery codes, and signs in with one later', async ({ browser }) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portico-authenticator-'));
  const base = `http://127.0.0.1:${port}`;
  const portico = await startPortico(port, dir, 5, {});
  try {
    execFileSync('sqlite3', [
      '-cmd',
      '.timeout 10000',
      join(dir, 'portico.db'),
      `DELETE FROM second_factors WHERE account_id = (SELECT id FROM accounts WHERE email = '${SAM}')`,
    ]);
    const page = await phone(browser);
    let recoveryCode = '';

    await test.step('after his password, Portico asks him to set up an authenticator app', async () => {
      await page.goto(`${base}/staff/sign-in`);
      await page.getByLabel('Email address').fill(SAM);
      await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(heading(page)).toHaveText('Set up your authenticator app');
      await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
      await checkPage(page, 'authenticator-1-set-up-320');
    });

    await test.step('a wrong code is refused; the key typed into the app gives the right one', async () => {
      await page.getByLabel('Enter the 6-digit code the app shows').fill('000000');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(summary(page)).toContainText('The code is not right');
      await expect(summary(page)).toBeFocused();
      await page.getByText('I cannot scan the QR code').click();
      const key = (await page.locator('.portico-secret').innerText()).replace(/\s/g, '');
      expect(key).toMatch(/^[A-Z2-7]{32}$/);
      const code = totpCode(secretOf(`otpauth://totp/x?secret=${key}`));
      await page.getByLabel('Enter the 6-digit code the app shows').fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(heading(page)).toHaveText('Save your recovery codes');
      await expect(heading(page)).toBeFocused();
      const codes = await page.locator('.portico-recovery-codes code').allInnerTexts();
      expect(codes).toHaveLength(10);
      recoveryCode = codes[0];
      await checkPage(page, 'authenticator-2-recovery-codes-320');
      await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
      await expect(heading(page)).toHaveText('Your teams');
    });

    await test.step('without his phone, a recovery code signs him in, once', async () => {
      for (const [n, outcome] of [
        [3, 'signed in'],
        [4, 'refused'],
      ] as const) {
        const later = await phone(browser);
        await later.goto(`${base}/staff/sign-in`);
        await later.getByLabel('Email address').fill(SAM);
        await later.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
        await later.getByRole('button', { name: 'Sign in' }).click();
        await expect(heading(later)).toHaveText('Enter the code from your authenticator app');
        await later.getByLabel('Security code').fill(recoveryCode);
        await later.getByRole('button', { name: 'Continue' }).click();
        if (outcome === 'signed in') {
          await expect(heading(later)).toHaveText('Your teams');
        } else {
          await expect(summary(later)).toContainText('has been used already');
          await checkPage(later, `authenticator-${n}-recovery-code-used-320`);
        }
        await later.context().close();
      }
    });
  } finally {
    await stopPortico(portico);
  }
});

test('Olivia turns two-step sign-in on for her record, signs in with it, and turns it off', async ({ browser }) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portico-two-step-'));
  const base = `http://127.0.0.1:${port}`;
  const portico = await startPortico(port, dir, 5, {});
  const OLIVIA = 'olivia.smith@patients.portico.example';
  const signIn = async (page: Page) => {
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Email address').fill(OLIVIA);
    await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  try {
    const page = await phone(browser);
    let secret = Buffer.alloc(0);

    await test.step('from her account page she sets up an authenticator app', async () => {
      await signIn(page);
      await expect(heading(page)).toHaveText('Your record');
      await page.goto(`${base}/account`);
      await page.getByRole('link', { name: 'Change two-step sign-in' }).click();
      await expect(heading(page)).toHaveText('Two-step sign-in');
      await checkPage(page, 'two-step-1-off-320');
      await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
      await expect(heading(page)).toHaveText('Set up your authenticator app');
      await page.getByText('I cannot scan the QR code').click();
      const key = (await page.locator('.portico-secret').innerText()).replace(/\s/g, '');
      secret = secretOf(`otpauth://totp/x?secret=${key}`);
      await page.getByLabel('Enter the 6-digit code the app shows').fill(totpCode(secret));
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(heading(page)).toHaveText('Save your recovery codes');
      await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
      await expect(page.getByText('Two-step sign-in is on').first()).toBeVisible();
      await expect(page.getByText('You have 10 unused recovery codes.')).toBeVisible();
      await checkPage(page, 'two-step-2-on-320');
    });

    await test.step('signing in on another phone asks for the code', async () => {
      const other = await phone(browser);
      await signIn(other);
      await expect(heading(other)).toHaveText('Enter the code from your authenticator app');
      await checkPage(other, 'two-step-3-code-320');
      // The code she used to set it up is spent: the next one (the app a step ahead) is not.
      await other.getByLabel('Security code').fill(totpCode(secret, Date.now() + 30_000));
      await other.getByRole('button', { name: 'Continue' }).click();
      await expect(heading(other)).toHaveText('Your record');
      await other.context().close();
    });

    await test.step('she turns it off with her password', async () => {
      await page.getByLabel('Your password').fill('not her password');
      await page.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
      await expect(summary(page)).toBeVisible();
      await page.getByLabel('Your password').fill(STAFF_PASSWORD);
      await page.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
      await expect(page.getByText('Two-step sign-in is off').first()).toBeVisible();
      await expect(page.getByRole('button', { name: 'Set up two-step sign-in' })).toBeVisible();
      const again = await phone(browser);
      await signIn(again);
      await expect(heading(again)).toHaveText('Your record');
    });
  } finally {
    await stopPortico(portico);
  }
});
