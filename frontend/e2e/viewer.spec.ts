// A viewer (morgan) sees everything and can change nothing.
import assert from 'node:assert/strict';
import { test } from '@playwright/test';
import { login, useConsole } from './harness';

const world = useConsole('viewer');

test('a viewer reads the console but has no control that changes anything', async () => {
  const { page, shot, server, problems } = world();
  await login(page, server.url, 'morgan');
  await page.getByText('read-only').first().waitFor();
  assert.equal(await page.getByRole('link', { name: 'New incident' }).count(), 0);
  await shot('dashboard');

  // `n` does nothing for a viewer.
  await page.keyboard.press('n');
  assert.doesNotMatch(page.url(), /incidents\/new/);

  await page.locator('a.incident-link').first().click();
  await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  for (const name of ['Investigating', 'Mitigated', 'Resolved', 'Closed', 'Add comment', 'Save', 'Update triage', 'Edit title and description']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no "${name}" button`);
  }
  assert.equal(await page.getByRole('button', { name: /^Apply/ }).count(), 0, 'no Apply buttons');
  assert.equal(await page.getByLabel('Comment', { exact: true }).count(), 0, 'no comment box');
  assert.equal(await page.getByLabel('Root cause').getAttribute('readonly'), '');
  await page.getByRole('button', { name: 'Export Post-Incident Report (Markdown)' }).waitFor();
  await shot('incident-read-only');

  await page.goto(`${server.url}/ui/incidents/new`);
  await page.getByText('read-only').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create incident' }).count(), 0);

  await page.getByRole('link', { name: 'Runbooks' }).click();
  await page.getByRole('heading', { name: 'Runbooks and SLA policies' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /^(Edit|New runbook|New service)/ }).count(), 0);
  await shot('runbooks-read-only');

  assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
});

test('logging out returns to the login screen and forgets the token', async () => {
  const { page, server } = world();
  await page.goto(`${server.url}/ui/`);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Username').waitFor();
  assert.equal(await page.evaluate(() => window.localStorage.getItem('incident-console.token')), null);
});

test('a rejected token returns to the login screen', async () => {
  const { page, server } = world();
  await page.evaluate(() => window.localStorage.setItem('incident-console.token', 'forged.token.value'));
  await page.goto(`${server.url}/ui/runbooks`);
  await page.getByLabel('Username').waitFor();
  assert.match(page.url(), /\/ui\/login/);
  await page.getByText('Your session has ended').waitFor();
});
