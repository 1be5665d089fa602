// An admin writes a runbook (steps added, reordered, removed) and changes an SLA policy.
import assert from 'node:assert/strict';
import { test } from '@playwright/test';
import { login, useConsole } from './harness';

const world = useConsole('runbooks');

test('an admin creates a runbook with ordered steps and edits an SLA policy', async () => {
  const { page, shot, server, problems } = world();
  await login(page, server.url, 'jordan');
  await page.getByRole('link', { name: 'Runbooks' }).click();
  await page.getByRole('heading', { name: 'Runbooks and SLA policies' }).waitFor();
  await shot('runbooks');

  const section = page.getByRole('region', { name: 'checkout-api', exact: true });
  await section.getByRole('button', { name: 'New runbook for checkout-api' }).click();
  const form = section.getByRole('form', { name: 'New runbook for checkout-api' });
  await form.getByLabel('Runbook title').fill('Card declines spike');
  await form.getByLabel('Step 1 title').fill('Check the issuer status page');
  await form.getByRole('button', { name: 'Add step' }).click();
  await form.getByLabel('Step 2 title').fill('Throwaway step');
  await form.getByRole('button', { name: 'Add step' }).click();
  await form.getByLabel('Step 3 title').fill('Fail over to the backup acquirer');
  await form.getByRole('button', { name: 'Move step 3 up' }).click();
  await form.getByRole('button', { name: 'Remove step 3' }).click();
  await shot('runbook-editor');
  await form.getByRole('button', { name: 'Create runbook' }).click();

  const created = section.locator('.runbook', { has: page.getByRole('heading', { name: 'Card declines spike' }) });
  await created.waitFor();
  const steps = (await created.locator('li strong').allTextContents()).map((s) => s.trim());
  assert.deepEqual(steps, ['Check the issuer status page', 'Fail over to the backup acquirer']);

  await section.getByRole('button', { name: 'Edit SLA policy for checkout-api' }).click();
  await section.getByLabel('SEV4 acknowledge minutes').fill('300');
  await section.getByRole('button', { name: 'Save SLA policy' }).click();
  const policy = section.getByRole('table', { name: 'SLA policy for checkout-api' });
  await policy.getByRole('row', { name: /SEV4 5h/ }).waitFor();
  await shot('runbook-created');

  await page.getByRole('button', { name: 'New service', exact: true }).click();
  await page.getByLabel('Service name').fill('search-indexer');
  await page.getByLabel('Owner team').fill('Discovery');
  await page.getByRole('button', { name: 'Create service' }).click();
  const added = page.getByRole('region', { name: 'search-indexer', exact: true });
  await added.getByRole('table', { name: 'SLA policy for search-indexer' }).waitFor();
  await added.getByText('No runbooks for search-indexer yet.').waitFor();

  assert.deepEqual(problems, [], 'no console errors or uncaught page errors');
});
