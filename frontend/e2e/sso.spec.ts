// Single sign-on in the browser: the "Sign in with ..." button appears only when an identity
// provider is set up, and clicking it goes through a local OpenID provider (the backend's
// tests/oidc_provider.py, run as a process) and lands signed in on the dashboard. Desktop and phone.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, type Page } from '@playwright/test';
import { accessibilityViolations, freePort, frontendDir, openMenu, startBackend, type Backend } from './harness';

const backendDir = resolve(frontendDir, '../backend');
const shots = '/tmp/shots-sso';
const CLIENT_SECRET = 'test-client-secret with spaces & symbols'; // tests/oidc_provider.py's default

let provider: ChildProcess | undefined;
let providerUrl = '';
let plain: Backend | undefined;
let sso: Backend | undefined;

async function startProvider(): Promise<void> {
  const port = await freePort();
  providerUrl = `http://127.0.0.1:${port}`;
  const python = process.env.BACKEND_PYTHON ?? join(backendDir, '.venv/bin/python');
  const logs: string[] = [];
  provider = spawn(python, ['-m', 'tests.oidc_provider', '--port', String(port), '--groups', 'sre'], {
    cwd: backendDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  provider.stdout?.on('data', (d) => logs.push(String(d)));
  provider.stderr?.on('data', (d) => logs.push(String(d)));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${providerUrl}/.well-known/openid-configuration`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the local OpenID provider did not start\n${logs.join('')}`);
}

test.beforeAll(async ({ browserName }, testInfo) => {
  assert.equal(browserName, 'chromium');
  testInfo.setTimeout(180_000);
  mkdirSync(shots, { recursive: true });
  await startProvider();
  plain = await startBackend();
  sso = await startBackend({
    env: {
      OIDC_ISSUER: providerUrl,
      OIDC_CLIENT_ID: 'incident-console',
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_ROLE_MAP: 'sre-admins=admin,sre=responder,*=viewer',
      OIDC_NAME: 'Test IdP',
    },
  });
});

test.afterAll(async () => {
  await plain?.stop();
  await sso?.stop();
  provider?.kill('SIGTERM');
});

function backends(): { plain: Backend; sso: Backend } {
  if (!plain || !sso) throw new Error('the backends did not start');
  return { plain, sso };
}

/** Console errors and page errors on `page` (a 401 while signed out is expected). */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

async function checkLayout(page: Page, what: string, { sideways = true } = {}) {
  assert.deepEqual(await accessibilityViolations(page), [], `${what}: axe violations`);
  if (!sideways) return;
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what}: scrolls sideways by ${overflow}px`);
}

const sizes = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];

for (const { name, viewport } of sizes) {
  test.describe(`single sign-on, ${name}`, () => {
    test.use({ viewport });

    test('without an identity provider the login page has its one Sign in button', async ({ page }) => {
      const problems = watch(page);
      const config = page.waitForResponse((r) => r.url().endsWith('/auth/config'));
      await page.goto(`${backends().plain.url}/ui/login`);
      assert.deepEqual(await (await config).json(), { password_login: true, oidc: null });
      await page.getByLabel('Username').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 1);
      assert.equal(await page.getByRole('link', { name: /^Sign in with/ }).count(), 0);
      await checkLayout(page, 'plain login');
      await page.screenshot({ path: join(shots, `${name}-1-login-password-only.png`), fullPage: true });
      assert.deepEqual(problems, []);
    });

    test('"Sign in with Test IdP" goes through the provider and lands signed in on the dashboard', async ({ page }) => {
      const problems = watch(page);
      const visited: string[] = [];
      page.on('request', (r) => {
        if (r.isNavigationRequest()) visited.push(r.url());
      });
      await page.goto(`${backends().sso.url}/ui/`);
      const button = page.getByRole('link', { name: 'Sign in with Test IdP' });
      await button.waitFor();
      assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 1, 'the password form stays');
      await checkLayout(page, 'login with single sign-on');
      await page.screenshot({ path: join(shots, `${name}-2-login-with-sso.png`), fullPage: true });

      await button.click();
      await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
      await openMenu(page); // a phone folds who is signed in behind Menu
      await page.getByText('Dana Reyes').first().waitFor();
      const token = await page.evaluate(() => window.localStorage.getItem('incident-console.token'));
      assert.ok(token, 'the console holds its token');
      assert.ok(visited.some((u) => u.startsWith(`${providerUrl}/authorize?`)), 'went through the provider');
      assert.ok(visited.some((u) => u.includes('/auth/oidc/callback?code=')), 'came back through the callback');
      // No token, nor anything shaped like a JWT (header.payload.signature): a bare "eyJ" can
      // occur by chance in the random state, nonce or PKCE challenge (it did once, in CI-like runs).
      const jwt = /eyJ[\w-]*\.[\w-]+\.[\w-]*/;
      for (const url of visited) assert.ok(!url.includes(token) && !jwt.test(url), `no token in ${url}`);
      assert.doesNotMatch(page.url(), /login|sso/, 'on the dashboard, no sign-in leftovers in the address');
      await page.screenshot({ path: join(shots, `${name}-3-dashboard-after-sso.png`), fullPage: true });
      // The dashboard's own phone layout is its spec's business: only axe here.
      await checkLayout(page, 'dashboard after single sign-on', { sideways: false });
      assert.deepEqual(problems, []);
    });

    test("the provider's refusal comes back to the login page in plain words", async ({ page }) => {
      const problems = watch(page);
      await page.goto(`${backends().sso.url}/auth/oidc/callback?error=access_denied&state=anything`);
      await page.getByText('Sign-in was cancelled or refused at Test IdP.').waitFor();
      assert.match(page.url(), /\/ui\/login\?sso_error=access_denied$/);
      await checkLayout(page, 'login after a refusal');
      await page.screenshot({ path: join(shots, `${name}-4-refused.png`), fullPage: true });
      assert.deepEqual(problems, []);
    });
  });
}
