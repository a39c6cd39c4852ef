// Journey: age bands for a child's record (issue 11). On a Portico of its
// own (as the coming-of-age journey, so that it can let years pass), Jordan,
// an admin, sets the organisation's bands: at 12 a parent's access narrows to
// everything but private and sensitive entries, at 16 a professional reviews
// it, at 18 it ends. Olivia, the demo mother of Leo (9), sees an entry of
// Leo's that a professional labelled sensitive. Portico is started again with
// its clock three months before Leo's 12th birthday: Olivia is warned by
// email. Again, just after the birthday: her access has narrowed and the
// sensitive entry is gone from what she sees. Asha, Leo's clinician, keeps
// Olivia's access as it is past the review at 16, with a reason, on the staff
// record page's carers panel; Olivia is told until when.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { maildir, waitForMail } from './mail';
import { freePort, startPortico, stopPortico } from './own-portico';
import { checkPage, heading, phone, signInStaff, summary } from './support';

const env = process.env;
const ASHA = 'asha.patel@demo.portico.example';
const JORDAN = 'jordan.hughes@demo.portico.example';
const OLIVIA = 'olivia.smith@patients.portico.example';
const PASSWORD = 'portico-demo-password';
const DAY = 86_400_000;

test.skip(!maildir() || !env.PORTICO_E2E_SMTP_PORT, 'needs the SMTP server the default run starts');

function startAhead(port: number, dir: string, days: number) {
  return startPortico(port, dir, 120, {
    PORTICO_SMTP_URL: `smtp://127.0.0.1:${env.PORTICO_E2E_SMTP_PORT}`,
    PORTICO_CLOCK_OFFSET_DAYS: String(days),
  });
}

/** Whole days from now until `day`, plus `extra`. */
const daysUntil = (day: Date, extra: number) => Math.ceil((day.getTime() - Date.now()) / DAY) + extra;

function yearsAfter(born: Date, years: number, months = 0): Date {
  const day = new Date(born);
  day.setUTCFullYear(day.getUTCFullYear() + years);
  day.setUTCMonth(day.getUTCMonth() + months);
  return day;
}

async function signInOlivia(page: Page, base: string) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email address').fill(OLIVIA);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(heading(page)).toHaveText('Your record');
}

