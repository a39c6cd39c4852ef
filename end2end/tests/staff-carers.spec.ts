// Journey: carers on the staff side, on a phone. Asha (Diabetes Clinic
// clinician and admin) opens a child's record, sends the "Add a parent,
// guardian or carer" form empty and then half filled in (the error summary
// lists what is missing), then adds the child's mother with parental
// responsibility: the invitation email arrives, the record lists the
// invitation, and "Emails sent" lists the email and its delivery. The mother
// accepts (through the API: the carer's own pages are the patient side's).
// Morgan, the safeguarding lead, ends her access with a reason, after first
// sending the reason empty, and on an excluded record invites the patient's
// carer over the exclusion. Asha then sets when parents' access comes up.
import { test, expect, type Page } from '@playwright/test';
import { linkTo, waitForMail } from './mail';
import { checkPage, heading, phone, signInStaff, summary } from './support';

const ASHA = 'asha.patel@demo.portico.example';
const MORGAN = 'morgan.reid@demo.portico.example';
const MOTHER = 'maya.parent@carers.portico.example';
const CSRF = { 'x-portico-csrf': '1' };
const INVITED = 'You have been given access to a health record';

interface Child {
  id: string;
  name: string;
}

/** Age in whole years on today's date, from `YYYY-MM-DD`. */
function age(born: string): number {
  const [year, month, day] = born.split('-').map(Number);
  const now = new Date();
  const had = now.getMonth() + 1 > month || (now.getMonth() + 1 === month && now.getDate() >= day);
  return now.getFullYear() - year - (had ? 0 : 1);
}

/** A Diabetes Clinic record of a child from 2 to 13 (well short of the age
 * parents' access comes up), the last such on the team's pages, away from
 * the first records the other journeys use. */
async function childRecord(staff: Page): Promise<Child> {
  const teams = await (await staff.request.get('/api/v1/staff/teams')).json();
  const diabetes = teams.teams.find((t: { slug: string }) => t.slug === 'diabetes');
  let found: Child | undefined;
  for (let page = 1; ; page++) {
    const list = await (await staff.request.get(`/api/v1/staff/teams/${diabetes.id}/records?page=${page}`)).json();
    for (const r of list.records) {
      const years = age(r.date_of_birth);
      if (years >= 2 && years <= 13) found = { id: r.id, name: `${r.given_name} ${r.family_name}` };
    }
    if (page * list.page_size >= list.total) break;
  }
  if (!found) throw new Error('no child in the Diabetes Clinic');
  return found;
}

