// Similar past incidents on the detail page, with the demo's sixty days of history, at desktop
// and phone sizes: the card lists earlier incidents like the live one with their root cause,
// links to them, fits the screen and passes axe.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { accessibilityViolations, login, startBackend, type Backend } from './harness';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;
const SHOTS = '/tmp/shots-similar';
mkdirSync(SHOTS, { recursive: true });

test.describe.configure({ mode: 'serial' });

let server: Backend | undefined;
let liveId = 0;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startBackend({ history: true });
  const login = await fetch(`${server.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'jordan', password: 'demo123' }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  const page = await fetch(`${server.url}/incidents?limit=1`, { headers: { authorization: `Bearer ${access_token}` } });
  liveId = ((await page.json()) as { items: { id: number }[] }).items[0].id; // the seed's live incident, the newest
});
test.afterAll(async () => {
  await server?.stop();
});

async function fitsTheScreen(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no horizontal scroll').toBeLessThanOrEqual(0);
}

for (const size of SIZES) {
  test.describe(size.name, () => {
    test.use({ viewport: size.viewport, timezoneId: 'UTC' });

    test('the live incident shows its similar past incidents with what was learnt', async ({ page }) => {
      const url = server!.url;
      await login(page, url, 'morgan'); // a viewer reads them too
      await page.goto(`${url}/ui/incidents/${liveId}`);
      const card = page.getByRole('region', { name: 'Similar past incidents' });
      const items = card.getByRole('listitem');
      await expect(items.first()).toBeVisible();
      const count = await items.count();
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(5);
      const first = items.first();
      await expect(first.getByRole('link')).toHaveText(/^INC-\d+ · Checkout p99 latency above \ds$/);
      await expect(first).toContainText('checkout-api');
      await expect(first).toContainText(/Very close|Close|Somewhat alike|Loosely alike/);
      await expect(first).toContainText('Root cause: A connection pool sized for last year');
      await expect(first).toContainText('Corrective actions:');
      await first.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/${size.name}.png`, fullPage: true });
      await fitsTheScreen(page);
      expect(await accessibilityViolations(page), 'no WCAG 2.2 A/AA violations (axe-core)').toEqual([]);

      const link = first.getByRole('link');
      const target = (await link.textContent())!.split(' · ')[0];
      await link.click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Checkout p99 latency above');
      await expect(page.locator('.crumbs')).toContainText(target);
    });
  });
}
