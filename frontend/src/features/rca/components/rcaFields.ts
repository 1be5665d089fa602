/** The four RCA fields, keyed as the API names them, labelled as people read them. */
export const RCA_FIELDS = ['root_cause', 'contributing_factors', 'corrective_actions', 'prevention_actions'] as const;
export type RcaField = (typeof RCA_FIELDS)[number];

export const RCA_FIELD_LABELS: Record<string, string> = {
  root_cause: 'Root cause',
  contributing_factors: 'Contributing factors',
  corrective_actions: 'Corrective actions',
  prevention_actions: 'Prevention actions',
};
