// Follow-ups, at a desktop and a phone size: an admin makes a service require a follow-up to
// close SEV2 incidents; the resolved incident's close checklist names it and takes the reader
// to the add form; a follow-up with an owner and a past due date is added, the checklist clears,
// My follow-ups (from the main navigation) shows it first and marked overdue with a link back to
// its incident, and the incident closes. axe-clean and no sideways scrolling throughout.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test, type Page } from '@playwright/test';
import { accessibilityViolations, login, navLink, openPage, startBackend, type Backend, type Session } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const SHOTS = '/tmp/shots-followups';

async function noHorizontalScroll(page: Page, where: string) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll}px wide in ${client}px)`);
}

async function axeClean(page: Page, where: string) {
  assert.deepEqual(await accessibilityViolations(page), [], `${where}: accessibility violations`);
}

/** A SEV2 incident on checkout-api, Resolved with its RCA written, through the API. */
async function resolvedIncident(url: string): Promise<{ id: number; serviceId: number }> {
  const login = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'avery', password: 'demo123' }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  const services = (await call('GET', '/services')) as unknown as { id: number; name: string }[];
  const serviceId = services.find((s) => s.name === 'checkout-api')!.id;
  const incident = await call('POST', '/incidents', { title: 'Payments time out at the gateway', severity: 'SEV2', service_id: serviceId });
  const id = incident.id as number;
  for (const status of ['Investigating', 'Mitigated', 'Resolved']) await call('POST', `/incidents/${id}/status`, { status });
  await call('PUT', `/incidents/${id}/rca`, {
    root_cause: 'The gateway pool was exhausted',
    contributing_factors: 'A retry storm',
    corrective_actions: 'Raised the pool size',
    prevention_actions: 'Alert on pool saturation',
  });
  return { id, serviceId };
}

function isoDaysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

for (const size of SIZES) {
  test.describe(`follow-ups (${size.name})`, () => {
    test.describe.configure({ mode: 'serial' });
    let server: Backend | undefined;
    let session: Session | undefined;
    let shotNo = 0;
    const shot = async (page: Page, label: string) => {
      mkdirSync(SHOTS, { recursive: true });
      shotNo += 1;
      await page.screenshot({ path: `${SHOTS}/${size.name}-${String(shotNo).padStart(2, '0')}-${label}.png`, fullPage: true });
    };

    test.beforeAll(async ({ browser }, testInfo) => {
      testInfo.setTimeout(120_000);
      server = await startBackend();
      session = await openPage(browser, `followups-${size.name}`);
      await session.page.setViewportSize(size.viewport);
    });
    test.afterAll(async () => {
      await session?.close();
      await server?.stop();
    });

    test('a service requires a follow-up to close; it is added, listed as overdue, and the incident closes', async () => {
      assert.ok(server && session);
      const { page, problems } = session;
      const { id } = await resolvedIncident(server.url);
      await login(page, server.url, 'jordan');

      // The admin asks for a follow-up before closing checkout-api's SEV2 incidents.
      await (await navLink(page, 'Runbooks')).click();
      await page.getByRole('button', { name: 'Edit follow-ups required to close checkout-api' }).click();
      const rule = page.getByRole('form', { name: 'Edit follow-ups required to close checkout-api' });
      await rule.getByLabel('SEV2').check();
      await axeClean(page, 'follow-up rule editor');
      await noHorizontalScroll(page, 'follow-up rule editor');
      await shot(page, 'rule-editor');
      await rule.getByRole('button', { name: 'Save follow-up rule' }).click();
      // The editor's own preview says the rule as soon as SEV2 is ticked; the form goes only
      // once the server has saved it (navigating before that could cancel the save).
      await rule.waitFor({ state: 'detached' });
      await page.getByText('Closing a SEV2 incident also needs a follow-up with an owner and a due date.').first().waitFor();

      // The resolved incident's checklist names the follow-up and takes the reader to the form.
      await page.goto(`${server.url}/ui/incidents/${id}`);
      const checklist = page.getByRole('region', { name: /Before closing/ });
      await checklist.getByText('1 item left').waitFor();
      await page.getByRole('button', { name: 'Add follow-up' }).waitFor();
      await checklist.getByRole('link', { name: /A follow-up with an owner and a due date/ }).click();
      const card = page.getByRole('region', { name: /^Follow-ups/ });
      const title = card.getByLabel('What needs doing');
      await assert.doesNotReject(async () => {
        await page.waitForFunction(() => document.activeElement?.id === 'followup-new-title');
      });
      await axeClean(page, 'incident with the follow-up blocker');
      await noHorizontalScroll(page, 'incident with the follow-up blocker');
      await shot(page, 'blocked');

      // Closing now is refused, naming the follow-up.
      await page.getByRole('group', { name: 'Move incident' }).getByRole('button', { name: 'Closed' }).click();
      await page.getByRole('alert').filter({ hasText: /follow-up with an owner and a due date/ }).waitFor();

      await title.fill('Alert on gateway pool saturation');
      await card.getByLabel('Kind').selectOption('preventive');
      await card.getByLabel('Owner').selectOption({ label: 'Jordan Lee' });
      await card.getByLabel('Due date').fill(isoDaysFromToday(-2));
      await card.getByLabel('Ticket link').fill('https://tickets.example.com/PAY-42');
      await card.getByRole('button', { name: 'Add follow-up' }).click();
      const item = card.getByRole('listitem').filter({ hasText: 'Alert on gateway pool saturation' });
      await item.getByText('Overdue').waitFor();
      await checklist.getByText('ready to close').waitFor();
      // The refusal spoke of the incident before its follow-up: it is gone.
      await page.getByRole('alert').filter({ hasText: /follow-up with an owner and a due date/ }).waitFor({ state: 'detached' });
      await page.getByText('Follow-up added: Alert on gateway pool saturation').first().waitFor();
      await axeClean(page, 'incident with a follow-up');
      await noHorizontalScroll(page, 'incident with a follow-up');
      await shot(page, 'follow-up-added');

      // My follow-ups, from the main navigation: overdue first, marked, linking to the incident.
      await (await navLink(page, 'Follow-ups')).click();
      await page.getByRole('heading', { name: 'My follow-ups', level: 1 }).waitFor();
      const mine = page.getByRole('list', { name: 'My follow-ups' }).getByRole('listitem');
      await mine.first().filter({ hasText: 'Alert on gateway pool saturation' }).waitFor();
      await mine.first().getByText('Overdue').waitFor();
      await page.getByText('1 overdue item · 1 open item').waitFor();
      await axeClean(page, 'my follow-ups');
      await noHorizontalScroll(page, 'my follow-ups');
      await shot(page, 'my-follow-ups');
      await mine.first().getByRole('link', { name: /Payments time out at the gateway/ }).click();

      // Back on the incident, it closes now.
      await page.getByRole('group', { name: 'Move incident' }).getByRole('button', { name: 'Closed' }).click();
      await page.getByText('Moved to Closed.').waitFor();
      await shot(page, 'closed');
      assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
    });
  });
}