test('staff add a child\'s mother, see the invitation and its email, and a safeguarding lead ends her access', async ({ browser }) => {
  // Three people and two staff sign-ins, each with its code: about 10 s on quiet
  // cores, more than the default 30 s once a run shares them with builds.
  test.setTimeout(90_000);
  const asha = await phone(browser);
  let child: Child = { id: '', name: '' };

  await test.step('Asha opens a child\'s record: no carers yet, nothing sent', async () => {
    await signInStaff(asha, ASHA);
    child = await childRecord(asha);
    await asha.goto(`/staff/records/${child.id}`);
    await expect(heading(asha)).toHaveText(`Patient record – ${child.name}`);
    await expect(asha.getByRole('heading', { name: 'Carers and parents' })).toBeVisible();
    await expect(asha.getByText('No one has access to this record as a parent, guardian or carer.')).toBeVisible();
    await expect(asha.getByText('No invitations are waiting to be accepted.')).toBeVisible();
    await expect(asha.getByRole('heading', { name: 'Emails sent' })).toBeVisible();
    await expect(asha.getByText(/^Nothing has been sent for this record yet/)).toBeVisible();
    await checkPage(asha, 'carers-01-record-320');
  });

  await test.step('the add form sent empty, then half filled in, lists what is missing', async () => {
    await asha.getByRole('button', { name: 'Add a parent, guardian or carer' }).click();
    await expect(asha).toHaveURL(new RegExp(`/staff/records/${child.id}/carers/add$`));
    await expect(heading(asha)).toHaveText(`${child.name} – Add a parent, guardian or carer`);
    await checkPage(asha, 'carers-02-add-320');
    await asha.getByRole('button', { name: 'Send the invitation' }).click();
    await expect(summary(asha)).toBeFocused();
    await expect(asha).toHaveTitle(/^Error: /);
    await expect(summary(asha).getByRole('link')).toHaveText([
      'Choose parent or guardian, or carer of an adult who lacks capacity',
      'Enter an email address',
      'Choose what they can see',
    ]);
    await asha.getByLabel('A parent or guardian of a child').check();
    await asha.getByLabel('Their email address').fill('maya.parent@');
    await asha.getByLabel('Other', { exact: true }).check();
    await asha.getByRole('button', { name: 'Send the invitation' }).click();
    await expect(summary(asha).getByRole('link')).toHaveText([
      'Enter an email address in the correct format, like name@example.com',
      'Enter their relationship to the child',
      'Describe the legal basis',
      'Choose what they can see',
    ]);
    await expect(asha.locator('#relationship-error')).toContainText('Enter their relationship to the child');
    await summary(asha).getByRole('link', { name: 'Enter their relationship to the child' }).click();
    await expect(asha.getByLabel('Their relationship to the child')).toBeFocused();
    await checkPage(asha, 'carers-03-add-errors-320');
  });

  await test.step('Asha adds the mother, with parental responsibility', async () => {
    await asha.getByLabel('Their relationship to the child').fill('Mother');
    await asha.getByLabel('Parental responsibility').check();
    await expect(asha.getByLabel('Describe the legal basis')).toHaveCount(0);
    await asha.getByLabel('Their email address').fill(MOTHER);
    await asha.getByLabel('Everything in the record').check();
    await asha.getByRole('button', { name: 'Send the invitation' }).click();
    await expect(asha).toHaveURL(new RegExp(`/staff/records/${child.id}$`));
    await expect(asha.locator('.nhsuk-notification-banner--success')).toContainText('Invitation sent.');
    await expect(heading(asha)).toBeFocused();
    const waiting = asha.locator('.nhsuk-card', { hasText: 'Invited as' });
    await expect(waiting).toHaveCount(1);
    await expect(waiting).toContainText(MOTHER);
    await expect(waiting).toContainText('Parent or guardian');
    await expect(waiting).toContainText('Everything in the record');
  });

  let acceptLink = '';
  await test.step('the invitation email arrives, and "Emails sent" lists it as sent', async () => {
    const mail = await waitForMail(MOTHER, INVITED);
    expect(mail.body).toContain(`see ${child.name.split(' ')[0]}'s health record`);
    acceptLink = linkTo(mail.body, '/carers/accept');
    const sent = asha.locator('.nhsuk-card', { has: asha.getByRole('heading', { name: 'Invitation to be a carer' }) });
    // Marked sent a moment after the SMTP server took it.
    await expect(async () => {
      await asha.reload();
      await expect(sent.locator('.nhsuk-tag')).toHaveText('Sent', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(sent).toHaveCount(1);
    await expect(sent).toContainText(`Email to ${MOTHER}`);
    await checkPage(asha, 'carers-04-invited-320');
  });

  await test.step('the mother accepts, registering with the emailed link', async () => {
    const token = new URL(acceptLink).searchParams.get('token');
    const context = await browser.newContext();
    const registered = await context.request.post('/api/v1/carer-invitations/register', {
      headers: CSRF,
      data: { token, display_name: 'Maya Parent', password: 'a long carer passphrase 2026', accept_terms: true },
    });
    expect(registered.status()).toBeLessThan(300);
    await context.close();
  });

  const morgan = await phone(browser);
  await test.step('Morgan, the safeguarding lead, ends the mother\'s access with a reason', async () => {
    await signInStaff(morgan, MORGAN);
    await morgan.goto(`/staff/records/${child.id}`);
    const mother = morgan.locator('.nhsuk-card', { has: morgan.getByRole('heading', { name: 'Maya Parent' }) });
    await expect(mother).toContainText(MOTHER);
    await expect(mother).toContainText('Parent or guardian');
    await expect(mother).toContainText('Mother');
    await expect(mother).toContainText('Parental responsibility');
    await expect(morgan.getByText('No invitations are waiting to be accepted.')).toBeVisible();
    await mother.getByRole('button', { name: 'End access for Maya Parent' }).click();
    await expect(morgan.getByLabel('Why is their access ending?')).toBeVisible();
    await mother.getByRole('button', { name: 'End access for Maya Parent' }).click();
    await expect(summary(morgan)).toBeFocused();
    await expect(summary(morgan).getByRole('link')).toHaveText(['Enter why the access ends']);
    await checkPage(morgan, 'carers-05-end-errors-320');
    await morgan.getByLabel('Why is their access ending?').fill('Court order of 20 November removes contact.');
    await mother.getByRole('button', { name: 'End access for Maya Parent' }).click();
    await expect(morgan.locator('.nhsuk-notification-banner--success')).toContainText('Access ended.');
    await expect(morgan.getByText('No one has access to this record as a parent, guardian or carer.')).toBeVisible();
    await checkPage(morgan, 'carers-06-ended-320');
  });

  await test.step('on an excluded record, Morgan invites the patient\'s carer over the exclusion', async () => {
    const teams = await (await morgan.request.get('/api/v1/staff/teams')).json();
    const cardiology = teams.teams.find((t: { slug: string }) => t.slug === 'cardiology');
    const list = await (await morgan.request.get(`/api/v1/staff/teams/${cardiology.id}/records?page=1`)).json();
    let excluded = '';
    for (const r of list.records) {
      const detail = await (await morgan.request.get(`/api/v1/staff/records/${r.id}`)).json();
      if (detail.exclusion) excluded = r.id;
    }
    expect(excluded, 'the demo\'s excluded Cardiology record').not.toBe('');
    await morgan.goto(`/staff/records/${excluded}`);
    await expect(morgan.getByRole('heading', { name: 'Invite the patient\'s carer, overriding the exclusion' })).toBeVisible();
    const send = morgan.getByRole('button', { name: 'Send the invitation' });
    await send.click();
    await expect(summary(morgan)).toBeFocused();
    await expect(summary(morgan).getByRole('link')).toHaveText([
      'Enter an email address',
      'Choose what the carer can see',
      'Enter why the exclusion is overridden',
    ]);
    await checkPage(morgan, 'carers-07-override-errors-320');
    await morgan.getByLabel('Carer\'s email address').fill('sam.carer@carers.portico.example');
    await morgan.getByLabel('Everything except private and sensitive entries').check();
    await morgan.getByLabel('Why is the exclusion being overridden?').fill('Agreed at the strategy meeting of 25 November.');
    await send.click();
    await expect(morgan.locator('.nhsuk-notification-banner--success')).toContainText('overriding the exclusion');
    const waiting = morgan.locator('.nhsuk-card', { hasText: 'Invited as' });
    await expect(waiting).toContainText('sam.carer@carers.portico.example');
    await expect(waiting).toContainText('Carer invited by the patient');
  });

  await test.step('Asha, an admin, sets how parents\' access changes as a child grows up', async () => {
    await asha.goto('/staff');
    await asha.getByRole('link', { name: 'Parents\' access as a child grows up' }).click();
    await expect(heading(asha)).toHaveText('Parents\' access as a child grows up');
    const at16 = asha.getByLabel('At 16');
    await expect(at16).toHaveValue('end');
    const inviteAge = asha.getByLabel('At what age is the young person invited to their own record?');
    await expect(inviteAge).toHaveValue('16');
    await inviteAge.fill('19');
    await asha.getByRole('button', { name: 'Save the carer settings' }).click();
    await expect(summary(asha).getByRole('link')).toHaveText(['Enter an age from 12 to 18']);
    await checkPage(asha, 'carers-08-settings-errors-320');
    await inviteAge.fill('16');
    await at16.selectOption('review');
    await asha.getByRole('button', { name: 'Save the carer settings' }).click();
    await expect(summary(asha).getByRole('link')).toHaveText([
      'The last age must end a parent\'s access (at 18 at the latest)',
    ]);
    await asha.getByLabel('At 18').selectOption('end');
    await asha.getByRole('button', { name: 'Save the carer settings' }).click();
    await expect(asha.locator('.nhsuk-notification-banner--success')).toContainText('The carer settings are saved.');
    await checkPage(asha, 'carers-09-settings-saved-320');
    // Back as it was, for the journeys after this one.
    await at16.selectOption('end');
    await asha.getByLabel('At 18').selectOption({ label: 'No change' });
    await asha.getByRole('button', { name: 'Save the carer settings' }).click();
    await expect(asha.locator('.nhsuk-notification-banner--success')).toBeVisible();
  });
});
