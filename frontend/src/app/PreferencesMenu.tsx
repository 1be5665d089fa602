/** The reader's display choices: the time zone every time is shown in, and the theme. */
import { useMemo } from 'react';
import { browserZone, setTheme, setTimeZone, THEMES, useTheme, useTimeZone, zoneChoices, type Theme } from '../lib/preferences';
import './PreferencesMenu.css';

export function PreferencesMenu() {
  const zone = useTimeZone();
  const theme = useTheme();
  const zones = useMemo(() => zoneChoices(), []);
  const own = browserZone();
  return (
    <details className="prefs">
      <summary>Preferences</summary>
      <div className="prefs-panel">
        <label htmlFor="pref-zone">Time zone</label>
        <select
          id="pref-zone"
          value={zone}
          onChange={(e) => setTimeZone(e.target.value === own ? null : e.target.value)}
          aria-describedby="pref-zone-hint"
        >
          {zones.map((z) => (
            <option key={z} value={z}>
              {z === own ? `${z} (this device)` : z}
            </option>
          ))}
        </select>
        <p id="pref-zone-hint" className="prefs-hint">
          Every time is shown in this zone; hover a time for UTC.
        </p>
        <label htmlFor="pref-theme">Theme</label>
        <select id="pref-theme" value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
          {THEMES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
    </details>
  );
}
