/**
 * A headline figure against the same figure over the previous period of the same length:
 * which way it moved, by how much, and whether that is good news. For every metric on the page
 * lower is better (faster to acknowledge, mitigate, resolve; fewer breaches).
 */
import { MIN_SAMPLE } from './sample';

export type Verdict = 'better' | 'worse' | 'same';

export interface Change {
  verdict: Verdict;
  /** "down 12% from the previous 30 days", "up 4 points from the previous 7 days" */
  text: string;
}

/** "the previous 30 days", "the previous day". */
export const previousLabel = (days: number) => (days === 1 ? 'the previous day' : `the previous ${days} days`);

interface Sample {
  value: number | null;
  n: number;
}

/**
 * Relative change for durations ("down 12%"), percentage points for rates ("up 4 points").
 * Null when either period has too few incidents to say anything (the caller says why).
 */
export function compare(now: Sample, before: Sample, kind: 'duration' | 'rate', days: number): Change | null {
  if (now.value === null || before.value === null || now.n < MIN_SAMPLE || before.n < MIN_SAMPLE) return null;
  const since = `from ${previousLabel(days)}`;
  if (kind === 'rate') {
    const points = Math.round((now.value - before.value) * 1000) / 10;
    if (points === 0) return { verdict: 'same', text: `no change ${since}` };
    const size = `${Math.abs(points)} ${Math.abs(points) === 1 ? 'point' : 'points'}`;
    return points < 0 ? { verdict: 'better', text: `down ${size} ${since}` } : { verdict: 'worse', text: `up ${size} ${since}` };
  }
  if (before.value === 0) {
    return now.value === 0 ? { verdict: 'same', text: `no change ${since}` } : { verdict: 'worse', text: `up ${since}` };
  }
  const pct = Math.round(((now.value - before.value) / before.value) * 100);
  if (pct === 0) return { verdict: 'same', text: `no change ${since}` };
  return pct < 0 ? { verdict: 'better', text: `down ${-pct}% ${since}` } : { verdict: 'worse', text: `up ${pct}% ${since}` };
}
