import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, makeEvent, renderApp } from '../../../test/utils';
import { CommentBox, Timeline } from './Timeline';

const events = [
  makeEvent({ id: 1, type: 'created', body: 'SEV2 incident opened', created_by_name: null, created_at: '2026-11-28T10:00:00Z' }),
  makeEvent({ id: 2, type: 'comment', body: 'p99 is up', created_at: '2026-11-28T10:01:00Z' }),
  makeEvent({ id: 3, type: 'status_change', body: 'Moved to Investigating', created_at: '2026-11-28T10:02:00Z' }),
  makeEvent({
    id: 4,
    type: 'comment',
    body: 'Rolled back',
    created_at: '2026-11-28T10:03:00Z',
    starred: true,
    starred_by: 1,
    starred_by_name: 'Jordan Lee',
    starred_at: '2026-11-28T10:04:00Z',
  }),
];
const bodies = () => within(screen.getByRole('list', { name: 'Timeline' })).getAllByRole('listitem').map((li) => li.querySelector('.event-body')?.textContent);

describe('Timeline to work in', () => {
  it('filters by type with a count per type, and to the key events', async () => {
    renderApp(<Timeline events={events} />);
    const chips = screen.getByRole('group', { name: 'Show events of type' });
    expect(within(chips).getAllByRole('button').map((b) => b.textContent)).toEqual([
      'All 4',
      '★ Key events 1',
      '⚙ System 1',
      '⇄ Status 1',
      '❝ Comment 2',
    ]);
    const user = userEvent.setup();
    await user.click(within(chips).getByRole('button', { name: 'Comment 2' }));
    expect(bodies()).toEqual(['p99 is up', 'Rolled back']);
    expect(screen.getByText('Showing 2 of 4 events, oldest first')).toBeInTheDocument();
    await user.click(within(chips).getByRole('button', { name: 'Status 1' }));
    expect(bodies()).toEqual(['p99 is up', 'Moved to Investigating', 'Rolled back']);
    await user.click(within(chips).getByRole('button', { name: 'All 4' }));
    await user.click(within(chips).getByRole('button', { name: 'Key events 1' }));
    expect(bodies()).toEqual(['Rolled back']);
    expect(screen.getByText('Starred by Jordan Lee')).toBeInTheDocument();
  });

  it('remembers each person’s order in this browser', async () => {
    window.localStorage.setItem('incident-console.timeline-order.2', 'newest');
    const { unmount } = renderApp(<Timeline events={events} userId={2} />);
    expect(screen.getByLabelText('Order')).toHaveValue('newest');
    expect(bodies()[0]).toBe('Rolled back');
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Order'), 'oldest');
    expect(bodies()[0]).toBe('SEV2 incident opened');
    expect(window.localStorage.getItem('incident-console.timeline-order.2')).toBe('oldest');
    unmount();
    window.localStorage.setItem('incident-console.timeline-order.2', 'newest');
    renderApp(<Timeline events={events} userId={3} />);
    expect(screen.getByLabelText('Order')).toHaveValue('oldest'); // someone else's choice is theirs
  });

  it('shows a star as words to someone who may not star, with no control', () => {
    renderApp(<Timeline events={events} incidentId={7} canStar={false} />, { as: 'morgan' });
    expect(screen.queryByRole('button', { name: 'Key event' })).toBeNull();
    expect(screen.getByText('Key event', { selector: '.star-badge' })).toBeInTheDocument();
  });

  it('stars and unstars through the star endpoints and says so in a live region', async () => {
    const { calls } = renderApp(<Timeline events={events} incidentId={7} canStar />, {
      as: 'avery',
      handlers: [
        http.put('/incidents/{incident_id}/events/{event_id}/star', ({ response }) =>
          response(200).json({ ...events[1], starred: true, starred_by: 2, starred_by_name: 'Avery Patel', starred_at: '2026-11-28T10:05:00Z' }),
        ),
        http.delete('/incidents/{incident_id}/events/{event_id}/star', ({ response }) =>
          response(200).json({ ...events[3], starred: false, starred_by: null, starred_by_name: null, starred_at: null }),
        ),
      ],
    });
    const user = userEvent.setup();
    const toggles = screen.getAllByRole('button', { name: 'Key event' });
    expect(toggles.map((b) => b.getAttribute('aria-pressed'))).toEqual(['false', 'false', 'false', 'true']);
    await user.click(toggles[1]);
    expect(await screen.findByText('Starred as a key event.')).toHaveAttribute('role', 'status');
    await user.click(toggles[3]);
    expect(await screen.findByText('Star removed.')).toBeInTheDocument();
    const writes = calls.filter((c) => c.path.endsWith('/star'));
    expect(writes.map((c) => `${c.method} ${c.path}`)).toEqual(['PUT /incidents/7/events/2/star', 'DELETE /incidents/7/events/4/star']);
  });
});

describe('the note composer', () => {
  it('posts on Ctrl+Enter and forgets the draft once posted', async () => {
    const { calls } = renderApp(<CommentBox incidentId={7} />, {
      as: 'avery',
      handlers: [http.post('/incidents/{incident_id}/comments', ({ response }) => response(201).json(makeEvent({ body: 'found it' })))],
    });
    const user = userEvent.setup();
    const box = screen.getByLabelText('Comment');
    await user.type(box, 'found it');
    expect(window.localStorage.getItem('incident-console.note-draft.7')).toBe('found it');
    await user.keyboard('{Control>}{Enter}{/Control}');
    expect(await screen.findByText('Comment posted to the timeline.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ body: 'found it' });
    expect(box).toHaveValue('');
    expect(window.localStorage.getItem('incident-console.note-draft.7')).toBeNull();
  });

  it('brings back a half-written note for its own incident only', async () => {
    window.localStorage.setItem('incident-console.note-draft.7', 'checking the CDN');
    const { unmount } = renderApp(<CommentBox incidentId={7} />, { as: 'avery' });
    expect(screen.getByLabelText('Comment')).toHaveValue('checking the CDN');
    unmount();
    renderApp(<CommentBox incidentId={8} />, { as: 'avery' });
    await waitFor(() => expect(screen.getByLabelText('Comment')).toHaveValue(''));
  });
});
