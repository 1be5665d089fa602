/** The RCA feature's public entry. */
export { RcaForm } from './components/RcaForm';
export { RCA_FIELDS, RCA_FIELD_LABELS, type RcaField } from './components/rcaFields';
