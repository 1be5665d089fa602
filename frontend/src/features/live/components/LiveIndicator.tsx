/** Says whether the console is receiving live updates, by word and symbol. */
import type { LiveState } from '../api/liveUpdates';

const TEXT: Record<LiveState, { icon: string; word: string; title: string }> = {
  live: { icon: '●', word: 'Live', title: 'Updates arrive as they happen' },
  connecting: { icon: '○', word: 'Connecting…', title: 'Opening the live update stream' },
  reconnecting: { icon: '◌', word: 'Reconnecting…', title: 'Live updates dropped; retrying. Views still refresh on their own.' },
  off: { icon: '○', word: 'Offline', title: 'Live updates are off' },
};

export function LiveIndicator({ state }: { state: LiveState }) {
  const t = TEXT[state];
  return (
    <span className={`live live-${state}`} role="status" title={t.title}>
      <span aria-hidden="true">{t.icon} </span>
      <span className="live-word">{t.word}</span>
    </span>
  );
}
