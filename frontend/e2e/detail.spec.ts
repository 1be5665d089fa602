// The incident detail at 3 a.m., on a laptop and on a phone: a header that stays put (copy
// link, live SLA, the next step as the main button), closing as a checklist, and runbook steps
// that remember who applied them. Each size gets its own fresh backend; the seeded INC-1
// (checkout-api: step 3 of its runbook is destructive, step 4 a manual check) is worked as avery.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { accessibilityViolations, login, openMenu, useConsole } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

const SHOTS = '/tmp/shots-detail';
mkdirSync(SHOTS, { recursive: true });

async function noHorizontalScroll(page: Page) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `no horizontal scroll: the page is ${scroll}px wide in a ${client}px viewport`);
}

async function axeClean(page: Page, where: string) {
  assert.deepEqual(await accessibilityViolations(page), [], `no WCAG 2.2 A/AA violations (axe-core) on ${where}`);
}

/** The header is on screen, at the top of the viewport, with its main button in view. */
async function headerInView(page: Page, button: string) {
  const head = page.locator('header.incident-head');
  const box = await head.boundingBox();
  assert.ok(box, 'the header is rendered');
  assert.ok(Math.abs(box.y) <= 1, `the header sits at the top of the viewport, not at y=${box.y}`);
  const main = await head.getByRole('button', { name: button, exact: true }).boundingBox();
  const height = page.viewportSize()?.height ?? 0;
  assert.ok(main && main.y >= 0 && main.y + main.height <= height, `"${button}" is in view`);
}

