import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, makeIncident, renderApp } from '../../../test/utils';
import { NewIncidentPage } from './NewIncidentPage';

function renderForm() {
  return renderApp(<NewIncidentPage />, {
    path: '/incidents/new',
    pattern: '/incidents/new',
    as: 'avery',
    handlers: [
      http.post('/incidents', async ({ request, response }) => {
        const body = await request.json();
        return response(201).json(makeIncident({ id: 12, title: body.title, impact: body.impact }));
      }),
    ],
  });
}

async function fillRequired(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText('Title'), 'Search down in EU');
  const service = screen.getByLabelText('Service');
  await waitFor(() => expect(service.querySelectorAll('option')).toHaveLength(2));
  await user.selectOptions(service, 'checkout-api');
}

describe('NewIncidentPage', () => {
  it('sends the customer impact when one is given', async () => {
    const { calls, router } = renderForm();
    const user = userEvent.setup();
    await fillRequired(user);
    expect(screen.getByLabelText('Customer impact (optional)')).not.toBeRequired();
    await user.type(screen.getByLabelText('Customer impact (optional)'), ' EU shoppers see no search results ');
    await user.click(screen.getByRole('button', { name: 'Create incident' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/incidents/12'));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      title: 'Search down in EU',
      service_id: 1,
      impact: 'EU shoppers see no search results',
    });
  });

  it('creates an incident without an impact (it is optional)', async () => {
    const { calls, router } = renderForm();
    const user = userEvent.setup();
    await fillRequired(user);
    await user.click(screen.getByRole('button', { name: 'Create incident' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/incidents/12'));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ title: 'Search down in EU', impact: '' });
  });
});
