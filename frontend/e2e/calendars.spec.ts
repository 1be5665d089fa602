// Business hours and paused clocks, at a desktop and a phone size, against the real backend: an
// admin makes a calendar with a split day and a holiday, assigns it to a severity in a service's
// SLA editor and watches the preview move the due time into the calendar's hours, saves it; then
// pauses the demo incident's SLA clock with a reason (the badge says so, the dashboard's SLA
// filter finds it) and resumes it. Axe clean (light and dark), no sideways scroll at 390 px.
import assert from 'node:assert/strict';
import { expect, test, type Page } from '@playwright/test';
import { accessibilityViolations, login, navLink, openPage, startBackend, type Backend, type Session } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

async function noHorizontalScroll(page: Page, where: string) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll}px wide in ${client}px)`);
}

async function checked(page: Page, where: string) {
  assert.deepEqual(await accessibilityViolations(page), [], `${where}: accessibility violations`);
  await noHorizontalScroll(page, where);
}

async function go(page: Page, link: string, heading: string) {
  await (await navLink(page, link)).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

for (const size of SIZES) {
  test.describe(`calendars and paused clocks (${size.name})`, () => {
    test.describe.configure({ mode: 'serial' });
    let server: Backend | undefined;
    let admin: Session | undefined;

    test.beforeAll(async ({ browser }, testInfo) => {
      testInfo.setTimeout(120_000);
      server = await startBackend();
      admin = await openPage(browser, `calendars-${size.name}`);
      await admin.page.setViewportSize(size.viewport);
    });
    test.afterAll(async () => {
      await admin?.close();
      await server?.stop();
    });

    test('an admin makes a calendar and assigns it in the SLA editor with a preview', async () => {
      test.setTimeout(90_000);
      assert.ok(server && admin);
      const { page, problems } = admin;
      await login(page, server.url, 'jordan');
      await go(page, 'Calendars', 'Business-hours calendars');
      await page.getByRole('listitem', { name: 'Office hours' }).getByText('Mon–Fri 09:00–17:00').waitFor();

      await page.getByRole('button', { name: 'Add a calendar' }).click();
      const form = page.getByRole('form', { name: 'Add a calendar' });
      await form.getByLabel('Name').fill('Support desk');
      await form.getByLabel('Time zone').selectOption('UTC');
      // A split Monday: the morning stays, an afternoon is added; an overlap is caught first.
      await form.getByRole('button', { name: 'Add hours on Monday' }).click();
      await form.getByLabel('Monday interval 1 end (HH:MM, 24:00 for midnight)').fill('12:00');
      await form.getByLabel('Monday interval 2 start (HH:MM)').fill('11:00');
      await form.getByText('Two intervals overlap.').waitFor();
      await form.getByLabel('Monday interval 2 start (HH:MM)').fill('13:00');
      await expect(form.getByText('Two intervals overlap.')).toHaveCount(0);
      await form.getByLabel(/Holidays/).fill('2026-12-25\n2027-01-01');
      await checked(page, 'calendar form');
      await admin.shot('calendar-form');
      await form.getByRole('button', { name: 'Add calendar' }).click();
      const card = page.getByRole('listitem', { name: 'Support desk' });
      await card.getByText('Mon 09:00–12:00, 13:00–17:00; Tue–Fri 09:00–17:00').waitFor();
      await card.getByText('2026-12-25, 2027-01-01').waitFor();
      await checked(page, 'calendar list');
      await page.emulateMedia({ colorScheme: 'dark' });
      await checked(page, 'calendar list (dark)');
      await page.emulateMedia({ colorScheme: 'light' });

      await go(page, 'Runbooks', 'Runbooks');
      await page.getByRole('button', { name: 'Edit SLA policy for identity' }).click();
      const editor = page.getByRole('form', { name: 'Edit SLA policy for identity' });
      await editor.getByLabel('SEV4 clock').selectOption({ label: 'Support desk' });
      await editor.getByLabel('Severity', { exact: true }).selectOption('SEV4');
      // Friday 16:00 UTC (the page's zone): 240 business minutes are Friday 16-17 and Monday 09-12,
      // so due Monday at 12:00 (the lunch break not yet reached), not Friday 20:00.
      await editor.getByLabel(/Opened at/).fill('2026-11-27T16:00');
      const preview = editor.getByRole('region', { name: 'Preview' });
      await expect(preview).toContainText(/30 Nov 2026,? 12:00/, { timeout: 15_000 });
      await editor.getByLabel('SEV4 clock').selectOption({ label: '24x7' });
      await expect(preview).toContainText(/27 Nov 2026,? 20:00/);
      await editor.getByLabel('SEV4 clock').selectOption({ label: 'Support desk' });
      await expect(preview).toContainText(/30 Nov 2026,? 12:00/);
      await checked(page, 'SLA editor with preview');
      await admin.shot('sla-preview');
      await editor.getByRole('button', { name: 'Save SLA policy' }).click();
      const table = page.getByRole('table', { name: 'SLA policy for identity' });
      await table.getByRole('row', { name: /SEV4/ }).getByText('Support desk').waitFor();
      assert.deepEqual(problems, []);
    });

    test('a responder pauses the SLA clock with a reason and resumes it', async () => {
      test.setTimeout(90_000);
      assert.ok(server && admin);
      const { page, problems } = admin;
      await page.goto(`${server.url}/ui/incidents/1`);
      await page.getByRole('button', { name: 'Acknowledge', exact: true }).first().click();
      await page.getByText('Moved to Investigating.').waitFor();
      const sla = page.getByRole('region', { name: 'SLA' });
      await sla.getByRole('button', { name: 'Pause SLA clock' }).click();
      await sla.getByLabel('Why is the clock paused?').fill('Waiting on the payment provider');
      await checked(page, 'pause form');
      await sla.getByRole('button', { name: 'Pause', exact: true }).click();
      await sla.getByText('Paused: Waiting on the payment provider').waitFor();
      await page.getByText('SLA clock paused: Waiting on the payment provider').first().waitFor();
      await checked(page, 'paused incident');
      await admin.shot('paused');

      // The dashboard's SLA filter offers Paused and finds it.
      await go(page, 'Dashboard', 'Incidents');
      const filter = page.getByLabel('SLA', { exact: true });
      if (!(await filter.isVisible())) await page.getByRole('button', { name: /filters/i }).first().click();
      await filter.selectOption({ label: 'Paused' });
      await expect(page).toHaveURL(/sla_state=paused/);
      await page.getByRole('link', { name: /Checkout p99 latency above 3s/ }).first().waitFor();
      await checked(page, 'dashboard filtered to paused');
      await page.getByRole('link', { name: /Checkout p99 latency above 3s/ }).first().click();

      await sla.getByRole('button', { name: 'Resume SLA clock' }).click();
      await expect(sla.getByText(/Paused:/)).toHaveCount(0);
      await page.getByText('SLA clock resumed after pause: Waiting on the payment provider').first().waitFor();
      await sla.getByText('Paused before').waitFor();
      await checked(page, 'resumed incident');
      await admin.shot('resumed');
      assert.deepEqual(problems, []);
    });
  });
}
