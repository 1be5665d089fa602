/**
 * The reader's display preferences, kept in this browser (localStorage): the time zone every
 * time is shown in, and the colour theme. Both are read through hooks that re-render on change,
 * here and in other tabs.
 */
import { useSyncExternalStore } from 'react';

const ZONE_KEY = 'incident-console.time-zone';
const THEME_KEY = 'incident-console.theme';
const CHANGED = 'incident-console:preferences';

export type Theme = 'system' | 'light' | 'dark';
export const THEMES: readonly { value: Theme; label: string }[] = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    /* storage refused (private mode): the choice lasts until the page reloads */
  }
  window.dispatchEvent(new Event(CHANGED));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGED, onChange);
  window.addEventListener('storage', onChange);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener('storage', onChange);
  };
}

/** The browser's own zone ("Europe/Paris"), UTC if it names none. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The chosen zone, or the browser's when none (or one this browser does not know) is stored. */
export function timeZone(): string {
  const stored = read(ZONE_KEY);
  return stored && isValidZone(stored) ? stored : browserZone();
}

/** `null` goes back to following the browser. */
export function setTimeZone(zone: string | null): void {
  write(ZONE_KEY, zone);
}

/** Every IANA zone this browser knows, UTC first, the browser's own included. */
export function zoneChoices(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = new Set(['UTC', browserZone(), ...known]);
  return ['UTC', ...[...zones].filter((z) => z !== 'UTC').sort()];
}

export function useTimeZone(): string {
  return useSyncExternalStore(subscribe, timeZone, () => 'UTC');
}

export function theme(): Theme {
  const stored = read(THEME_KEY);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export function setTheme(value: Theme): void {
  write(THEME_KEY, value === 'system' ? null : value);
  applyTheme();
}

/**
 * Puts the choice on <html data-theme>; without one the stylesheet follows the system's
 * prefers-color-scheme by itself, so the first paint is already right.
 */
export function applyTheme(): void {
  const chosen = theme();
  if (chosen === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = chosen;
}

export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, theme, () => 'system');
}
