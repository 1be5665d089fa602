/** The frame around every signed-in screen: navigation, who is signed in, preferences, logout. */
import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { ShortcutsDialog } from '../components/ShortcutsDialog';
import { useHotkeys } from '../components/useHotkeys';
import { useAuth } from '../features/auth';
import { LiveIndicator, useLiveUpdates } from '../features/live';
import { PreferencesMenu } from './PreferencesMenu';
import './Layout.css';

export function Layout() {
  const auth = useAuth();
  const navigate = useNavigate();
  const live = useLiveUpdates(Boolean(auth.user));
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  useHotkeys({
    n: () => {
      if (auth.canWorkIncidents) navigate('/incidents/new');
    },
    '?': () => setShortcutsOpen(true),
  });
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span aria-hidden="true">⚠ </span>Incident Console
        </span>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Dashboard
          </NavLink>
          <NavLink to="/runbooks">Runbooks</NavLink>
          <NavLink to="/metrics">Metrics</NavLink>
          {auth.canAdminister && <NavLink to="/people">People</NavLink>}
          {auth.canAdminister && <NavLink to="/notifications">Notifications</NavLink>}
          {auth.canAdminister && <NavLink to="/calendars">Calendars</NavLink>}
          <NavLink to="/tokens">API tokens</NavLink>
        </nav>
        <div className="whoami">
          <LiveIndicator state={live} />
          {auth.user && (
            <span>
              {auth.user.name} <span className={`role role-${auth.user.role}`}>{auth.user.role}</span>
              {!auth.canWorkIncidents && <span className="muted"> · read-only</span>}
            </span>
          )}
          <PreferencesMenu />
          <button
            type="button"
            className="shortcuts-button"
            aria-keyshortcuts="?"
            aria-haspopup="dialog"
            onClick={() => setShortcutsOpen(true)}
          >
            Keyboard shortcuts
          </button>
          <button type="button" onClick={auth.logout}>
            Log out
          </button>
        </div>
      </header>
      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
