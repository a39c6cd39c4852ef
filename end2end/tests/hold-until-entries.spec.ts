// Journey: invite when there is something to see. Jordan Hughes, the
// Respiratory Clinic's admin, turns on the team's setting that holds a
// campaign's invitation until the patient's record has an entry, then texts
// two patients: one whose record has a result is invited at once; the other,
// with an empty record, is held (the preview says so) and gets nothing until
// a result arrives by the FHIR feed, when the invitation goes out by itself.
//
// Records only the Respiratory Clinic holds, never invited, as the campaigns
// journey chooses them; the team's setting is put back at the end, so the
// other journeys' campaigns invite as before.
import { test, expect, type Page } from '@playwright/test';
import { notifyRecord, notifyRequests, waitForText } from './notify';
import { checkPage, heading, phone, signInStaff } from './support';

const JORDAN = 'jordan.hughes@demo.portico.example';
const CSRF = { 'x-portico-csrf': '1' };
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

test.skip(!notifyRecord(), 'needs the Notify stand-in the default run starts');

interface RecordRow {
  id: string;
  nhs_number: string;
  given_name: string;
  family_name: string;
}

async function respiratory(jordan: Page): Promise<string> {
  const teams = (await (await jordan.request.get('/api/v1/staff/teams')).json()).teams;
  return teams.find((t: { slug: string }) => t.slug === 'respiratory').id;
}

/** Two records only the Respiratory Clinic holds, never invited, with a mobile number and no entries. */
async function twoEmptyRecords(jordan: Page, teamId: string): Promise<{ record: RecordRow; mobile: string }[]> {
  const found: { record: RecordRow; mobile: string }[] = [];
  for (let page = 1; found.length < 2; page++) {
    const answer = await (await jordan.request.get(`/api/v1/staff/teams/${teamId}/records?page=${page}`)).json();
    expect(answer.records.length, 'enough Respiratory-only records').toBeGreaterThan(0);
    for (const record of answer.records as RecordRow[]) {
      if (found.length === 2) break;
      if (['Okafor', 'Hughes'].includes(record.family_name)) continue;
      const detail = await (await jordan.request.get(`/api/v1/staff/records/${record.id}`)).json();
      const empty = (detail.entries ?? []).length === 0;
      if (detail.teams.length === 1 && detail.registration === 'not_invited' && detail.record.mobile && empty) {
        found.push({ record, mobile: detail.record.mobile });
      }
    }
  }
  return found;
}

/** A result for the record with `nhsNumber`, as a laboratory system sends it over the team's FHIR feed. */
async function resultArrives(jordan: Page, key: string, nhsNumber: string, id: string) {
  const bundle = {
    resourceType: 'Bundle',
    type: 'batch',
    entry: [
      {
        resource: {
          resourceType: 'Observation',
          id,
          subject: { identifier: { system: NHS, value: nhsNumber } },
          code: { text: 'Peak flow' },
          effectiveDateTime: '2026-11-27T09:30:00Z',
          valueQuantity: { value: 420, unit: 'L/min' },
        },
      },
    ],
  };
  const answer = await jordan.request.post('/api/v1/feeds/fhir', {
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' },
    data: JSON.stringify(bundle),
  });
  expect(answer.status()).toBe(200);
  const outcome = await answer.json();
  expect(outcome.entry[0].response.status).toBe('201 Created');
}

function csvOf(numbers: string[]) {
  return { name: 'cohort.csv', mimeType: 'text/csv', buffer: Buffer.from(['nhs_number', ...numbers].join('\n') + '\n') };
}

const fact = (page: Page, name: string) =>
  page.locator('.nhsuk-summary-list__row', { has: page.locator('dt', { hasText: name }) }).locator('dd');

