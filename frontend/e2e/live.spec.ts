// A browser watching the dashboard and an incident sees another user's changes without reloading.
import assert from 'node:assert/strict';
import { test } from '@playwright/test';
import { login, useConsole } from './harness';

const world = useConsole('live');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the real API, read loosely as before.
async function asJordan(path: string, body?: object): Promise<any> {
  const { server } = world();
  const login = await fetch(`${server.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'jordan', password: 'demo123' }),
  });
  const { access_token } = await login.json();
  const r = await fetch(`${server.url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(r.ok, `${path}: HTTP ${r.status}`);
  return r.json();
}

test('dashboard and incident detail update live', async () => {
  const { page, shot, server, problems } = world();
  await login(page, server.url, 'avery');
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();

  const [svc] = await asJordan('/services');
  const title = `Live: queue backlog growing ${Date.now()}`;
  const incident = await asJordan('/incidents', { title, description: 'seen live', severity: 'SEV3', service_id: svc.id });
  // The list polls every 30 s; seeing it within 5 s means the stream delivered it.
  await page.getByRole('link', { name: new RegExp(title) }).waitFor({ timeout: 5000 });
  await shot('dashboard-live');

  await page.getByRole('link', { name: new RegExp(title) }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await asJordan(`/incidents/${incident.id}/comments`, { body: 'Jordan here: scaling consumers now.' });
  await page.locator('.timeline').getByText('Jordan here: scaling consumers now.').waitFor({ timeout: 5000 });
  await asJordan(`/incidents/${incident.id}/status`, { status: 'Investigating' });
  await page.waitForFunction(() => document.title.includes('· Investigating'), null, { timeout: 5000 });
  await shot('incident-live');

  // The alert drill goes through the real intake; new incidents show on the dashboard.
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.getByRole('button', { name: 'Run alert drill (5 alerts)' }).click();
  await page.getByText(/Drill sent 5 alerts/).waitFor();
  await shot('alert-drill');
  const { items } = await asJordan('/alerts');
  assert.ok(items.length > 0, 'the drill created alerts');
  await page.goto(`${server.url}/ui/incidents/${items[0].incident_id}`);
  const panel = page.getByRole('region', { name: 'Alerts', exact: true });
  await panel.getByText(items[0].summary).first().waitFor();
  await shot('incident-alerts');

  // Triage: severity and owner, each a timeline event reading old -> new.
  const before = await page.getByLabel('Change severity').inputValue();
  const target = before === 'SEV1' ? 'SEV2' : 'SEV1';
  await page.getByLabel('Change severity').selectOption(target);
  await page.getByLabel('Change owner').selectOption({ label: 'Avery Patel' });
  await page.getByRole('button', { name: 'Update triage' }).click();
  await page.waitForFunction((t) => document.title.includes(`· ${t} ·`), target);
  const change = page.locator('.timeline .ev-triage', { hasText: 'Severity' }).first();
  await change.waitFor();
  assert.match((await change.textContent()) ?? '', new RegExp(`${before}\\s*→\\s*${target}`));
  await page.locator('.timeline .ev-triage', { hasText: 'Owner' }).getByText('Avery Patel').first().waitFor();
  await shot('triage');

  assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
});
