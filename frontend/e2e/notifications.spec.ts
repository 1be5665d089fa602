// Notifications, at a desktop and a phone size, against the real backend and a local HTTP sink
// this spec starts: an admin adds a signed webhook channel, presses Test and sees it delivered
// (the sink checks the signature); a channel the sink refuses (400) shows its failed delivery,
// and Retry now delivers it once the sink accepts; an escalation policy is saved and still there
// after a reload. Axe clean in light and dark, no sideways scroll at 390 px.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type Page } from '@playwright/test';
import { accessibilityViolations, login, navLink, openPage, startBackend, type Backend, type Session } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const SHOTS = '/tmp/shots-notify-ui';
const SECRET = 'e2e shared secret';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: records every POST; /picky answers 400 until `accept` is set. */
function startSink(): Promise<{ url: string; received: Received[]; accept: { picky: boolean }; close(): Promise<void> }> {
  const received: Received[] = [];
  const accept = { picky: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const refuse = req.url === '/picky' && !accept.picky;
      res.writeHead(refuse ? 400 : 204, refuse ? { 'Content-Type': 'text/plain' } : {});
      res.end(refuse ? 'not today' : undefined);
    });
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      ok({ url: `http://127.0.0.1:${port}`, received, accept, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}

async function noHorizontalScroll(page: Page, where: string) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll}px wide in ${client}px)`);
}

async function axeClean(page: Page, where: string) {
  assert.deepEqual(await accessibilityViolations(page), [], `${where}: accessibility violations`);
}

async function go(page: Page, link: string, heading: string) {
  await (await navLink(page, link)).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

for (const size of SIZES) {
  test.describe(`notifications (${size.name})`, () => {
    test.describe.configure({ mode: 'serial' });
    let server: Backend | undefined;
    let admin: Session | undefined;
    let sink: Awaited<ReturnType<typeof startSink>> | undefined;
    let shotNo = 0;

    const shot = async (page: Page, label: string) => {
      mkdirSync(SHOTS, { recursive: true });
      shotNo += 1;
      await page.screenshot({ path: `${SHOTS}/${size.name}-${String(shotNo).padStart(2, '0')}-${label}.png`, fullPage: true });
    };

    test.beforeAll(async ({ browser }, testInfo) => {
      testInfo.setTimeout(120_000);
      sink = await startSink();
      // The worker looks for due deliveries every half second (the default, 2 s, is for production).
      server = await startBackend({ env: { NOTIFICATION_POLL_SECONDS: '0.5' } });
      admin = await openPage(browser, `notifications-${size.name}`);
      await admin.page.setViewportSize(size.viewport);
    });
    test.afterAll(async () => {
      await admin?.close();
      await server?.stop();
      await sink?.close();
    });

    test('a signed webhook is tested and delivered; a refused one fails and is retried', async () => {
      test.setTimeout(90_000);
      assert.ok(server && admin && sink);
      const { page, problems } = admin;
      await login(page, server.url, 'jordan');
      await go(page, 'Notifications', 'Notifications');
      await page.getByText(/No channels yet/).waitFor();
      await axeClean(page, 'no channels');
      await noHorizontalScroll(page, 'no channels');
      await shot(page, 'empty');

      await page.getByRole('button', { name: 'Add a channel' }).click();
      let form = page.getByRole('form', { name: 'Add a channel' });
      await form.getByLabel('Name').fill('sink-webhook');
      await form.getByLabel('URL').fill(`${sink.url}/hook`);
      await form.getByLabel(/Signing secret/).fill(SECRET);
      await form.getByLabel('Its status changes').check();
      await axeClean(page, 'add form');
      await noHorizontalScroll(page, 'add form');
      await shot(page, 'add-form');
      await form.getByRole('button', { name: 'Add channel' }).click();
      await page.getByText('sink-webhook was added.').waitFor();
      const hook = page.getByRole('listitem', { name: 'sink-webhook' });
      await hook.getByText('Signed with a secret').waitFor();

      await hook.getByRole('button', { name: 'Send a test to sink-webhook' }).click();
      await hook.getByText(/The test was delivered \(HTTP 204\)/).waitFor({ timeout: 20_000 });
      const got = sink.received.filter((r) => r.path === '/hook');
      assert.equal(got.length, 1, 'the sink got the test once');
      const [sent] = got;
      assert.equal(sent.headers['x-incident-console-event'], 'test');
      assert.ok(sent.headers['x-incident-console-delivery'], 'a delivery id header');
      const signature = createHmac('sha256', SECRET).update(sent.body).digest('hex');
      assert.equal(sent.headers['x-incident-console-signature'], `sha256=${signature}`, 'signed with the secret');
      await axeClean(page, 'test delivered');
      await noHorizontalScroll(page, 'test delivered');
      await shot(page, 'test-delivered');

      // A channel whose endpoint refuses: the delivery fails (a 400 is not retried by itself).
      await page.getByRole('button', { name: 'Add a channel' }).click();
      form = page.getByRole('form', { name: 'Add a channel' });
      await form.getByLabel('Name').fill('picky-webhook');
      await form.getByLabel('URL').fill(`${sink.url}/picky`);
      await form.getByRole('button', { name: 'Add channel' }).click();
      const picky = page.getByRole('listitem', { name: 'picky-webhook' });
      await picky.waitFor();
      await picky.getByRole('button', { name: 'Send a test to picky-webhook' }).click();
      await picky.getByText(/The test failed: HTTP 400/).waitFor({ timeout: 20_000 });
      await picky.getByRole('button', { name: 'Deliveries to picky-webhook' }).click();
      const table = picky.getByRole('table', { name: /Deliveries to picky-webhook/ });
      const row = table.getByRole('row').nth(1);
      await row.getByText(/Failed$/).waitFor();
      await row.getByText('HTTP 400', { exact: true }).waitFor();
      await axeClean(page, 'failed delivery');
      await noHorizontalScroll(page, 'failed delivery');
      await shot(page, 'delivery-failed');

      // The endpoint is fixed; Retry now sends the same delivery again, and it arrives.
      sink.accept.picky = true;
      await row.getByRole('button', { name: /^Retry now/ }).click();
      await row.getByText(/Delivered$/).waitFor({ timeout: 20_000 });
      await row.getByText('HTTP 204', { exact: true }).waitFor();
      const pickyIds = new Set(sink.received.filter((r) => r.path === '/picky').map((r) => r.headers['x-incident-console-delivery']));
      assert.equal(pickyIds.size, 1, 'the retry reused the delivery id');
      await noHorizontalScroll(page, 'retried');
      await shot(page, 'delivery-retried');

      await page.emulateMedia({ colorScheme: 'dark' });
      await axeClean(page, 'dark mode');
      await shot(page, 'dark');
      await page.emulateMedia({ colorScheme: 'light' });
      assert.deepEqual(
        problems.filter((p) => !/status of 400/.test(p)),
        [],
        'no console errors or uncaught page errors',
      );
    });

    test('an escalation policy is set for a service and is still there after a reload', async () => {
      assert.ok(server && admin);
      const { page, problems } = admin;
      await go(page, 'Runbooks', 'Runbooks and SLA policies');
      await page.getByRole('button', { name: 'Edit escalation policy for checkout-api' }).click();
      const form = page.getByRole('form', { name: 'Edit escalation policy for checkout-api' });
      await form.getByRole('button', { name: 'Add a step' }).click();
      const step = form.getByRole('group', { name: 'Step 1' });
      await step.getByLabel('Still new after (minutes)').fill('10');
      await step.getByLabel(/sink-webhook/).check();
      await form.getByRole('button', { name: 'Add a step' }).click();
      const step2 = form.getByRole('group', { name: 'Step 2' });
      await step2.getByLabel('Still new after (minutes)').fill('30');
      await step2.getByLabel(/sink-webhook/).check();
      await step2.getByLabel(/picky-webhook/).check();
      await axeClean(page, 'escalation editor');
      await noHorizontalScroll(page, 'escalation editor');
      await shot(page, 'escalation-editor');
      await form.getByRole('button', { name: 'Save escalation policy' }).click();
      await form.waitFor({ state: 'detached' });

      await page.reload();
      const steps = page.getByRole('list', { name: 'Escalation policy for checkout-api' });
      await steps.getByText('Still new after 10m: tell sink-webhook').waitFor();
      await steps.getByText('Still new after 30m: tell sink-webhook, picky-webhook').waitFor();
      await axeClean(page, 'escalation saved');
      await noHorizontalScroll(page, 'escalation saved');
      await shot(page, 'escalation-saved');
      assert.deepEqual(problems.filter((p) => !/status of 400/.test(p)), [], 'no console errors or uncaught page errors');
    });
  });
}
