// The dashboard an on-call engineer opens at 3 a.m., on a laptop and on a phone: the server's
// urgency order across pages, cards and folded filters on a phone, bulk triage that reports
// each row, and the keyboard (j/k/Enter, `?`, shortcuts off). Every test runs at both sizes.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test, type Page } from '@playwright/test';
import { accessibilityViolations, login, openMenu, useConsole } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const SHOTS = '/tmp/shots-dash';
const OPEN = 'status=New&status=Investigating&status=Mitigated';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the real API, read loosely.
type Json = any;

async function api(base: string, path: string, init: { method?: string; body?: object; headers?: Record<string, string> } = {}): Promise<Json> {
  const signIn = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'jordan', password: 'demo123' }),
  });
  const { access_token } = await signIn.json();
  const r = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json', ...init.headers },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  assert.ok(r.ok, `${path}: HTTP ${r.status} ${await r.clone().text()}`);
  return r.json();
}

async function noHorizontalScroll(page: Page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `the page scrolls sideways: ${scroll}px wide in a ${width}px window`);
}

async function axeClean(page: Page) {
  assert.deepEqual(await accessibilityViolations(page), [], 'no WCAG 2.2 A/AA violations (axe-core)');
}

/** The incident links of the list, in the order shown (table rows or cards). */
const incidentLinks = (page: Page) => page.locator('main a.incident-link');

