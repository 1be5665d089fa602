/** The console's screens under /ui/, guarded by sign-in. */
import { lazy, Suspense } from 'react';
import { createBrowserRouter, Link, Navigate, Outlet, useLocation, useRouteError } from 'react-router';
import { ErrorState, Loading } from '../components/States';
import { loadPeoplePage, loadTokensPage } from '../features/admin';
import { loadCalendarsPage } from '../features/calendars';
import { LoginPage, useAuth } from '../features/auth';
import { DashboardPage } from '../features/dashboard';
import { loadMyFollowUpsPage } from '../features/followups';
import { IncidentDetailPage, NewIncidentPage } from '../features/incidents';
import { loadMetricsPage } from '../features/metrics';
import { loadNotificationsPage } from '../features/notifications';
import { loadRunbooksPage } from '../features/runbooks';
import { Layout } from './Layout';

const RunbooksPage = lazy(loadRunbooksPage);
const MetricsPage = lazy(loadMetricsPage);
const PeoplePage = lazy(loadPeoplePage);
const TokensPage = lazy(loadTokensPage);
const NotificationsPage = lazy(loadNotificationsPage);
const MyFollowUpsPage = lazy(loadMyFollowUpsPage);
const CalendarsPage = lazy(loadCalendarsPage);

function RequireAuth() {
  const auth = useAuth();
  const location = useLocation();
  if (!auth.token) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (auth.loading) return <Loading what="your session" />;
  if (auth.error || !auth.user) return <ErrorState error={auth.error} retry={() => window.location.reload()} />;
  return <Outlet />;
}

function Lazy({ children, what }: { children: React.ReactNode; what: string }) {
  return <Suspense fallback={<Loading what={what} />}>{children}</Suspense>;
}

/** Shown instead of a blank page if a screen throws while rendering. */
function RouteError() {
  const error = useRouteError();
  return (
    <main id="main">
      <ErrorState error={error instanceof Error ? error : new Error('This screen failed to load.')} retry={() => window.location.reload()} />
      <Link to="/">Back to the dashboard</Link>
    </main>
  );
}

function NotFound() {
  return <ErrorState error={new Error('There is no such page in the console.')} />;
}

export function buildRouter() {
  return createBrowserRouter(
    [
      { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
      {
        element: <RequireAuth />,
        errorElement: <RouteError />,
        children: [
          {
            element: <Layout />,
            children: [
              { index: true, element: <DashboardPage /> },
              { path: 'incidents/new', element: <NewIncidentPage /> },
              { path: 'incidents/:id', element: <IncidentDetailPage /> },
              { path: 'runbooks', element: <Lazy what="runbooks"><RunbooksPage /></Lazy> },
              { path: 'follow-ups', element: <Lazy what="follow-ups"><MyFollowUpsPage /></Lazy> },
              { path: 'metrics', element: <Lazy what="metrics"><MetricsPage /></Lazy> },
              { path: 'people', element: <Lazy what="people"><PeoplePage /></Lazy> },
              { path: 'tokens', element: <Lazy what="API tokens"><TokensPage /></Lazy> },
              { path: 'notifications', element: <Lazy what="notifications"><NotificationsPage /></Lazy> },
              { path: 'calendars', element: <Lazy what="calendars"><CalendarsPage /></Lazy> },
              { path: '*', element: <NotFound /> },
            ],
          },
        ],
      },
    ],
    { basename: import.meta.env.BASE_URL.replace(/\/$/, '') || '/' },
  );
}