test('a held invitation goes out by itself once the record has an entry', async ({ browser }) => {
  test.setTimeout(150_000);
  const jordan = await phone(browser);
  await signInStaff(jordan, JORDAN);
  const teamId = await respiratory(jordan);
  const [ready, empty] = await twoEmptyRecords(jordan, teamId);
  const feed = await jordan.request.post(`/api/v1/staff/teams/${teamId}/feed-keys`, {
    headers: CSRF,
    data: { name: 'Laboratory (hold journey)' },
  });
  expect(feed.status()).toBe(201);
  const key: string = (await feed.json()).key;

  try {
    await test.step("Jordan turns on the team's setting: hold invitations until the record has something to see", async () => {
      await jordan.goto('/staff');
      await jordan.getByRole('link', { name: 'Respiratory Clinic' }).click();
      await jordan.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await jordan.getByRole('link', { name: 'Invitation settings' }).click();
      await expect(heading(jordan)).toContainText('Invitation settings');
      await checkPage(jordan, 'hold-1-settings');
      await jordan.getByLabel('Yes, wait until the record has something in it').check();
      await jordan.getByRole('button', { name: 'Save the invitation settings' }).click();
      await expect(jordan.getByRole('status')).toContainText('The invitation settings are saved');
      await checkPage(jordan, 'hold-2-settings-saved');
    });

    await test.step('one record gets a result; the preview counts the other as held', async () => {
      await resultArrives(jordan, key, ready.record.nhs_number, `hold-journey-${ready.record.id}`);
      await jordan.getByRole('link', { name: "Back to the team's campaigns" }).click();
      await jordan.getByRole('button', { name: 'Start a new campaign' }).click();
      await expect(heading(jordan)).toContainText('Start a campaign');
      await expect(jordan.getByLabel('Wait until their record has something in it')).toBeChecked();
      await jordan.getByLabel('Name of the campaign').fill('Texts when there is something to see');
      await jordan.getByLabel('Text messages').check();
      await jordan.getByLabel('Never invited').check();
      await jordan
        .getByLabel('Only these NHS numbers (optional)')
        .setInputFiles(csvOf([ready.record.nhs_number, empty.record.nhs_number]));
      await jordan.getByRole('button', { name: 'Count the cohort' }).click();
      await expect(jordan.getByText('Held until their record has an entry: 1')).toBeVisible();
      await expect(jordan.getByText('1 patient will be invited')).toBeVisible();
      await checkPage(jordan, 'hold-3-preview');
      await jordan.getByRole('button', { name: 'Start the campaign' }).click();
      await expect(heading(jordan)).toContainText('Texts when there is something to see');
    });

    await test.step('the patient with a result is texted; the one with an empty record gets nothing', async () => {
      await expect(fact(jordan, 'Held until their record has an entry')).toHaveText('1', { timeout: 30_000 });
      await waitForText(ready.mobile);
      await new Promise((r) => setTimeout(r, 2_000));
      const toEmpty = notifyRequests().filter((r) => r.path === '/v2/notifications/sms' && r.body?.phone_number === empty.mobile);
      expect(toEmpty).toEqual([]);
      await checkPage(jordan, 'hold-4-campaign-held');
    });

    await test.step("a result arrives for the held patient: the invitation goes out by itself", async () => {
      await resultArrives(jordan, key, empty.record.nhs_number, `hold-journey-${empty.record.id}`);
      const text = await waitForText(empty.mobile);
      expect(text.jwt_valid).toBe(true);
      expect(text.body.personalisation.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await jordan.reload();
      await expect(fact(jordan, 'Released (invited once their record had an entry)')).toHaveText('1', { timeout: 10_000 });
      await expect(fact(jordan, 'Held until their record has an entry')).toHaveText('0');
      await expect(fact(jordan, 'Invitations made')).toHaveText('2');
      await checkPage(jordan, 'hold-5-campaign-released');
    });
  } finally {
    await jordan.request.put(`/api/v1/staff/teams/${teamId}/invitation-settings`, {
      headers: CSRF,
      data: { hold_until_entries: false },
    });
  }
});
