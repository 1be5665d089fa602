/** Roles in plain words, for the People and API tokens pages. */
import type { Role } from '../../../api/types';

export const ROLE_LABEL: Record<Role, string> = { admin: 'Admin', responder: 'Responder', viewer: 'Viewer' };

export const ROLE_HINT: Record<Role, string> = {
  admin: 'everything',
  responder: 'works incidents',
  viewer: 'read-only',
};

const RANK: Record<Role, number> = { viewer: 0, responder: 1, admin: 2 };

/** The roles at most `role`: what a token made by someone with `role` may have. */
export function rolesUpTo(role: Role): Role[] {
  return (['admin', 'responder', 'viewer'] as const).filter((r) => RANK[r] <= RANK[role]);
}
