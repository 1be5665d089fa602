import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, renderApp, users } from '../../../test/utils';
import PeoplePage from './PeoplePage';

const sam = { id: 9, name: 'Sam Okafor', username: 'sam', role: 'responder' as const, is_active: true };

function card(name: string) {
  return screen.getByRole('listitem', { name: new RegExp(name) });
}

describe('PeoplePage', () => {
  it('lists everyone with their role and whether they are active', async () => {
    renderApp(<PeoplePage />, {
      handlers: [http.get('/users', ({ response }) => response(200).json([...Object.values(users), { ...sam, is_active: false }]))],
    });
    await screen.findByRole('listitem', { name: /Sam Okafor/ });
    expect(screen.getByText(/4 people, 3 active/)).toBeInTheDocument();
    expect(card('Sam Okafor')).toHaveTextContent('Deactivated');
    expect(card('Jordan Lee')).toHaveTextContent('(you)');
    expect(card('Avery Patel')).toHaveTextContent('Responder');
    expect(within(card('Sam Okafor')).getByRole('button', { name: 'Reactivate Sam Okafor' })).toBeInTheDocument();
  });

  it('adds a person and says how they sign in', async () => {
    const { calls } = renderApp(<PeoplePage />, { handlers: [http.post('/users', ({ response }) => response(201).json(sam))] });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add a person' }));
    const form = screen.getByRole('form', { name: 'Add a person' });
    await user.type(within(form).getByLabelText('Full name'), 'Sam Okafor');
    await user.type(within(form).getByLabelText('Username'), 'sam');
    await user.selectOptions(within(form).getByLabelText('Role'), 'responder');
    await user.type(within(form).getByLabelText('First password'), 'plum tree at dawn');
    await user.click(within(form).getByRole('button', { name: 'Add person' }));
    expect(await screen.findByText(/Sam Okafor was added as responder; they can sign in as “sam”/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      username: 'sam',
      name: 'Sam Okafor',
      role: 'responder',
      password: 'plum tree at dawn',
    });
  });

  it('shows the server’s refusal of a common password, naming the field', async () => {
    renderApp(<PeoplePage />, {
      handlers: [
        http.post('/users', ({ response }) =>
          response(422).json({
            code: 'validation_failed',
            detail: [{ loc: ['body', 'password'], msg: 'The password is one of the 10,000 most common passwords; choose another', type: 'value_error' }],
          }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add a person' }));
    const form = screen.getByRole('form', { name: 'Add a person' });
    await user.type(within(form).getByLabelText('Full name'), 'Sam');
    await user.type(within(form).getByLabelText('Username'), 'sam');
    await user.type(within(form).getByLabelText('First password'), 'password1');
    await user.click(within(form).getByRole('button', { name: 'Add person' }));
    const alert = await within(form).findByRole('alert');
    expect(alert).toHaveTextContent(/password/);
    expect(alert).toHaveTextContent(/most common passwords/);
  });

  it('changes a role with a warning that it signs the person out', async () => {
    const { calls } = renderApp(<PeoplePage />, {
      handlers: [http.patch('/users/{user_id}', ({ response }) => response(200).json({ ...users.avery, role: 'viewer' }))],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Avery Patel' }));
    const form = screen.getByRole('form', { name: 'Edit Avery Patel' });
    await user.selectOptions(within(form).getByLabelText('Role'), 'viewer');
    expect(within(form).getByText(/signs Avery Patel out everywhere/)).toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.path).toBe('/users/2');
    expect(patch?.body).toEqual({ role: 'viewer' });
  });

  it('asks before deactivating, and shows the last-admin refusal', async () => {
    const { calls } = renderApp(<PeoplePage />, {
      handlers: [
        http.patch('/users/{user_id}', ({ response }) =>
          response(409).json({ code: 'last_admin', detail: 'This is the last active admin: make someone else an admin first', field: 'is_active' }),
        ),
      ],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Deactivate Jordan Lee' }));
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
    const confirm = screen.getByRole('group', { name: 'Confirm deactivation of Jordan Lee' });
    expect(confirm).toHaveTextContent(/signed out at once/);
    await user.click(within(confirm).getByRole('button', { name: 'Yes, deactivate' }));
    expect(await within(confirm).findByRole('alert')).toHaveTextContent('last active admin');
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ is_active: false });
  });

  it('resets a password', async () => {
    const { calls } = renderApp(<PeoplePage />, {
      handlers: [http.post('/users/{user_id}/password', ({ response }) => response(204).empty())],
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Reset password for Morgan Diaz' }));
    await user.type(screen.getByLabelText('New password for Morgan Diaz'), 'a much longer one');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText(/Password reset. Morgan Diaz was signed out everywhere/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/users/3/password', body: { password: 'a much longer one' } });
  });

  it('is for admins only', async () => {
    renderApp(<PeoplePage />, { as: 'avery' });
    expect(await screen.findByRole('alert')).toHaveTextContent('Only an admin manages people.');
    expect(screen.queryByRole('button', { name: 'Add a person' })).not.toBeInTheDocument();
  });
});