test("a parent's access to a child's record narrows at the organisation's age, with a warning before, and staff keep it past the next", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portico-age-bands-'));
  const database = join(dir, 'portico.db');
  const base = `http://127.0.0.1:${port}`;
  let portico = await startAhead(port, dir, 0);
  try {
    // Leo's HbA1c result, labelled sensitive by a professional (as a feed would).
    execFileSync('sqlite3', [
      '-cmd',
      '.timeout 10000',
      database,
      "UPDATE entries SET sensitive = 1 WHERE title = 'HbA1c' AND record_id IN (SELECT id FROM records WHERE given_name = 'Leo')",
    ]);

    const jordan = await phone(browser);
    await test.step('Jordan, an admin, sets the bands; ones that make no sense are refused age by age', async () => {
      await signInStaff(jordan, JORDAN, { base, database });
      await jordan.goto(`${base}/staff/organisation/carer-settings`);
      await expect(heading(jordan)).toHaveText("Parents' access as a child grows up");
      await jordan.getByLabel('At 13').selectOption('end');
      await jordan.getByLabel('At 16').selectOption('not_private');
      await jordan.getByLabel('At 18').selectOption('end');
      await jordan.getByRole('button', { name: 'Save the carer settings' }).click();
      await expect(summary(jordan)).toBeFocused();
      await expect(summary(jordan).getByRole('link', { name: 'Access has already ended at 13' })).toHaveCount(2);
      await expect(jordan.getByLabel('At 16')).toHaveAttribute('aria-describedby', 'at-16-error');
      await checkPage(jordan, 'age-bands-1-refused');

      await jordan.getByLabel('At 13').selectOption({ label: 'No change' });
      await jordan.getByLabel('At 12').selectOption('not_private');
      await jordan.getByLabel('At 16').selectOption('review');
      await jordan.getByLabel('At what age is the young person invited to their own record?').fill('16');
      await jordan.getByRole('button', { name: 'Save the carer settings' }).click();
      await expect(jordan.getByText('The carer settings are saved.')).toBeVisible();
      await checkPage(jordan, 'age-bands-2-saved');
    });

    const olivia = await phone(browser);
    let leo = { id: '', born: new Date() };
    await test.step('Olivia sees all of Leo\'s record, the sensitive entry too', async () => {
      await signInOlivia(olivia, base);
      const records = (await (await olivia.request.get(`${base}/api/v1/me/records`)).json()).records;
      const id = records.find((r: { given_name: string }) => r.given_name === 'Leo').record_id;
      const opened = await (await olivia.request.get(`${base}/api/v1/me/records/${id}`)).json();
      leo = { id, born: new Date(`${opened.date_of_birth}T00:00:00Z`) };
      await olivia.goto(`${base}/record/${leo.id}`);
      await expect(heading(olivia)).toHaveText("Leo Smith's record");
      await expect(olivia.getByRole('heading', { name: 'HbA1c' })).toBeVisible();
    });

    const twelfth = yearsAfter(leo.born, 12);
    await test.step('three months before his 12th birthday, Olivia is warned by email', async () => {
      await stopPortico(portico);
      portico = await startAhead(port, dir, daysUntil(yearsAfter(leo.born, 12, -3), 2));
      const warning = await waitForMail(OLIVIA, "What you see of Leo's health record will change");
      expect(warning.body).toContain('private');
      expect(warning.body).toContain('sensitive');
    });

    const offset = daysUntil(twelfth, 2);
    await test.step('after the birthday her access has narrowed: the sensitive entry is gone', async () => {
      await stopPortico(portico);
      portico = await startAhead(port, dir, offset);
      await waitForMail(OLIVIA, 'Your carer access on Portico has changed');
      await signInOlivia(olivia, base);
      await olivia.goto(`${base}/record/${leo.id}`);
      await expect(heading(olivia)).toHaveText("Leo Smith's record");
      await expect(olivia.getByRole('heading', { name: "Children's diabetes clinic" })).toBeVisible();
      await expect(olivia.getByRole('heading', { name: 'HbA1c' })).toHaveCount(0);
      await checkPage(olivia, 'age-bands-3-narrowed');
    });

    await test.step('Asha keeps it as it is past the review at 16, with a reason; Olivia is told', async () => {
      const asha = await phone(browser);
      await signInStaff(asha, ASHA, { base, database, offsetDays: offset });
      await asha.goto(`${base}/staff/records/${leo.id}`);
      const card = asha.locator('.nhsuk-card').filter({ has: asha.getByRole('heading', { name: 'Olivia Smith' }) });
      await expect(card.getByText(/At 16, on .*: a professional reviews their access/)).toBeVisible();
      await card.getByRole('button', { name: 'Keep access as it is for Olivia Smith' }).click();
      await card.getByRole('button', { name: 'Keep access until then for Olivia Smith' }).click();
      await expect(summary(asha)).toBeFocused();
      await expect(summary(asha).getByRole('link')).toHaveCount(2);
      await checkPage(asha, 'age-bands-4-keep-refused');
      const until = yearsAfter(leo.born, 16, 2);
      await asha.locator('#extend-until-day').fill(String(until.getUTCDate()));
      await asha.locator('#extend-until-month').fill(String(until.getUTCMonth() + 1));
      await asha.locator('#extend-until-year').fill(String(until.getUTCFullYear()));
      await asha.getByLabel('Why does their access stay as it is?').fill(
        'Leo asked for his mother to keep helping with his diabetes through his exams',
      );
      await asha.getByRole('button', { name: 'Keep access until then for Olivia Smith' }).click();
      await expect(asha.getByText('Access kept as it is until the date you gave.')).toBeVisible();
      const kept = asha.locator('.nhsuk-card').filter({ has: asha.getByRole('heading', { name: 'Olivia Smith' }) });
      await expect(kept.getByText('Kept as it is until')).toBeVisible();
      await expect(kept.getByText('through his exams')).toBeVisible();
      await checkPage(asha, 'age-bands-5-kept');
      const told = await waitForMail(OLIVIA, "Your access to Leo's health record continues");
      expect(told.body).not.toContain('exams');
    });
  } finally {
    await stopPortico(portico);
  }
});