for (const size of SIZES) {
  test.describe(`dashboard on a ${size.name}`, () => {
    const world = useConsole(`dashboard-${size.name}`);
    const tag = `Ordertest${size.name}`;
    let breachedId = 0;
    // A phone shows what fits its screen; the desktop the whole page.
    const shot = (page: Page, label: string) =>
      page.screenshot({ path: `${SHOTS}/${size.name}-${label}.png`, fullPage: size.name === 'desktop' });

    test('opens on open incidents, most urgent first, with owners who can own incidents', async () => {
      const { page, server } = world();
      mkdirSync(SHOTS, { recursive: true });
      await page.setViewportSize(size.viewport);
      // A SEV1 due for acknowledgement within a minute, created FIRST: 30 newer incidents push
      // it to the second page of a newest-first list. It breaches while the other tests run.
      const fast = await api(server.url, '/services', {
        body: {
          name: `fast-pager-${size.name}`,
          owner_team: 'Payments',
          sla_policy: {
            SEV1: { ack_minutes: 1, resolve_minutes: 2 },
            SEV2: { ack_minutes: 15, resolve_minutes: 240 },
            SEV3: { ack_minutes: 60, resolve_minutes: 1440 },
            SEV4: { ack_minutes: 240, resolve_minutes: 4320 },
          },
        },
      });
      const sev1 = await api(server.url, '/incidents', {
        body: { title: `${tag} card payments declined`, severity: 'SEV1', service_id: fast.id },
      });
      breachedId = sev1.id;
      for (let n = 0; n < 30; n += 1) {
        await api(server.url, '/incidents', { body: { title: `${tag} log volume ${n}`, severity: 'SEV4', service_id: 1 } });
      }

      await login(page, server.url, 'avery');
      await page.waitForURL(/sort=urgency/);
      const sp = new URL(page.url()).searchParams;
      assert.deepEqual(sp.getAll('status'), ['New', 'Investigating', 'Mitigated']);
      assert.equal(await page.getByLabel('Sort', { exact: true }).inputValue(), 'urgency');
      if (size.name === 'phone') await page.getByRole('button', { name: /^Filters/ }).click();
      const owner = page.getByLabel('Owner');
      await owner.locator('option', { hasText: 'Avery Patel' }).waitFor({ state: 'attached' });
      const options = await owner.locator('option').allTextContents();
      assert.deepEqual(options.slice(0, 3), ['Anyone', 'Mine', 'Unassigned']);
      assert.ok(options.includes('Avery Patel') && options.includes('Jordan Lee'), options.join(', '));
      assert.ok(!options.includes('Morgan Diaz'), 'a viewer cannot own incidents');
      await incidentLinks(page).first().waitFor();
      await noHorizontalScroll(page);
      await axeClean(page);
      await shot(page, '01-default');
    });

    test('desktop keeps the table; a phone gets cards and folded filters with a count', async () => {
      const { page, server } = world();
      await page.goto(`${server.url}/ui/?${OPEN}&sort=urgency&severity=SEV4&assignee_id=none`);
      await incidentLinks(page).first().waitFor();
      if (size.name === 'desktop') {
        await page.getByRole('table').waitFor();
        assert.equal(await page.getByRole('button', { name: /^Filters/ }).count(), 0);
        assert.ok(await page.getByLabel('Severity').isVisible());
      } else {
        assert.equal(await page.getByRole('table').count(), 0, 'no table on a phone');
        const card = page.locator('li.incident-card').first();
        await card.waitFor();
        // Each card: ID, title, severity, status and the SLA state in words beside its icon.
        const text = await card.innerText();
        assert.match(text, /INC-\d+ Ordertest/);
        assert.match(text, /SEV4/);
        assert.match(text, /New/);
        assert.match(text, /On track|At risk|Breached/);
        const toggle = page.getByRole('button', { name: /^Filters/ });
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.match((await toggle.innerText()).replace(/\s+/g, ' '), /Filters \(3 active\)/);
        assert.ok(!(await page.getByLabel('Severity').isVisible()), 'selects are folded');
        assert.ok(await page.getByLabel('Search').isVisible(), 'search stays in view');
        await shot(page, '02-cards-folded');
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        await page.getByLabel('Severity').waitFor();
        await shot(page, '03-filters-open');
        await toggle.click();
      }
      // The metrics page links here with a creation window: shown as a removable chip.
      await page.goto(`${server.url}/ui/?${OPEN}&sort=urgency&created_from=2020-01-01T00:00:00Z&created_to=2020-01-02T00:00:00Z`);
      const chip = page.locator('.chip');
      await chip.waitFor();
      assert.match(await chip.innerText(), /Created between 01 Jan 2020, 00:00 UTC and 02 Jan 2020, 00:00 UTC/);
      await page.getByText('No incident matches these filters.').waitFor();
      await noHorizontalScroll(page);
      await page.getByRole('button', { name: 'Remove the creation time filter' }).click();
      await incidentLinks(page).first().waitFor();
      assert.ok(!page.url().includes('created_'), page.url());
      await noHorizontalScroll(page);
      await axeClean(page);
    });

    test('j/k move a visible focus, Enter opens it; ? lists the shortcuts; they can be turned off', async () => {
      const { page, server } = world();
      await page.goto(`${server.url}/ui/?q=${tag}&sort=newest`);
      await incidentLinks(page).first().waitFor();
      const links = incidentLinks(page);
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('href') ?? null);
      await page.keyboard.press('j');
      assert.equal(await focused(), await links.nth(0).getAttribute('href'));
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      assert.equal(await focused(), await links.nth(2).getAttribute('href'));
      await page.keyboard.press('k');
      const target = await links.nth(1).getAttribute('href');
      assert.equal(await focused(), target);
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
      assert.notEqual(outline, 'none', 'the focus is visible');
      await shot(page, '04-j-focus');
      // Enter on the row k focused. Pressed through its locator: on a busy machine a live
      // refresh of the list can land between the keys, and a re-rendered row would take the
      // focus with it (the focus itself is asserted above).
      await page.locator(`a[href="${target}"]`).first().press('Enter');
      await page.waitForURL(new RegExp(`${target}$`));
      await page.goBack();
      await incidentLinks(page).first().waitFor();

      // Typing in search is typing, not shortcuts.
      await page.getByLabel('Search').click();
      await page.keyboard.type('jk');
      assert.equal(await focused(), null);
      await page.getByLabel('Search').fill('');
      await page.locator('h1').click();

      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      for (const what of ['Next incident in the list', 'Previous incident in the list', 'Open the incident in focus', 'Search incidents (dashboard)']) {
        await dialog.getByText(what).waitFor();
      }
      await axeClean(page);
      await shot(page, '05-shortcuts');
      await dialog.getByLabel('Use single-key shortcuts').uncheck();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => localStorage.getItem('incident-console.shortcuts')), 'off');

      await page.reload();
      await incidentLinks(page).first().waitFor();
      await page.keyboard.press('j');
      assert.equal(await focused(), null, 'j does nothing once shortcuts are off (remembered across a reload)');
      await page.keyboard.press('?');
      assert.ok(!(await dialog.isVisible()), '? does nothing either');
      await openMenu(page);
      await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
      await dialog.getByLabel('Use single-key shortcuts').check();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await page.keyboard.press('j');
      assert.equal(await focused(), await links.nth(0).getAttribute('href'));
    });

    test('bulk acknowledge: one confirmation, a 409 reported on its row, the rest applied', async () => {
      const { page, server } = world();
      const bulkTag = `Bulktest${size.name}`;
      const made: Json[] = [];
      for (const n of [1, 2, 3]) {
        made.push(await api(server.url, '/incidents', { body: { title: `${bulkTag} queue ${n}`, severity: 'SEV3', service_id: 1 } }));
      }
      await page.goto(`${server.url}/ui/?q=${bulkTag}&sort=newest`);
      await incidentLinks(page).nth(2).waitFor();
      await page.getByLabel('Select all on this page').check();
      await page.getByText('3 incidents selected').waitFor();
      await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: 'Acknowledge 3 incidents?' });
      await confirm.waitFor();
      await shot(page, '06-bulk-confirm');
      // Meanwhile someone acknowledges one of them through the API.
      const moved = made[1];
      await api(server.url, `/incidents/${moved.id}/status`, {
        body: { status: 'Investigating' },
        headers: { 'If-Match': String(moved.version) },
      });
      await confirm.getByRole('button', { name: 'Acknowledge 3 incidents' }).click();
      const status = page.locator('.bulk-outcome');
      await status.filter({ hasText: 'Acknowledged: 2 of 3 incidents. 1 could not be changed: see its row.' }).waitFor();
      assert.equal(await status.getAttribute('role'), 'status', 'announced in a live region');
      const row = (id: number) =>
        size.name === 'desktop'
          ? page.locator('tr', { has: page.locator(`a[href$="/incidents/${id}"]`) })
          : page.locator('li.incident-card', { has: page.locator(`a[href$="/incidents/${id}"]`) });
      await row(moved.id).getByText(/Not changed: someone else changed this incident after the list loaded/).waitFor();
      for (const other of [made[0], made[2]]) await row(other.id).getByText('Acknowledged.').waitFor();
      for (const i of made) {
        const now = await api(server.url, `/incidents/${i.id}`);
        assert.equal(now.status, 'Investigating');
      }
      // The list refreshed: every row shows Investigating now.
      await page.waitForFunction(
        (n) => document.querySelectorAll('main .status-investigating').length >= n,
        3,
      );
      await noHorizontalScroll(page);
      await axeClean(page);
      await shot(page, '07-bulk-result');
    });

    test('a breached SEV1 created before 30 newer incidents comes first: the server orders every page', async () => {
      test.setTimeout(150_000);
      const { page, server } = world();
      // Its acknowledgement falls due one minute after creation.
      for (let i = 0; i < 120; i += 1) {
        if ((await api(server.url, `/incidents/${breachedId}`)).sla.breached) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      await page.goto(`${server.url}/ui/?q=${tag}&sort=newest`);
      await incidentLinks(page).first().waitFor();
      const hrefs = await incidentLinks(page).evaluateAll((els) => els.map((e) => e.getAttribute('href')));
      assert.equal(hrefs.length, 25);
      assert.ok(!hrefs.some((h) => h?.endsWith(`/incidents/${breachedId}`)), 'newest first, it is beyond the first page');

      await page.getByLabel('Sort', { exact: true }).selectOption('urgency');
      await page.waitForURL(/sort=urgency/);
      await page.waitForFunction((id) => document.querySelector('main a.incident-link')?.getAttribute('href')?.endsWith(`/incidents/${id}`), breachedId);
      const first = size.name === 'desktop' ? page.locator('main tbody tr').first() : page.locator('li.incident-card').first();
      assert.match(await first.innerText(), /Breached/);
      assert.match(await first.innerText(), /SEV1/);
      await noHorizontalScroll(page);
      await axeClean(page);
      await shot(page, '08-urgency');
    });
  });
}
