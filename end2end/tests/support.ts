// What every journey shares: a phone-sized page, staff sign-in, and the
// check each page passes (axe at WCAG 2.2 AA, nothing wider than the screen,
// a screenshot to look at).
import { expect, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { DEMO_TOTP_SECRET, forgetLastCodes, totpCode } from './authenticator';

export const STAFF_PASSWORD = 'portico-demo-password';
export const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const PHONE = { width: 320, height: 700 };

export const heading = (page: Page) => page.getByRole('heading', { level: 1 });
export const summary = (page: Page) => page.locator('.nhsuk-error-summary');

export async function snap(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/** axe finds nothing, and nothing is wider than the screen. */
export async function checkPage(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
  await snap(page, name);
}

/** A page in a browser context of its own, the size of a small phone. */
export async function phone(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE });
  return context.newPage();
}

/** Where a professional's sign-in goes: the run's shared server, or a journey's own. */
export interface SignInAt {
  base?: string;
  database?: string;
  offsetDays?: number;
}

/** Signs a demo professional in through the staff sign-in page: password, then the authenticator's code. */
export async function signInStaff(page: Page, email: string, at: SignInAt = {}) {
  await page.goto(`${at.base ?? ''}/staff/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await enterAuthenticatorCode(page, at);
  await expect(heading(page)).toHaveText('Your teams');
}

/** The second step of a demo professional's sign-in: the code their authenticator shows now. */
export async function enterAuthenticatorCode(page: Page, at: SignInAt = {}) {
  await expect(heading(page)).toHaveText('Enter the code from your authenticator app');
  forgetLastCodes(at.database);
  await page.getByLabel('Security code').fill(totpCode(DEMO_TOTP_SECRET, Date.now(), at.offsetDays ?? 0));
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** A record as the registration journeys need it: who, and the date of birth as typed. */
export interface Patient {
  id: string;
  given: string;
  family: string;
  dob: { day: string; month: string; year: string };
}

/** The `nth` record (from 0) on the first page of the Diabetes Clinic's records, as `staff` sees them. */
export async function diabetesRecord(staff: Page, nth: number): Promise<Patient> {
  const teams = await (await staff.request.get('/api/v1/staff/teams')).json();
  const diabetes = teams.teams.find((t: { slug: string }) => t.slug === 'diabetes');
  const list = await (await staff.request.get(`/api/v1/staff/teams/${diabetes.id}/records?page=1`)).json();
  const record = list.records[nth];
  const [year, month, day] = record.date_of_birth.split('-');
  return {
    id: record.id,
    given: record.given_name,
    family: record.family_name,
    dob: { day: String(Number(day)), month: String(Number(month)), year },
  };
}

/** Fills in the date of birth page and continues. */
export async function enterDateOfBirth(page: Page, dob: Patient['dob']) {
  await page.getByLabel('Day').fill(dob.day);
  await page.getByLabel('Month').fill(dob.month);
  await page.getByLabel('Year').fill(dob.year);
  await page.getByRole('button', { name: 'Continue' }).click();
}