for (const { name, viewport } of SIZES) {
  test.describe(`incident detail (${name} ${viewport.width}x${viewport.height})`, () => {
    const world = useConsole(`detail-${name}`);
    const shot = (page: Page, label: string) => page.screenshot({ path: `${SHOTS}/${name}-${label}.png` });

    test('the header stays put while scrolling, copies the link, and takes the next step', async () => {
      const { page, server, problems } = world();
      await page.setViewportSize(viewport);
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await login(page, server.url, 'avery');
      await page.goto(`${server.url}/ui/incidents/1`);
      const head = page.locator('header.incident-head');
      await head.getByRole('heading', { level: 1, name: /Checkout p99 latency/ }).waitFor();
      // Severity, status, owner, and the live SLA with its state in words.
      await expect(head).toContainText('SEV2');
      await expect(head).toContainText('New');
      await expect(head).toContainText('Owner Avery Patel');
      await expect(head.locator('.sla-cell')).toContainText(/On track|At risk|Breached/);
      const countdown = head.locator('.sla-countdown').first();
      const before = await countdown.textContent();
      await expect(countdown).not.toHaveText(before ?? '', { timeout: 5_000 });
      await shot(page, '1-top');
      await axeClean(page, 'the incident detail');
      await noHorizontalScroll(page);

      // First on a phone: nothing of the incident comes before it.
      if (name === 'phone') {
        const headTop = (await head.boundingBox())!.y;
        const cards = await page.locator('.incident-grid .card').first().boundingBox();
        assert.ok(cards && cards.y > headTop, 'the header comes before the cards');
      }

      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page.waitForFunction(() => window.scrollY > 200);
      await headerInView(page, 'Acknowledge');
      await shot(page, '2-scrolled');

      await head.getByRole('button', { name: 'Copy link to INC-1' }).click();
      await head.getByText('Link copied').waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${server.url}/ui/incidents/1`);

      await head.getByRole('button', { name: 'Acknowledge', exact: true }).click();
      await head.getByText('Moved to Investigating.').waitFor();
      await expect(head).toContainText('Investigating');
      await head.getByRole('button', { name: 'Mark mitigated', exact: true }).waitFor();
      await noHorizontalScroll(page);
      assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
    });

    test('runbook steps show who applied them, after a reload too, ask before destructive ones, tick manual checks', async () => {
      const { page, problems } = world();
      const card = page.getByRole('region', { name: 'Checkout latency or errors' });
      await card.getByText('0 of 4 done').waitFor();

      await card.getByRole('button', { name: 'Apply step 1: Check the checkout dashboard' }).click();
      await card.getByText('Applied by Avery Patel').waitFor();
      await card.getByText('1 of 4 done').waitFor();

      await page.reload();
      await card.getByText('Applied by Avery Patel').waitFor();
      await card.getByText('1 of 4 done').waitFor();
      const again = card.getByRole('button', { name: 'Apply again, step 1: Check the checkout dashboard' });
      await expect(again).toHaveText('Apply again');
      await again.click();
      await card.getByText('(2 times)').waitFor();

      // Destructive: nothing is applied until the person says yes.
      await card.getByRole('button', { name: 'Apply step 3: Scale out checkout pods' }).click();
      const confirm = card.getByRole('group', { name: 'Confirm step 3' });
      await confirm.getByText('This step is destructive.').waitFor();
      await expect(card.locator('.step').nth(2)).toContainText('Not applied yet');
      await shot(page, '3-destructive-confirm');
      await axeClean(page, 'the destructive confirmation');
      await confirm.getByRole('button', { name: 'Yes, apply step 3' }).click();
      await card.getByText('2 of 4 done').waitFor();
      await expect(card.locator('.step').nth(2)).toContainText('Applied by Avery Patel');

      // A manual check: ticked (who and when shown), unticked, ticked again.
      const tick = card.getByRole('checkbox', { name: 'Done: step 4, Confirm recovery' });
      await tick.check();
      await card.getByText('3 of 4 done').waitFor();
      await expect(card.locator('.step').nth(3)).toContainText('Ticked by Avery Patel');
      await tick.uncheck();
      await card.getByText('2 of 4 done').waitFor();
      await expect(card.locator('.step').nth(3)).toContainText('Unticked by Avery Patel');
      await tick.check();
      await card.getByText('3 of 4 done').waitFor();
      await page.reload();
      await card.getByText('3 of 4 done').waitFor();
      await expect(card.getByRole('checkbox', { name: 'Done: step 4, Confirm recovery' })).toBeChecked();
      await card.scrollIntoViewIfNeeded();
      await shot(page, '4-runbook-state');
      await noHorizontalScroll(page);
      assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
    });

    test('closing is a checklist; saving the RCA clears a refused close without a reload', async () => {
      const { page, problems } = world();
      const head = page.locator('header.incident-head');
      await head.getByRole('button', { name: 'Mark mitigated', exact: true }).click();
      await head.getByText('Moved to Mitigated.').waitFor();
      await head.getByRole('button', { name: 'Resolve', exact: true }).click();
      await head.getByText('Moved to Resolved.').waitFor();

      // Before anyone clicks Close: what closing needs, in words.
      const checklist = page.getByRole('region', { name: /Before closing/ });
      await expect(checklist).toContainText('4 items left');
      await expect(checklist).toContainText('Root cause written');
      await expect(checklist).not.toContainText('root_cause');
      await expect(head).toContainText('Before closing: 4 items left');
      await checklist.scrollIntoViewIfNeeded();
      await shot(page, '5a-checklist');
      await checklist.getByRole('link', { name: /Root cause written/ }).click();
      await expect(page.getByLabel('Root cause')).toBeFocused();

      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await headerInView(page, 'Close');
      await head.getByRole('button', { name: 'Close', exact: true }).click();
      const refusal = page.getByRole('alert').filter({ hasText: 'Cannot close yet' });
      await refusal.waitFor();
      await expect(refusal).toContainText('Root cause, Contributing factors, Corrective actions, Prevention actions');
      await expect(refusal).not.toContainText('root_cause');
      await shot(page, '5-close-refused');
      await axeClean(page, 'the refused close with its checklist');
      await noHorizontalScroll(page);

      await page.getByLabel('Root cause').fill('A deploy doubled the checkout pods’ connection pool.');
      await page.getByLabel('Contributing factors').fill('No alert on pool saturation.');
      await page.getByLabel('Corrective actions').fill('Rolled back and scaled out.');
      await page.getByLabel('Prevention actions').fill('Pool size in the deploy checklist (owner: Payments).');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('RCA saved.').waitFor();
      // The refusal clears and the checklist is ready, without a reload.
      await expect(refusal).toHaveCount(0);
      await expect(checklist).toContainText('ready to close');
      await expect(head).not.toContainText('Before closing');
      await shot(page, '6-ready-to-close');

      await head.getByRole('button', { name: 'Close', exact: true }).click();
      await head.getByText('Moved to Closed.').waitFor();
      await expect(head).toContainText('Closed');
      assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
    });

    test('an admin flags a step destructive or manual in the runbook editor; a viewer sees step state but cannot apply', async () => {
      const { page, server, problems } = world();
      await openMenu(page);
      await page.getByRole('button', { name: 'Log out' }).click();
      await login(page, server.url, 'jordan');
      await openMenu(page);
      await page.getByRole('link', { name: 'Runbooks' }).click();
      const section = page.getByRole('region', { name: 'checkout-api', exact: true });
      await section.getByRole('button', { name: 'Edit runbook Checkout latency or errors' }).click();
      const form = section.getByRole('form', { name: 'Edit runbook Checkout latency or errors' });
      await expect(form.getByLabel('Step 3 is destructive (ask before applying)')).toBeChecked();
      await expect(form.getByLabel('Step 4 kind')).toHaveValue('manual');
      await form.getByLabel('Step 2 is destructive (ask before applying)').check();
      await form.getByLabel('Step 2 kind').scrollIntoViewIfNeeded();
      await shot(page, '7-runbook-editor');
      await noHorizontalScroll(page);
      await form.getByRole('button', { name: 'Save runbook' }).click();
      const step2 = section.locator('.step').nth(1);
      await expect(step2).toContainText('Roll back the latest deploy');
      await expect(step2).toContainText('Destructive');
      await expect(section.locator('.step').nth(3)).toContainText('Manual check');

      await openMenu(page);
      await page.getByRole('button', { name: 'Log out' }).click();
      await login(page, server.url, 'morgan');
      await page.goto(`${server.url}/ui/incidents/1`);
      const card = page.getByRole('region', { name: 'Checkout latency or errors' });
      await card.getByText('3 of 4 done').waitFor();
      await expect(card.locator('.step').first()).toContainText('Applied by Avery Patel');
      await expect(card.getByRole('button', { name: /^Apply/ })).toHaveCount(0);
      await expect(card.getByRole('checkbox')).toHaveCount(0);
      await expect(page.locator('header.incident-head').getByRole('button', { name: 'Copy link to INC-1' })).toBeVisible();
      await noHorizontalScroll(page);
      assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
    });
  });
}
