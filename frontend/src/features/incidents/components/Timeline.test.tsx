import { render, screen, within } from '@testing-library/react';
import type { EventType } from '../../../api/types';
import { makeEvent } from '../../../test/utils';
import { Timeline } from './Timeline';

/** One event of every type the server sends, each as it would carry its data. */
const oneOfEach: Record<EventType, Parameters<typeof makeEvent>[0]> = {
  created: { body: 'Incident declared', created_by_name: null },
  status_change: { body: 'Status changed', data: { from: 'New', to: 'Investigating', note: 'paging db team' } },
  comment: { body: 'Rolled back search-indexer' },
  runbook_step: { body: 'Check the dashboard' },
  rca_updated: { body: 'RCA updated' },
  assignment: { body: 'Owner changed', data: { field: 'assignee_id', from: 1, to: 2, from_name: 'Jordan Lee', to_name: 'Avery Patel' } },
  severity_change: { body: 'Severity changed', data: { field: 'severity', from: 'SEV3', to: 'SEV1' } },
  field_change: { body: 'Impact changed', data: { field: 'impact', from: '', to: 'EU shoppers cannot check out' } },
  sla_breach: { body: 'Acknowledge target breached', created_by_name: null },
  sla_at_risk: { body: 'Resolve target at risk', created_by_name: null },
  alert: { body: 'HighLatency on checkout', created_by_name: null },
  escalated: { body: 'Not acknowledged: escalated (step 1)', created_by_name: null, data: { step: 0, after_minutes: 5, channel_ids: [1] } },
  action_item: { body: 'Follow-up added: Alert on disk usage', data: { action_item_id: 1, change: 'added', owner_name: 'Avery Patel', due_date: '2026-12-05' } },
  sla_paused: { body: 'SLA clock paused: waiting on the vendor', data: { reason: 'waiting on the vendor' } },
  sla_resumed: { body: 'SLA clock resumed after pause: waiting on the vendor', data: { reason: 'waiting on the vendor', paused_seconds: 2700 } },
};

const expected: Record<EventType, { label: string; className: string }> = {
  created: { label: 'System', className: 'ev-system' },
  status_change: { label: 'Status', className: 'ev-status' },
  comment: { label: 'Comment', className: 'ev-comment' },
  runbook_step: { label: 'Runbook', className: 'ev-runbook' },
  rca_updated: { label: 'RCA', className: 'ev-system' },
  assignment: { label: 'Owner', className: 'ev-triage' },
  severity_change: { label: 'Severity', className: 'ev-triage' },
  field_change: { label: 'Edit', className: 'ev-triage' },
  sla_breach: { label: 'SLA breach', className: 'ev-breach' },
  sla_at_risk: { label: 'SLA at risk', className: 'ev-breach' },
  alert: { label: 'Alert', className: 'ev-system' },
  escalated: { label: 'Escalated', className: 'ev-breach' },
  action_item: { label: 'Follow-up', className: 'ev-triage' },
  sla_paused: { label: 'SLA paused', className: 'ev-triage' },
  sla_resumed: { label: 'SLA resumed', className: 'ev-triage' },
};

describe('Timeline', () => {
  it("shows an SLA notice's due time from its data, in the reader's zone with UTC on hover", () => {
    window.localStorage.setItem('incident-console.time-zone', 'Asia/Tokyo');
    try {
      render(
        <Timeline
          events={[makeEvent({ type: 'sla_breach', body: 'Acknowledgement SLA breached', created_by_name: null, data: { target: 'ack', due_at: '2026-11-27T14:02:00+00:00', kind: 'ack_breach' } })]}
        />,
      );
      const due = screen.getByText(/23:02 GMT\+9/);
      expect(due).toHaveAttribute('title', expect.stringMatching(/14:02:00 UTC$/));
    } finally {
      window.localStorage.removeItem('incident-console.time-zone');
    }
  });

  it('renders one event of every type with its own label and style', () => {
    const types = Object.keys(oneOfEach) as EventType[];
    render(<Timeline events={types.map((type, i) => makeEvent({ id: i + 1, type, ...oneOfEach[type] }))} />);
    const items = within(screen.getByRole('list', { name: 'Timeline' })).getAllByRole('listitem');
    expect(items).toHaveLength(types.length);
    items.forEach((item, i) => {
      const want = expected[types[i]];
      expect(item).toHaveClass(want.className);
      expect(item.querySelector('.event-kind')).toHaveTextContent(want.label);
      expect(item).toHaveTextContent(oneOfEach[types[i]]!.body!);
    });
  });

  it('shows what an edit changed, the customer impact named as people read it', () => {
    render(<Timeline events={[makeEvent({ type: 'field_change', ...oneOfEach.field_change })]} />);
    const change = screen.getByText('EU shoppers cannot check out').closest('.event-change');
    expect(change).toHaveTextContent('Customer impact: none → EU shoppers cannot check out');
  });

  it('names owners and keeps a move’s note', () => {
    const { container } = render(
      <Timeline
        events={[
          makeEvent({ id: 1, type: 'assignment', ...oneOfEach.assignment }),
          makeEvent({ id: 2, type: 'status_change', ...oneOfEach.status_change }),
        ]}
      />,
    );
    const changes = container.querySelectorAll('.event-change');
    expect(changes[0]).toHaveTextContent('Owner: Jordan Lee → Avery Patel');
    expect(changes[1]).toHaveTextContent('New → Investigating · note: “paging db team”');
  });

  it('names the API token an event was written with, beside its person', () => {
    render(
      <Timeline
        events={[
          makeEvent({ id: 1, body: 'Deploy 4121 rolled back', created_by_token_id: 5, created_by_token_name: 'deploy-bot' }),
          makeEvent({ id: 2, body: 'Confirmed by hand' }),
        ]}
      />,
    );
    const [byToken, inPerson] = within(screen.getByRole('list', { name: 'Timeline' })).getAllByRole('listitem');
    expect(byToken).toHaveTextContent('token ‘deploy-bot’ of Avery Patel');
    expect(inPerson).toHaveTextContent('Avery Patel');
    expect(inPerson).not.toHaveTextContent('token');
  });
});
