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
