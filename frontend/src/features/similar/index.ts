/** The similar-incidents feature's public entry. */
export { SimilarIncidentsCard } from './components/SimilarIncidentsCard';
