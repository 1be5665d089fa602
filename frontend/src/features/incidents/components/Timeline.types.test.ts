/**
 * The timeline's event vocabulary is checked by the compiler: `EVENT_KINDS` is a
 * `Record<EventType, EventKind>`, EventType being the schema's enum. These lines document that
 * (`npm run typecheck` fails if an `@ts-expect-error` below stops being an error), and the test
 * holds the map to openapi.json's enum at run time as well.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventType } from '../../../api/types';
import { EVENT_KINDS, type EventKind } from './Timeline';

const kind: EventKind = { label: 'x', icon: '•', className: 'ev-system' };

// A map that misses a type (here field_change, which the console once forgot) does not compile.
// @ts-expect-error Property 'field_change' is missing in type
export const incomplete: Record<EventType, EventKind> = {
  created: kind,
  status_change: kind,
  comment: kind,
  runbook_step: kind,
  rca_updated: kind,
  assignment: kind,
  severity_change: kind,
  sla_breach: kind,
  sla_at_risk: kind,
  alert: kind,
};

// Nor does one that maps a type the server does not send.
export const extra: Record<EventType, EventKind> = {
  ...EVENT_KINDS,
  // @ts-expect-error Object literal may only specify known properties
  retracted: kind,
};

describe('the event vocabulary', () => {
  it("maps exactly the schema's EventType members", () => {
    const openapi = JSON.parse(readFileSync(resolve(__dirname, '../../../../openapi.json'), 'utf8')) as {
      components: { schemas: { EventType: { enum: string[] } } };
    };
    expect(Object.keys(EVENT_KINDS).sort()).toEqual([...openapi.components.schemas.EventType.enum].sort());
  });
});
