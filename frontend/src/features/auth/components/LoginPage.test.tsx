import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, renderApp, users } from '../../../test/utils';
import { getToken } from '../../../api/token';
import { LoginPage } from './LoginPage';

describe('LoginPage', () => {
  it('signs in with the labelled fields and stores the token', async () => {
    const { calls } = renderApp(<LoginPage />, {
      path: '/login',
      pattern: '/login',
      as: null,
      handlers: [
        http.post('/auth/login', ({ response }) =>
          response(200).json({ access_token: 'abc', token_type: 'bearer', expires_in: 3600 }),
        ),
        http.get('/auth/me', ({ response }) => response(200).json(users.avery)),
      ],
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'avery');
    await user.type(screen.getByLabelText('Password'), 'demo123');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(getToken()).toBe('abc'));
    expect(calls.find((c) => c.path === '/auth/login')?.body).toEqual({ username: 'avery', password: 'demo123' });
    await waitFor(() => expect(calls.some((c) => c.path === '/auth/me' && c.headers.get('Authorization') === 'Bearer abc')).toBe(true));
    expect(await screen.findByText('home screen')).toBeInTheDocument();
  });

  it('says why the last session ended when the server rejected the token', async () => {
    window.sessionStorage.setItem('incident-console.signed-out', 'rejected');
    renderApp(<LoginPage />, { path: '/login', pattern: '/login', as: null });
    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    await waitFor(() => expect(window.sessionStorage.getItem('incident-console.signed-out')).toBeNull());
  });

  it("shows the server's detail when the credentials are wrong", async () => {
    renderApp(<LoginPage />, {
      path: '/login',
      pattern: '/login',
      as: null,
      handlers: [
        http.post('/auth/login', ({ response }) => response(401).json({ detail: 'Incorrect username or password', code: 'unauthenticated' })),
      ],
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'avery');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect username or password');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('offers only the password form when no identity provider is set up', async () => {
    const { calls } = renderApp(<LoginPage />, {
      path: '/login',
      pattern: '/login',
      as: null,
      handlers: [http.get('/auth/config', ({ response }) => response(200).json({ password_login: true, oidc: null }))],
    });
    await waitFor(() => expect(calls.some((c) => c.path === '/auth/config')).toBe(true));
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveClass('primary');
    expect(screen.queryByRole('link', { name: /^Sign in with/ })).toBeNull();
  });

  it('offers "Sign in with <provider>" next to the password form when one is set up', async () => {
    renderApp(<LoginPage />, {
      path: '/login?next=%2Fmetrics',
      pattern: '/login',
      as: null,
      handlers: [http.get('/auth/config', ({ response }) => response(200).json({ password_login: true, oidc: { name: 'Okta' } }))],
    });
    const sso = await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(sso).toHaveAttribute('href', '/auth/oidc/login');
    expect(screen.getByLabelText('Password')).toBeVisible();
    sso.addEventListener('click', (e) => e.preventDefault()); // jsdom does not navigate
    await userEvent.setup().click(sso);
    expect(window.sessionStorage.getItem('incident-console.sso-next')).toBe('/metrics');
  });

  it('keeps the password form behind "Emergency sign-in" when password sign-in is off', async () => {
    renderApp(<LoginPage />, {
      path: '/login',
      pattern: '/login',
      as: null,
      handlers: [http.get('/auth/config', ({ response }) => response(200).json({ password_login: false, oidc: { name: 'Okta' } }))],
    });
    await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(screen.getByText('Emergency sign-in with a password')).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).not.toBeVisible();
  });

  it('finishes a single sign-on by trading the cookie for a token, once', async () => {
    window.sessionStorage.setItem('incident-console.sso-next', '/runbooks');
    const { calls, router } = renderApp(<LoginPage />, {
      path: '/login?sso=complete',
      pattern: '/login',
      as: null,
      handlers: [
        http.post('/auth/oidc/session', ({ response }) =>
          response(200).json({ access_token: 'from-sso', token_type: 'bearer', expires_in: 3600 }),
        ),
        http.get('/auth/me', ({ response }) => response(200).json(users.avery)),
      ],
    });
    await waitFor(() => expect(getToken()).toBe('from-sso'));
    expect(calls.filter((c) => c.path === '/auth/oidc/session')).toHaveLength(1);
    expect(await screen.findByText('home screen')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/runbooks');
    expect(window.sessionStorage.getItem('incident-console.sso-next')).toBeNull();
  });

  it("says plainly why the provider's sign-in did not go through", async () => {
    renderApp(<LoginPage />, {
      path: '/login?sso_error=no_role',
      pattern: '/login',
      as: null,
      handlers: [http.get('/auth/config', ({ response }) => response(200).json({ password_login: true, oidc: { name: 'Okta' } }))],
    });
    const said = await screen.findByText(/^Your account at Okta is not in any group that may use the Incident Console\./);
    expect(said).toHaveAttribute('role', 'alert');
  });

  it('says a lock-out in minutes, from retry_after', async () => {
    renderApp(<LoginPage />, {
      path: '/login',
      pattern: '/login',
      as: null,
      handlers: [
        http.post('/auth/login', ({ response }) =>
          response(429).json({ detail: 'Too many failed sign-ins; wait before trying again', code: 'too_many_attempts', retry_after: 281 }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'avery');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many failed sign-ins. Try again in 5 minutes.');
  });
});
