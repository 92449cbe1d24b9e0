/** Sign in and out, and who am I: the actor, its grants and what it may do. */
import { z } from 'zod';
import { PERMISSION_NAMES, type Permission } from '../../control/roles.js';
import { bearerToken } from '../auth.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam, loginSchema, meSchema, okSchema, projectPermissionsSchema } from '../schemas.js';

/** The rate-limit key for an account: its org and login name. */
const accountKey = (org: string, username: string) => `${org.trim().toLowerCase()}/${username.trim()}`;

/** Auth routes. */
export function authRoutes(deps: ServerDeps) {
  const { plane } = deps;
  const held = (actor: Parameters<typeof plane.can>[0], projectId: string | null): Permission[] => PERMISSION_NAMES.filter((p) => plane.can(actor, p, { projectId }));
  return [
    defineRoute({
      method: 'POST',
      path: '/auth/login',
      operationId: 'login',
      summary:
        'Sign in with org slug, username and password; returns a session token (shown once). Every failure answers 401 auth.invalid_credentials; rate-limited per address and per account from an address',
      tag: 'auth',
      access: 'public',
      permission: null,
      rateLimited: true,
      body: z.object({
        org: z.string().min(1).max(200).describe("the organisation's short name (slug), e.g. trust-a"),
        username: z.string().min(1).max(200),
        password: z.string().min(1).max(1024),
      }),
      response: loginSchema,
      handler: async ({ body, ip }) => {
        deps.loginGuard(ip, accountKey(body.org, body.username));
        const s = await plane.login(body.org, body.username, body.password, ip);
        return { token: s.token, sessionId: s.sessionId, expiresAt: s.expiresAt, actor: s.actor };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/auth/logout',
      operationId: 'logout',
      summary: 'End the session whose token authenticates this request',
      tag: 'auth',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      response: okSchema,
      handler: async ({ req }) => {
        await plane.logout(bearerToken(req)!);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/auth/password',
      operationId: 'changePassword',
      summary: 'Change your own password (the current one is required); ends your other sessions. Rate-limited like login',
      tag: 'auth',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      rateLimited: true,
      body: z.object({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) }),
      response: z.object({ sessionsEnded: z.number().describe('your other sessions that were ended') }),
      handler: async ({ auth, body, ip, req }) => {
        // Same limits as login, in buckets of their own so changing a password never spends sign-in attempts.
        deps.loginGuard(`password-change/${ip}`, auth.userId);
        const r = await plane.changePassword(auth, body, bearerToken(req) ?? undefined);
        return { sessionsEnded: r.sessions };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/auth/me',
      operationId: 'me',
      summary: 'The signed-in actor, its grants and its org-wide permissions',
      tag: 'auth',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      response: meSchema,
      handler: async ({ auth }) => ({ actor: auth, permissions: held(auth, null) }),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/permissions',
      operationId: 'projectPermissions',
      summary: 'What the caller may do in one project (so a UI can hide what it may not use)',
      tag: 'auth',
      access: 'authenticated',
      permission: 'org.read',
      scope: 'project',
      params: z.object({ projectId: idParam }),
      response: projectPermissionsSchema,
      handler: async ({ auth, params }) => {
        return { projectId: params.projectId, permissions: held(auth, params.projectId) };
      },
    }),
  ];
}
