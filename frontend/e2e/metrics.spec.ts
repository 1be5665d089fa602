// Metrics to act on, at desktop and phone sizes: on the demo history (figures, change against the
// previous period, the owner filter, a bar opening its incidents on the dashboard, CSV downloads),
// and on a fresh start without history ("Not enough data", charts that say they are empty).
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { accessibilityViolations, login, startBackend, type Backend } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const SHOTS = '/tmp/shots-metrics';
mkdirSync(SHOTS, { recursive: true });

async function fitsTheScreen(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no horizontal scroll').toBeLessThanOrEqual(0);
}

async function accessible(page: Page) {
  expect(await accessibilityViolations(page), 'no WCAG 2.2 A/AA violations (axe-core)').toEqual([]);
}

/** The incident count in the breach-rate card's detail ("… · 57 incidents · …"). */
async function incidentCount(page: Page): Promise<number> {
  const detail = (await page.getByRole('region', { name: 'Breach rate', exact: true }).locator('.metric-detail').textContent()) ?? '';
  const match = /(\d+) incidents?\b/.exec(detail.replace(/with a known outcome/, ''));
  expect(match, `a count in "${detail}"`).not.toBeNull();
  return Number(match![1]);
}

async function csvLines(page: Page, chart: string): Promise<string[]> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Download CSV of ${chart}` }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^metrics-[a-z0-9-]+\.csv$/);
  return readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
}

test.describe('metrics on sixty days of history', () => {
  test.describe.configure({ mode: 'serial' });
  let server: Backend | undefined;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    server = await startBackend({ history: true });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  for (const size of SIZES) {
    test.describe(size.name, () => {
      test.use({ viewport: size.viewport, timezoneId: 'UTC' });

      test('figures with their change, the owner filter, bars to the dashboard, CSV', async ({ page }) => {
        const url = server!.url;
        await login(page, url, 'jordan');
        await page.goto(`${url}/ui/metrics`);
        for (const name of ['MTTA', 'MTTM', 'MTTR', 'Breach rate']) {
          const card = page.getByRole('region', { name, exact: true });
          await expect(card.locator('.metric-value')).not.toHaveText(/Not enough data|—/);
          await expect(card.locator('.metric-change')).toHaveText(/(up|down) .* from the previous 30 days \((better|worse)\)|no change/);
        }
        await expect(page.getByText('The dashed line is the target: under 10%.')).toBeVisible();
        await expect(page.locator('.recharts-reference-line')).toHaveCount(1);
        await page.locator('.recharts-surface').first().waitFor();
        await page.screenshot({ path: `${SHOTS}/history-${size.name}.png`, fullPage: true });
        await fitsTheScreen(page);
        await accessible(page);

        // The owner filter narrows every figure.
        const everyone = await incidentCount(page);
        await page.getByLabel('Owner').selectOption({ label: 'Sam Okafor' });
        await expect(page).toHaveURL(/assignee_id=\d+/);
        await expect.poll(() => incidentCount(page)).toBeLessThan(everyone);
        expect(await incidentCount(page)).toBeGreaterThan(0);
        await page.getByLabel('Owner').selectOption({ label: 'Everyone' });
        await expect.poll(() => incidentCount(page)).toBe(everyone);

        // Each chart's own data as CSV, header first.
        const perDay = await csvLines(page, 'Opened, resolved and breached per day');
        expect(perDay[0]).toBe('Day (UTC),Opened,Resolved,Breached');
        expect(perDay).toHaveLength(1 + 30);
        const bySeverity = await csvLines(page, 'By severity');
        expect(bySeverity[0]).toBe('Severity,Incidents,Breached,Breach rate,MTTA (seconds),MTTM (seconds),MTTR (seconds)');
        expect(bySeverity.slice(1).map((l) => l.split(',')[0])).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);

        // A bar opens the dashboard on exactly its incidents.
        const severityChart = page.getByRole('img', { name: 'By severity chart' });
        await severityChart.scrollIntoViewIfNeeded();
        await severityChart.locator('.recharts-bar-rectangle').first().click();
        // The dashboard, under the router's /ui basename (/ui?… or /ui/?…).
        await page.waitForURL((u) => /^\/ui\/?$/.test(u.pathname) && u.searchParams.has('created_from'));
        const sp = new URL(page.url()).searchParams;
        expect(sp.get('severity')).toBe('SEV1');
        expect(sp.getAll('status')).toEqual(['New', 'Investigating', 'Mitigated', 'Resolved', 'Closed']);
        expect(sp.get('created_from')).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
        expect(Date.parse(sp.get('created_to')!) - Date.parse(sp.get('created_from')!)).toBe(30 * 86_400_000);
        await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
        await page.screenshot({ path: `${SHOTS}/history-drill-${size.name}.png`, fullPage: true });

        // The breach-rate bars open the breached incidents of their week.
        await page.goBack();
        const breachChart = page.getByRole('img', { name: 'Breach rate over time chart' });
        await breachChart.scrollIntoViewIfNeeded();
        await breachChart.locator('.recharts-bar-rectangle').last().click();
        await page.waitForURL((u) => /^\/ui\/?$/.test(u.pathname) && u.searchParams.get('sla_state') === 'breached');
      });
    });
  }
});

test.describe('metrics on a fresh start without history', () => {
  test.describe.configure({ mode: 'serial' });
  let server: Backend | undefined;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    server = await startBackend();
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  for (const size of SIZES) {
    test.describe(size.name, () => {
      test.use({ viewport: size.viewport, timezoneId: 'UTC' });

      test('"Not enough data" for the figures, words for the empty charts', async ({ page }) => {
        const url = server!.url;
        await login(page, url, 'jordan');
        await page.goto(`${url}/ui/metrics`);
        for (const name of ['MTTA', 'MTTM', 'MTTR', 'Breach rate']) {
          await expect(page.getByRole('region', { name, exact: true }).locator('.metric-value')).toHaveText('Not enough data');
        }
        await expect(page.getByText('No incident in this window has been acknowledged yet, so there is no trend to draw.')).toBeVisible();
        await expect(page.getByText(/Not enough incidents with a known SLA outcome in any period/)).toBeVisible();
        await page.screenshot({ path: `${SHOTS}/fresh-${size.name}.png`, fullPage: true });
        await fitsTheScreen(page);
        await accessible(page);
      });
    });
  }
});
