/** The frame around every signed-in screen: navigation, who is signed in, preferences, logout. */
import { useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { ShortcutsDialog } from '../components/ShortcutsDialog';
import { useHotkeys } from '../components/useHotkeys';
import { useAuth } from '../features/auth';
import { LiveIndicator, useLiveUpdates } from '../features/live';
import { AdminLinks } from './AdminLinks';
import { PreferencesMenu } from './PreferencesMenu';
import './Layout.css';

export function Layout() {
  const auth = useAuth();
  const navigate = useNavigate();
  const live = useLiveUpdates(Boolean(auth.user));
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  // On a phone the navigation and the account tools fold behind "Menu" (a disclosure), so the
  // incident is what fills the first screen; any navigation folds them again.
  const { pathname } = useLocation();
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null);
  const menuOpen = menuOpenOn === pathname;
  const setMenuOpen = (open: boolean) => setMenuOpenOn(open ? pathname : null);
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
        <LiveIndicator state={live} />
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="topbar-menu"
          onClick={() => setMenuOpen(!menuOpen)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setMenuOpen(false);
          }}
        >
          Menu
        </button>
        <div id="topbar-menu" className="topbar-menu" data-open={menuOpen}>
          <nav aria-label="Main">
            <NavLink to="/" end>
              Dashboard
            </NavLink>
            <NavLink to="/follow-ups">Follow-ups</NavLink>
            <NavLink to="/runbooks">Runbooks</NavLink>
            <NavLink to="/metrics">Metrics</NavLink>
            {auth.canAdminister && (
              <AdminLinks>
                <NavLink to="/people">People</NavLink>
                <NavLink to="/notifications">Notifications</NavLink>
                <NavLink to="/calendars">Calendars</NavLink>
              </AdminLinks>
            )}
            <NavLink to="/tokens">API tokens</NavLink>
          </nav>
          <div className="whoami">
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
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
              onClick={() => setShortcutsOpen(true)}
            >
              ?
            </button>
            <button type="button" onClick={auth.logout}>
              Log out
            </button>
          </div>
        </div>
      </header>
      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
