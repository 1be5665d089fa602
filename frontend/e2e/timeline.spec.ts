// A timeline to work in, at desktop and phone sizes: filter by type, order remembered per person,
// key events starred (kept after a reload and listed in the exported report), Ctrl+Enter posts a
// note, and a half-written note survives going to the dashboard and back.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type Page } from '@playwright/test';
import { accessibilityViolations, artifactsDir, login, openPage, useConsole } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const SHOTS = '/tmp/shots-timeline';

const world = useConsole('timeline');

async function api(page: Page, base: string, method: string, path: string, body?: unknown) {
  const token = await page.evaluate(() => window.localStorage.getItem('incident-console.token'));
  const response = await page.request.fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok(), `${method} ${path}: ${response.status()} ${await response.text()}`);
  return (await response.json()) as { id: number; version: number };
}

const timeline = (page: Page) => page.getByRole('list', { name: 'Timeline' });
const items = (page: Page) => timeline(page).getByRole('listitem');
const chips = (page: Page) => page.getByRole('group', { name: 'Show events of type' });

async function noSideScroll(page: Page, where: string) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${where}: no horizontal scroll (${scroll} > ${client})`);
}

async function cleanA11y(page: Page, where: string) {
  assert.deepEqual(await accessibilityViolations(page), [], `${where}: no WCAG 2.2 A/AA violations (axe-core)`);
}

for (const size of SIZES) {
  test.describe(`timeline at ${size.name} size`, () => {
    let incidentId = 0;
    const shot = (page: Page, label: string) => {
      mkdirSync(SHOTS, { recursive: true });
      const card = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Timeline' }) });
      return card.screenshot({ path: join(SHOTS, `${size.name}-${label}.png`) });
    };
    const open = async (page: Page, base: string) => {
      await page.goto(`${base}/ui/incidents/${incidentId}`);
      await timeline(page).waitFor();
    };

    test.beforeAll(async () => {
      const { page, server } = world();
      await page.setViewportSize(size.viewport);
      if (!page.url().startsWith(server.url)) await login(page, server.url, 'avery');
      const incident = await api(page, server.url, 'POST', '/incidents', {
        title: `Checkout latency ${size.name}`,
        severity: 'SEV2',
        service_id: 1,
      });
      incidentId = incident.id;
      await api(page, server.url, 'POST', `/incidents/${incidentId}/comments`, { body: 'p99 above 2s on checkout' });
      await api(page, server.url, 'POST', `/incidents/${incidentId}/status`, { status: 'Investigating' });
      await api(page, server.url, 'POST', `/incidents/${incidentId}/comments`, { body: 'Rolled back the cart service' });
    });

    test('filters the timeline by event type, with a count per type', async () => {
      const { page, server, problems } = world();
      await open(page, server.url);
      assert.equal(await items(page).count(), 4);
      const comment = chips(page).getByRole('button', { name: /^Comment 2$/ });
      await comment.click();
      assert.equal(await comment.getAttribute('aria-pressed'), 'true');
      assert.equal(await items(page).count(), 2);
      for (const text of await items(page).allTextContents()) assert.match(text, /^❝ Comment/);
      await page.getByText('Showing 2 of 4 events').waitFor();
      await shot(page, 'filtered-comments');
      await noSideScroll(page, 'filtered timeline');

      await chips(page).getByRole('button', { name: /^Status 1$/ }).click();
      assert.equal(await items(page).count(), 3);
      await chips(page).getByRole('button', { name: /^All 4$/ }).click();
      assert.equal(await items(page).count(), 4);
      assert.deepEqual(problems, []);
    });

    test('toggles newest or oldest first, remembered for this person after a reload', async () => {
      const { page, server } = world();
      await open(page, server.url);
      await page.getByLabel('Order').selectOption('oldest');
      assert.match((await items(page).first().textContent()) ?? '', /opened on/);
      await page.getByLabel('Order').selectOption('newest');
      assert.match((await items(page).first().textContent()) ?? '', /Rolled back the cart service/);
      const me = await page.evaluate(async () => {
        const token = window.localStorage.getItem('incident-console.token');
        const r = await fetch('/auth/me', { headers: { Authorization: `Bearer ${token}` } });
        return ((await r.json()) as { id: number }).id;
      });
      assert.equal(await page.evaluate((id) => window.localStorage.getItem(`incident-console.timeline-order.${id}`), me), 'newest');
      await page.reload();
      await timeline(page).waitFor();
      assert.equal(await page.getByLabel('Order').inputValue(), 'newest');
      assert.match((await items(page).first().textContent()) ?? '', /Rolled back the cart service/);
      await page.getByLabel('Order').selectOption('oldest');
      assert.match((await items(page).first().textContent()) ?? '', /opened on/);
    });

    test('stars a key event: still starred after a reload, and in the report’s Key events', async () => {
      const { page, server, problems } = world();
      await open(page, server.url);
      const event = items(page).filter({ hasText: 'Rolled back the cart service' });
      const toggle = event.getByRole('button', { name: 'Key event' });
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await toggle.click();
      await page.getByRole('status').filter({ hasText: 'Starred as a key event.' }).waitFor();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await event.getByText(/^Starred by /).waitFor();

      await page.reload();
      await timeline(page).waitFor();
      const again = items(page).filter({ hasText: 'Rolled back the cart service' });
      assert.equal(await again.getByRole('button', { name: 'Key event' }).getAttribute('aria-pressed'), 'true');
      assert.equal(
        await items(page).filter({ hasText: 'p99 above 2s' }).getByRole('button', { name: 'Key event' }).getAttribute('aria-pressed'),
        'false',
      );
      await chips(page).getByRole('button', { name: /Key events 1$/ }).click();
      assert.equal(await items(page).count(), 1);
      await shot(page, 'key-events');
      await cleanA11y(page, 'incident with a starred event');
      await chips(page).getByRole('button', { name: /^All 4$/ }).click();

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export Post-Incident Report (Markdown)' }).click(),
      ]);
      const file = join(artifactsDir, `timeline-${size.name}-${download.suggestedFilename()}`);
      await download.saveAs(file);
      const report = await readFile(file, 'utf8');
      const section = report.split('## Key events', 2)[1]?.split('\n## ', 1)[0] ?? '';
      const lines = section.split('\n').filter((l) => l.startsWith('- '));
      assert.equal(lines.length, 1, section);
      assert.match(lines[0], /^- \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z — Rolled back the cart service — /);
      assert.deepEqual(problems, []);
    });

    test('a star reaches another open console without a reload', async ({ browser }) => {
      const { page, server } = world();
      await open(page, server.url);
      const other = await openPage(browser, `timeline-other-${size.name}`);
      try {
        await other.page.setViewportSize(size.viewport);
        await login(other.page, server.url, 'jordan');
        await open(other.page, server.url);
        await other.page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
        const theirs = items(other.page).filter({ hasText: 'p99 above 2s' }).getByRole('button', { name: 'Key event' });
        assert.equal(await theirs.getAttribute('aria-pressed'), 'false');
        await items(page).filter({ hasText: 'p99 above 2s' }).getByRole('button', { name: 'Key event' }).click();
        await other.page.waitForFunction(
          () =>
            [...document.querySelectorAll('li.event')].some(
              (li) => li.textContent?.includes('p99 above 2s') && li.querySelector('button[aria-pressed="true"]'),
            ),
          undefined,
          { timeout: 10_000 },
        );
        await items(page).filter({ hasText: 'p99 above 2s' }).getByRole('button', { name: 'Key event' }).click();
        await other.page.waitForFunction(
          () =>
            [...document.querySelectorAll('li.event')].some(
              (li) => li.textContent?.includes('p99 above 2s') && li.querySelector('button[aria-pressed="false"]'),
            ),
          undefined,
          { timeout: 10_000 },
        );
        assert.deepEqual(other.problems, []);
      } finally {
        await other.close();
      }
    });

    test('Ctrl+Enter posts a note', async () => {
      const { page, server } = world();
      await open(page, server.url);
      const box = page.getByLabel('Comment', { exact: true });
      await box.fill(`Error budget burn slowing ${size.name}`);
      await box.press('Control+Enter');
      await page.getByRole('status').filter({ hasText: 'Comment posted to the timeline.' }).waitFor();
      await items(page).filter({ hasText: `Error budget burn slowing ${size.name}` }).waitFor();
      assert.equal(await box.inputValue(), '');
    });

    test('a half-written note survives going to the dashboard and back', async () => {
      const { page, server } = world();
      await open(page, server.url);
      const draft = `Suspect the CDN\nchecking edge logs (${size.name})`;
      await page.getByLabel('Comment', { exact: true }).fill(draft);
      await shot(page, 'draft');
      await page.getByRole('link', { name: 'Incidents' }).first().click();
      await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
      await page.goBack();
      await timeline(page).waitFor();
      assert.equal(await page.getByLabel('Comment', { exact: true }).inputValue(), draft);
      await noSideScroll(page, 'incident with a draft');
      await cleanA11y(page, 'incident with a draft');

      await page.getByRole('button', { name: 'Add comment' }).click();
      await items(page).filter({ hasText: 'checking edge logs' }).waitFor();
      await page.reload();
      await timeline(page).waitFor();
      assert.equal(await page.getByLabel('Comment', { exact: true }).inputValue(), '', 'a posted note leaves no draft');
    });
  });
}
