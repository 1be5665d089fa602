// The whole demo, clicked through as jordan (admin) in real Chromium against the real backend.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { accessibilityViolations, artifactsDir, login, useConsole } from './harness';

const world = useConsole('demo');

const a11y: string[] = [];
async function checkA11y(page: Page, screen: string) {
  for (const v of await accessibilityViolations(page)) a11y.push(`${screen}: ${v}`);
}

test('the demo: declare, work, resolve, RCA-gated close, export, metrics', async () => {
  const { page, shot, server, problems } = world();
  const stamp = Date.now();
  const title = `Search results empty for EU shoppers ${stamp}`;
  // A word only the impact holds: finding the incident by it proves `q` searches the impact.
  const impactWord = `basket${stamp.toString(36)}`;
  const impact = `EU shoppers cannot find products, so ${impactWord} checkouts stall.`;

  await page.goto(`${server.url}/ui/`);
  await page.getByLabel('Username').waitFor();
  await shot('login');
  await checkA11y(page, 'login');
  await login(page, server.url, 'jordan');
  await page.getByRole('table').waitFor();
  await shot('dashboard');
  await checkA11y(page, 'dashboard');

  // Keyboard: `/` focuses the search, `n` (outside text fields) opens the new incident form.
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-q');
  await page.keyboard.press('Escape');
  await page.locator('body').click({ position: { x: 5, y: 400 } });
  // New SEV2 incident with a service and an owner.
  await page.keyboard.press('n');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Description').fill('Search returns no results for EU customers since 10:05 UTC.');
  await page.getByLabel('Customer impact (optional)').fill(impact);
  await page.getByLabel('Severity').selectOption('SEV2');
  const service = page.getByLabel('Service');
  await service.locator('option').nth(1).waitFor({ state: 'attached' });
  await service.selectOption({ index: 1 });
  const serviceName = ((await service.locator('option:checked').textContent()) ?? '').trim();
  await page.getByLabel('Owner').selectOption({ label: 'Avery Patel (avery)' });
  await shot('new-incident-form');
  await checkA11y(page, 'new incident');
  await page.getByRole('button', { name: 'Create incident' }).click();

  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.waitForFunction((re) => new RegExp(re).test(document.title), /^INC-\d+ · SEV2 · New/.source);
  const incidentPath = new URL(page.url()).pathname;
  await assert.doesNotReject(page.getByText(serviceName).first().waitFor());
  // The impact given on the form, shown in its own block beside the summary.
  const impactBlock = page.getByRole('region', { name: 'Customer impact' });
  await impactBlock.getByText(impact).waitFor();
  await shot('incident-new');

  // Investigating, with a note.
  await page.getByLabel('Note for the status change (optional)').fill('Paging search on-call');
  await page.getByRole('button', { name: 'Investigating', exact: true }).click();
  await page.getByText('Moved to Investigating.').waitFor();
  await page.waitForFunction((re) => new RegExp(re).test(document.title), /· SEV2 · Investigating/.source);
  await page.locator('.timeline').getByText('Paging search on-call').waitFor();

  // Apply a runbook step.
  const apply = page.getByRole('button', { name: /^Apply step 1/ }).first();
  await apply.click();
  await page.getByText(/Logged “.+” to the timeline\./).waitFor();
  await page.locator('.timeline .ev-runbook').first().waitFor();

  // Comment.
  await page.getByLabel('Comment', { exact: true }).fill('Rolled back search-indexer to 4.11; watching error rate.');
  await page.getByRole('button', { name: 'Add comment' }).click();
  await page.locator('.timeline .ev-comment', { hasText: 'Rolled back search-indexer' }).waitFor();
  await shot('investigating-runbook-comment');

  // Mitigated, then Resolved.
  await page.getByRole('button', { name: 'Mitigated', exact: true }).click();
  await page.getByText('Moved to Mitigated.').waitFor();
  await page.getByRole('button', { name: 'Resolved', exact: true }).click();
  await page.getByText('Moved to Resolved.').waitFor();
  await page.waitForFunction((re) => new RegExp(re).test(document.title), /· Resolved/.source);

  // Closing without an RCA is refused, naming the missing fields.
  await page.getByRole('button', { name: 'Closed', exact: true }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'Cannot close yet' });
  await refusal.waitFor();
  const refusalText = (await refusal.textContent()) ?? '';
  for (const field of ['Root cause', 'Contributing factors', 'Corrective actions', 'Prevention actions']) {
    assert.ok(refusalText.includes(field), `refusal should name ${field}: ${refusalText}`);
  }
  await shot('close-refused');
  await checkA11y(page, 'incident detail');

  // Fill and save the RCA, then close.
  await page.getByLabel('Root cause').fill('A config push disabled the EU search shard.');
  await page.getByLabel('Contributing factors').fill('No canary for config pushes; alert threshold too lax.');
  await page.getByLabel('Corrective actions').fill('Reverted the config and re-enabled the shard.');
  await page.getByLabel('Prevention actions').fill('Canary config pushes per region (owner: search team).');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('RCA saved.').waitFor();
  await shot('rca-saved');
  await page.getByRole('button', { name: 'Closed', exact: true }).click();
  await page.getByText('Moved to Closed.').waitFor();
  await page.waitForFunction((re) => new RegExp(re).test(document.title), /· Closed/.source);
  await page.getByText('no further transitions').waitFor();
  await shot('closed');

  // Export the post-incident report and read the downloaded file.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export Post-Incident Report (Markdown)' }).click(),
  ]);
  const reportFile = join(artifactsDir, `demo-report-${download.suggestedFilename()}`);
  await download.saveAs(reportFile);
  assert.match(download.suggestedFilename(), /\.md$/);
  const report = await readFile(reportFile, 'utf8');
  assert.ok(report.includes(title), 'report names the incident');
  assert.ok(report.includes('A config push disabled the EU search shard.'), 'report carries the root cause');
  assert.ok(report.includes('Canary config pushes per region'), 'report carries the prevention actions');
  assert.ok(report.includes('Rolled back search-indexer'), 'report carries the timeline');
  assert.match(report, /SEV2/);
  await shot('report-exported');

  // A deep link survives a reload.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  assert.equal(new URL(page.url()).pathname, incidentPath);

  // Dashboard filters live in the URL.
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.getByLabel('Status').selectOption('Closed');
  await page.getByLabel('Severity', { exact: true }).selectOption('SEV2');
  await page.waitForURL(/status=Closed/);
  assert.match(page.url(), /severity=SEV2/);
  await page.getByRole('link', { name: new RegExp(title) }).waitFor();
  await shot('dashboard-filtered');

  // The dashboard search finds the incident by a word of its customer impact alone.
  // The dashboard opens on open incidents, most urgent first; this one is closed by now.
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.waitForURL(/sort=urgency/);
  await page.getByLabel('Status').selectOption('');
  await page.waitForURL((url) => !url.searchParams.has('status'));
  await page.getByRole('heading', { level: 1, name: 'Incidents' }).click();
  await page.keyboard.press('/');
  await page.keyboard.type(impactWord);
  await page.waitForURL(new RegExp(`q=${impactWord}`));
  // The unfiltered list (still on screen while the search loads) holds the incident too: wait for the one row.
  await expect(page.locator('tbody tr'), 'only the incident whose impact holds the word').toHaveCount(1);
  await page.getByRole('link', { name: new RegExp(title) }).waitFor();
  await shot('dashboard-search-impact');

  // Metrics: the headline numbers (MTTM among them: this incident was mitigated) and a chart.
  await page.getByRole('link', { name: 'Metrics' }).click();
  for (const name of ['MTTA', 'MTTM', 'MTTR', 'Breach rate']) {
    const card = page.getByRole('region', { name, exact: true });
    await card.waitFor();
    const value = ((await card.locator('.metric-value').textContent()) ?? '').trim();
    assert.ok(value.length > 0 && value !== '—', `${name} shows a number, got "${value}"`);
  }
  await page.locator('.recharts-surface').first().waitFor();
  await page.getByRole('button', { name: 'View as table' }).first().click();
  await page.getByRole('columnheader', { name: 'Opened' }).waitFor();
  await shot('metrics');
  await checkA11y(page, 'metrics');
  await page.getByRole('link', { name: 'Runbooks' }).click();
  await page.getByRole('heading', { name: 'Runbooks and SLA policies' }).waitFor();
  await checkA11y(page, 'runbooks');

  assert.deepEqual(a11y, [], 'no WCAG 2.2 A/AA violations (axe-core)');

  assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
});
