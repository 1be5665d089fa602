import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { vi } from 'vitest';
import type { ApiToken } from '../../../api/types';
import { http, renderApp } from '../../../test/utils';
import TokensPage from './TokensPage';

const hourAgo = new Date(Date.now() - 3_600_000).toISOString();

function token(overrides: Partial<ApiToken>): ApiToken {
  return {
    id: 1,
    name: 'deploy-bot',
    role: 'responder',
    prefix: 'icp_AbCd',
    user_id: 2,
    user_name: 'Avery Patel',
    created_at: hourAgo,
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    ...overrides,
  };
}

describe('TokensPage', () => {
  it('creates a token with a name, a role up to yours and an expiry, and shows it once with a copy button', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    const user = userEvent.setup();
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const secret = 'icp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg';
    const { calls } = renderApp(<TokensPage />, {
      as: 'avery',
      handlers: [
        http.get('/auth/tokens', ({ response }) => response(200).json([])),
        http.post('/auth/tokens', ({ response }) =>
          response(201).json({ id: 4, name: 'deploy-bot', role: 'viewer', token: secret, created_at: hourAgo, expires_at: null }),
        ),
      ],
    });
    expect(await screen.findByText('You have no API tokens yet.')).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Create an API token' });
    const roles = within(within(form).getByLabelText('Role')).getAllByRole('option');
    expect(roles.map((o) => o.getAttribute('value'))).toEqual(['responder', 'viewer']);
    await user.type(within(form).getByLabelText('Name'), 'deploy-bot');
    await user.selectOptions(within(form).getByLabelText('Role'), 'viewer');
    await user.selectOptions(within(form).getByLabelText('Expires after'), 'Never');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));
    const shown = await screen.findByRole('region', { name: /Your new token/ });
    expect(within(shown).getByLabelText('The new token')).toHaveValue(secret);
    expect(shown).toHaveTextContent('shown only this once');
    await user.click(within(shown).getByRole('button', { name: 'Copy token' }));
    expect(writeText).toHaveBeenCalledWith(secret);
    expect(await within(shown).findByText('Copied to the clipboard.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'deploy-bot', role: 'viewer' });
    await user.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByDisplayValue(secret)).not.toBeInTheDocument();
  });

  it('sends the expiry in days', async () => {
    const { calls } = renderApp(<TokensPage />, {
      as: 'morgan',
      handlers: [
        http.get('/auth/tokens', ({ response }) => response(200).json([])),
        http.post('/auth/tokens', ({ response }) =>
          response(201).json({ id: 4, name: 'report', role: 'viewer', token: 'icp_x', created_at: hourAgo, expires_at: hourAgo }),
        ),
      ],
    });
    const user = userEvent.setup();
    const form = await screen.findByRole('form', { name: 'Create an API token' });
    expect(within(within(form).getByLabelText('Role')).getAllByRole('option')).toHaveLength(1);
    await user.type(within(form).getByLabelText('Name'), 'report');
    await user.selectOptions(within(form).getByLabelText('Expires after'), '1 year');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'report', role: 'viewer', expires_in_days: 365 });
  });

  it('lists tokens with when they were last used, and revokes one after confirmation', async () => {
    const { calls } = renderApp(<TokensPage />, {
      as: 'avery',
      handlers: [
        http.get('/auth/tokens', ({ response }) =>
          response(200).json([
            token({ last_used_at: hourAgo }),
            token({ id: 2, name: 'old-ci', revoked_at: hourAgo }),
          ]),
        ),
        http.delete('/auth/tokens/{token_id}', ({ response }) => response(204).empty()),
      ],
    });
    const user = userEvent.setup();
    const bot = await screen.findByRole('listitem', { name: 'deploy-bot' });
    expect(bot).toHaveTextContent('Last used');
    expect(bot).toHaveTextContent('1h ago');
    expect(bot).toHaveTextContent('Active');
    const old = screen.getByRole('listitem', { name: 'old-ci' });
    expect(old).toHaveTextContent('Revoked');
    expect(within(old).queryByRole('button', { name: /Revoke/ })).not.toBeInTheDocument();
    await user.click(within(bot).getByRole('button', { name: 'Revoke token deploy-bot' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    const confirm = within(bot).getByRole('group', { name: 'Confirm revoking token deploy-bot' });
    await user.click(within(confirm).getByRole('button', { name: 'Yes, revoke' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/auth/tokens/1')).toBe(true));
    expect(screen.queryByRole('heading', { name: 'Everyone else’s tokens' })).not.toBeInTheDocument();
  });

  it('shows an admin everyone’s tokens with their owners', async () => {
    renderApp(<TokensPage />, {
      as: 'jordan',
      handlers: [
        http.get('/auth/tokens', ({ response }) =>
          response(200).json([token({ id: 3, name: 'nightly', user_id: 1, user_name: 'Jordan Lee', role: 'admin' }), token({})]),
        ),
      ],
    });
    const mine = await screen.findByRole('list', { name: 'Your tokens' });
    expect(within(mine).getByRole('listitem', { name: 'nightly' })).not.toHaveTextContent('Belongs to');
    const others = screen.getByRole('list', { name: 'Everyone else’s tokens' });
    expect(within(others).getByRole('listitem', { name: 'deploy-bot' })).toHaveTextContent('Belongs toAvery Patel');
  });
});
