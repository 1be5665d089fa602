/** Single sign-on: how the login page may sign in, and finishing a sign-in at the identity provider. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { setToken } from '../../../api/token';
import { mutationKeys, queryKeys } from '../../../api/queryKeys';

/** Where the browser goes to sign in at the identity provider (the server redirects on). */
export const SSO_LOGIN_PATH = '/auth/oidc/login';

export function useAuthConfig() {
  return useQuery({
    queryKey: queryKeys.authConfig(),
    queryFn: () => unwrap(api.GET('/auth/config')),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/**
 * Trades the single-use code the server left in an HttpOnly cookie after the provider sent the
 * browser back (`?sso=complete`) for the console's token: no token ever travels in a URL.
 */
export function useFinishSso() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: mutationKeys.ssoSession(),
    mutationFn: () => unwrap(api.POST('/auth/oidc/session')),
    onSuccess: (token) => {
      setToken(token.access_token);
      qc.clear();
    },
  });
}

const NEXT_KEY = 'incident-console.sso-next';

/** The page to open after the round trip through the provider (kept for this tab only). */
export function rememberNext(next: string): void {
  window.sessionStorage.setItem(NEXT_KEY, next);
}

export function rememberedNext(): string | null {
  return window.sessionStorage.getItem(NEXT_KEY);
}

export function forgetNext(): void {
  window.sessionStorage.removeItem(NEXT_KEY);
}

/** Why the server sent the browser back without signing it in (`?sso_error=`), in plain words. */
export function ssoErrorMessage(reason: string, provider: string): string {
  switch (reason) {
    case 'access_denied':
      return `Sign-in was cancelled or refused at ${provider}.`;
    case 'no_role':
      return `Your account at ${provider} is not in any group that may use the Incident Console. Ask an administrator to add you to one.`;
    case 'account_disabled':
      return 'Your Incident Console account is switched off. Ask an administrator to turn it back on.';
    case 'bad_state':
      return 'That sign-in had expired or was started in another window. Please try again.';
    case 'provider_unavailable':
      return `The console could not reach ${provider}. Try again in a moment.`;
    case 'not_configured':
      return 'Single sign-on is not set up on this console.';
    default:
      return `${provider} answered with something the console could not accept, so you were not signed in. Try again; if it keeps happening, tell an administrator (the server log has the details).`;
  }
}
