/** The RCA feature's public entry. */
export { RcaForm } from './components/RcaForm';
