// Journey: a campaign survives kill -9. The test runs a Portico of its own
// (the same binary and site, a fresh SQLite file with 400 demo records, small
// chunks, a five-second lease, texts to the run's Notify stand-in); Asha
// starts a text-message campaign in the browser, the server is killed with
// SIGKILL mid-run and started again, and the campaign page, reloaded,
// follows it to the end: every invitation made once, every text sent once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { notifyRecord } from './notify';
import { freePort, startPortico, stopPortico } from './own-portico';
import { checkPage, heading, signInStaff } from './support';

const env = process.env;
const ASHA = 'asha.patel@demo.portico.example';

test.skip(!notifyRecord() || !env.PORTICO_E2E_NOTIFY_PORT, 'needs the Notify stand-in the default run starts');

/** This journey's Portico: 400 demo records, small chunks, a five-second
 * lease, texts to the run's Notify stand-in. */
function startCampaignPortico(port: number, dir: string) {
  return startPortico(port, dir, 400, {
    PORTICO_NOTIFY_BASE_URL: `http://127.0.0.1:${env.PORTICO_E2E_NOTIFY_PORT}/`,
    PORTICO_NOTIFY_API_KEY:
      'portico_standin-7d1b3f2e-0c4a-4b8e-9f61-2a5c8d9e0b17-3c9e5a71-8f2d-4e6b-a0c4-51d7e9b2f863',
    PORTICO_NOTIFY_SMS_INVITATION_TEMPLATE_ID: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
    PORTICO_CAMPAIGN_CHUNK_SIZE: '10',
    PORTICO_CLAIM_LEASE_SECS: '5',
    PORTICO_NOTIFY_MESSAGES_PER_MINUTE: '0',
  });
}

async function signIn(page: Page, base: string, dir: string) {
  await signInStaff(page, ASHA, { base, database: join(dir, 'portico.db') });
}

test('a text-message campaign killed with SIGKILL mid-run resumes after a restart, nothing lost or doubled', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'portico-crash-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let portico = await startCampaignPortico(port, dir);
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, base, dir);
    const teams = (await (await page.request.get(`${base}/api/v1/staff/teams`)).json()).teams;
    const diabetes = teams.find((t: { slug: string }) => t.slug === 'diabetes');
    await page.goto(`${base}/staff/teams/${diabetes.id}/campaigns/new`);
    await page.getByLabel('Name of the campaign').fill('Texts, everyone never invited');
    await page.getByLabel('Text messages').check();
    await page.getByLabel('Never invited').check();
    await page.getByRole('button', { name: 'Count the cohort' }).click();
    const start = page.getByRole('button', { name: 'Start the campaign' });
    await expect(start).toBeVisible();
    await start.click();
    await expect(page.locator('main .nhsuk-tag').first()).toHaveText('Running');
    const campaignUrl = page.url();
    const id = campaignUrl.split('/').pop()!;

    // Killed while it runs, then started again on the same database.
    await page.waitForTimeout(400);
    await stopPortico(portico, 'SIGKILL');
    portico = await startCampaignPortico(port, dir);

    await page.goto(campaignUrl);
    await expect(page.locator('main .nhsuk-tag').first()).toHaveText('Finished', { timeout: 120_000 });
    await checkPage(page, 'campaign-crash-finished');
    const view = await (await page.request.get(`${base}/api/v1/staff/campaigns/${id}`)).json();
    const progress = view.campaign.progress;
    expect(progress.processed).toBe(progress.total);
    expect(progress.sent).toBe(progress.issued);
    expect(progress.issued).toBeGreaterThan(100);

    // The stand-in accepted exactly one text per invitation of this campaign.
    const accepted = new Map<string, number>();
    const requests = await (await fetch(`http://127.0.0.1:${env.PORTICO_E2E_NOTIFY_PORT}/_standin/requests`)).json();
    for (const r of requests) {
      if (r.path === '/v2/notifications/sms' && r.status === 201 && r.body?.personalisation?.link?.startsWith(base)) {
        accepted.set(r.body.reference, (accepted.get(r.body.reference) ?? 0) + 1);
      }
    }
    expect([...accepted.values()].filter((n) => n > 1)).toEqual([]);
    expect(accepted.size).toBe(progress.issued);
  } finally {
    await stopPortico(portico, 'SIGKILL');
  }
});
