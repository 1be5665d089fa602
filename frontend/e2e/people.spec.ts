// People and API tokens, at a desktop and a phone size: an admin adds a person who signs in,
// deactivating them signs them out; a token is created, used with fetch on the API, named on
// the timeline, revoked, and then refused (401).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test, type Browser, type Page } from '@playwright/test';
import { accessibilityViolations, login, navLink, openMenu, openPage, startBackend, type Backend, type Session } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const SHOTS = '/tmp/shots-people';

async function noHorizontalScroll(page: Page, where: string) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll}px wide in ${client}px)`);
}

/** Console errors other than the refused common password (a 422), which is part of the script. */
const unexpected = (problems: string[]) => problems.filter((p) => !/status of 422/.test(p));

async function axeClean(page: Page, where: string) {
  assert.deepEqual(await accessibilityViolations(page), [], `${where}: accessibility violations`);
}

async function openAt(browser: Browser, name: string, viewport: { width: number; height: number }): Promise<Session> {
  const session = await openPage(browser, name);
  await session.page.setViewportSize(viewport);
  return session;
}

/** The main navigation: on a phone it may wrap, but every link stays reachable. */
async function go(page: Page, link: string, heading: string) {
  await (await navLink(page, link)).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

for (const size of SIZES) {
  test.describe(`people and API tokens (${size.name})`, () => {
    test.describe.configure({ mode: 'serial' });
    let server: Backend | undefined;
    let admin: Session | undefined;
    let shotNo = 0;

    const shot = async (page: Page, label: string) => {
      mkdirSync(SHOTS, { recursive: true });
      shotNo += 1;
      await page.screenshot({ path: `${SHOTS}/${size.name}-${String(shotNo).padStart(2, '0')}-${label}.png`, fullPage: true });
    };

    test.beforeAll(async ({ browser }, testInfo) => {
      testInfo.setTimeout(120_000);
      server = await startBackend();
      admin = await openAt(browser, `people-${size.name}`, size.viewport);
    });
    test.afterAll(async () => {
      await admin?.close();
      await server?.stop();
    });

    test('an admin adds a person who signs in, and deactivating them signs them out', async ({ browser }) => {
      assert.ok(server && admin);
      const { page, problems } = admin;
      await login(page, server.url, 'jordan');
      const menu = page.getByRole('button', { name: 'Menu', exact: true });
      const header = await page.locator('header.topbar').boundingBox();
      if (size.name === 'phone') {
        // The navigation folds behind Menu, so the header leaves the screen to the incidents.
        assert.ok(header && header.height < 80, `phone header is ${header?.height}px tall`);
        assert.equal(await menu.getAttribute('aria-expanded'), 'false');
        assert.ok(!(await page.getByRole('button', { name: 'Log out' }).isVisible()), 'folded');
        await menu.click();
        assert.equal(await menu.getAttribute('aria-expanded'), 'true');
        await page.getByRole('button', { name: 'Log out' }).waitFor();
        await axeClean(page, 'phone menu unfolded');
        await noHorizontalScroll(page, 'phone menu unfolded');
      } else {
        assert.ok(!(await menu.isVisible()), 'a desktop shows the navigation itself');
        assert.ok(header && header.height < 80, `desktop header is ${header?.height}px tall`);
        // Whatever the live indicator says (the stream may still be opening on a busy machine).
        for (const word of ['Connecting…', 'Reconnecting…', 'Offline', 'Live']) {
          await page.locator('header.topbar .live-word').evaluate((el, w) => (el.textContent = w), word);
          const height = (await page.locator('header.topbar').boundingBox())?.height ?? 0;
          assert.ok(height < 80, `desktop header is ${height}px tall while saying ${word}`);
        }
      }
      await go(page, 'People', 'People');
      if (size.name === 'phone') assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'navigating folds it');
      await page.getByRole('listitem', { name: /Avery Patel/ }).waitFor();
      await axeClean(page, 'people');
      await noHorizontalScroll(page, 'people');
      await shot(page, 'people');

      await page.getByRole('button', { name: 'Add a person' }).click();
      const form = page.getByRole('form', { name: 'Add a person' });
      await form.getByLabel('Full name').fill('Sam Okafor');
      await form.getByLabel('Username').fill('sam');
      await form.getByLabel('Role').selectOption('responder');
      await form.getByLabel('First password').fill('password1');
      await form.getByRole('button', { name: 'Add person' }).click();
      await form.getByRole('alert').filter({ hasText: /most common passwords/ }).waitFor();
      await shot(page, 'common-password-refused');
      await form.getByLabel('First password').fill('plum tree at dawn');
      await form.getByRole('button', { name: 'Add person' }).click();
      await page.getByText('Sam Okafor was added as responder').waitFor();
      const sam = page.getByRole('listitem', { name: /Sam Okafor/ });
      await sam.getByText('Active', { exact: true }).waitFor();
      await axeClean(page, 'people after adding');
      await noHorizontalScroll(page, 'people after adding');
      await shot(page, 'person-added');

      // Sam signs in in a browser of their own.
      const theirs = await openAt(browser, `people-sam-${size.name}`, size.viewport);
      try {
        await login(theirs.page, server.url, 'sam', 'plum tree at dawn');
        await openMenu(theirs.page);
        await theirs.page.getByText('Sam Okafor').first().waitFor();

        await sam.getByRole('button', { name: 'Deactivate Sam Okafor' }).click();
        const confirm = sam.getByRole('group', { name: 'Confirm deactivation of Sam Okafor' });
        await confirm.getByText(/signed out at once/).waitFor();
        await axeClean(page, 'deactivation confirmation');
        await shot(page, 'confirm-deactivation');
        await confirm.getByRole('button', { name: 'Yes, deactivate' }).click();
        await page.getByText('Sam Okafor was deactivated.').waitFor();
        await sam.getByText('Deactivated', { exact: true }).waitFor();

        // Sam's next request is refused: the console goes back to the sign-in screen.
        await theirs.page.reload();
        await theirs.page.getByRole('button', { name: 'Sign in' }).waitFor();
        await theirs.page.getByLabel('Username').fill('sam');
        await theirs.page.getByLabel('Password').fill('plum tree at dawn');
        await theirs.page.getByRole('button', { name: 'Sign in' }).click();
        await theirs.page.getByRole('alert').waitFor();
        assert.equal(await theirs.page.getByRole('heading', { name: 'Incidents', level: 1 }).count(), 0);
        await shot(theirs.page, 'deactivated-cannot-sign-in');
      } finally {
        await theirs.close();
      }
      assert.deepEqual(unexpected(problems), [], 'no console errors or uncaught page errors');
    });

    test('a token is created, shown once, used with fetch, named on the timeline, and revoked', async () => {
      assert.ok(server && admin);
      const { page, problems } = admin;
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await go(page, 'API tokens', 'API tokens');
      await axeClean(page, 'tokens');
      await noHorizontalScroll(page, 'tokens');
      await shot(page, 'tokens-empty');

      const form = page.getByRole('form', { name: 'Create an API token' });
      await form.getByLabel('Name').fill('deploy-bot');
      await form.getByLabel('Role').selectOption('responder');
      await form.getByLabel('Expires after').selectOption({ label: '30 days' });
      await form.getByRole('button', { name: 'Create token' }).click();
      const shown = page.getByRole('region', { name: /Your new token/ });
      await shown.getByText('shown only this once').waitFor();
      const secret = await shown.getByLabel('The new token').inputValue();
      assert.match(secret, /^icp_[A-Za-z0-9_-]{40,}$/);
      await shown.getByRole('button', { name: 'Copy token' }).click();
      await shown.getByText('Copied to the clipboard.').waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
      await axeClean(page, 'new token');
      await noHorizontalScroll(page, 'new token');
      await shot(page, 'token-shown-once');
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      assert.equal(await page.getByLabel('The new token').count(), 0, 'the token is not shown again');

      // A script uses it: the API answers it as Jordan, with the token's role.
      const used = await page.evaluate(async (token) => {
        const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
        const me = await fetch('/auth/me', { headers });
        const created = await fetch('/incidents', {
          method: 'POST',
          headers,
          body: JSON.stringify({ title: 'Deploy 4121 failed its canary', severity: 'SEV3', service_id: 1 }),
        });
        return { me: me.status, role: ((await me.json()) as { role: string }).role, created: created.status, id: ((await created.json()) as { id: number }).id };
      }, secret);
      assert.deepEqual([used.me, used.role, used.created], [200, 'responder', 201]);

      await page.goto(`${server.url}/ui/incidents/${used.id}`);
      await page.getByRole('heading', { name: 'Timeline' }).waitFor();
      await page.getByText('token ‘deploy-bot’ of Jordan Lee').first().waitFor();
      await shot(page, 'timeline-by-token');

      await go(page, 'API tokens', 'API tokens');
      const row = page.getByRole('listitem', { name: 'deploy-bot' });
      await row.getByText('Last used').waitFor();
      assert.equal(await row.getByText('Never used').count(), 0, 'its use was recorded');
      await row.getByRole('button', { name: 'Revoke token deploy-bot' }).click();
      const confirm = row.getByRole('group', { name: 'Confirm revoking token deploy-bot' });
      await axeClean(page, 'revoke confirmation');
      await shot(page, 'confirm-revoke');
      await confirm.getByRole('button', { name: 'Yes, revoke' }).click();
      await row.getByText('Revoked', { exact: true }).first().waitFor();
      const after = await page.evaluate(async (token) => (await fetch('/auth/me', { headers: { Authorization: `Bearer ${token}` } })).status, secret);
      assert.equal(after, 401);
      await noHorizontalScroll(page, 'tokens after revoking');
      await shot(page, 'token-revoked');
      assert.deepEqual(unexpected(problems), [], 'no console errors or uncaught page errors');
    });
  });
}
