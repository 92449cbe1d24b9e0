/** Users, roles, lockout, session reset and personal API tokens. */
import { z } from 'zod';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam, roleSchema, tokenCreatedSchema, tokenInfoSchema, userSchema } from '../schemas.js';

const userParams = z.object({ userId: idParam });
const grantBody = z.object({ role: roleSchema, projectId: idParam.nullable().default(null).describe('null for an org-wide grant') });

/** User and token routes. */
export function userRoutes({ plane }: ServerDeps) {
  const userAction = (operationId: string, path: string, summary: string, act: (auth: Parameters<typeof plane.lockUser>[0], userId: string) => Promise<unknown>) =>
    defineRoute({
      method: 'POST',
      path,
      operationId,
      summary,
      tag: 'users',
      access: 'authenticated',
      permission: 'user.manage',
      scope: 'org',
      params: userParams,
      response: userSchema,
      handler: async ({ auth, params }) => {
        return act(auth, params.userId) as Promise<z.input<typeof userSchema>>;
      },
    });
  return [
    defineRoute({
      method: 'GET',
      path: '/users',
      operationId: 'listUsers',
      summary: 'Users of the org with their grants',
      tag: 'users',
      access: 'authenticated',
      permission: 'user.read',
      scope: 'org',
      response: z.array(userSchema),
      handler: async ({ auth }) => {
        return plane.listUsers(auth);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/users',
      operationId: 'createUser',
      summary: 'Create a user (no roles until granted)',
      tag: 'users',
      access: 'authenticated',
      permission: 'user.manage',
      scope: 'org',
      body: z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1024), displayName: z.string().max(200).optional() }),
      status: 201,
      response: userSchema,
      handler: async ({ auth, body }) => {
        return plane.createUser(auth, body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/users/{userId}',
      operationId: 'getUser',
      summary: 'One user with their grants',
      tag: 'users',
      access: 'authenticated',
      permission: 'user.read',
      scope: 'org',
      params: userParams,
      response: userSchema,
      handler: async ({ auth, params }) => {
        return plane.getUser(auth, params.userId);
      },
    }),
    userAction('lockUser', '/users/{userId}/lock', 'Lock an account until unlocked; ends its sessions and revokes its API tokens', (a, id) => plane.lockUser(a, id)),
    userAction('unlockUser', '/users/{userId}/unlock', 'Unlock an account and clear its failed logins and back-offs (ended sessions and tokens stay ended)', (a, id) => plane.unlockUser(a, id)),
    defineRoute({
      method: 'POST',
      path: '/users/{userId}/sessions/reset',
      operationId: 'resetSessions',
      summary: 'Revoke every live session of a user, and with ?tokens=true their API tokens too',
      tag: 'users',
      access: 'authenticated',
      permission: 'user.manage',
      scope: 'org',
      params: userParams,
      query: z.object({ tokens: z.enum(['true', 'false']).optional().describe('also revoke API tokens') }),
      response: z.object({ revoked: z.number().describe('sessions ended'), tokensRevoked: z.number().describe('API tokens revoked') }),
      handler: async ({ auth, params, query }) => {
        const r = await plane.resetSessions(auth, params.userId, { tokens: query.tokens === 'true' });
        return { revoked: r.sessions, tokensRevoked: r.tokens };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/users/{userId}/password',
      operationId: 'resetPassword',
      summary: "Set another user's password; ends all their sessions and revokes their API tokens (change your own with POST /auth/password)",
      tag: 'users',
      access: 'authenticated',
      permission: 'user.manage',
      scope: 'org',
      params: userParams,
      body: z.object({ newPassword: z.string().min(1).max(1024) }),
      response: userSchema,
      handler: async ({ auth, params, body }) => {
        return plane.resetPassword(auth, params.userId, body.newPassword);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/users/{userId}/roles',
      operationId: 'grantRole',
      summary: 'Grant a role org-wide (projectId null) or for one project',
      tag: 'users',
      access: 'authenticated',
      permission: 'role.manage',
      scope: 'org',
      params: userParams,
      body: grantBody,
      response: userSchema,
      handler: async ({ auth, params, body }) => {
        return plane.grantRole(auth, params.userId, body.role, body.projectId);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/users/{userId}/roles/revoke',
      operationId: 'revokeRole',
      summary: 'Revoke a role grant',
      tag: 'users',
      access: 'authenticated',
      permission: 'role.manage',
      scope: 'org',
      params: userParams,
      body: grantBody,
      response: userSchema,
      handler: async ({ auth, params, body }) => {
        return plane.revokeRole(auth, params.userId, body.role, body.projectId);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/users/{userId}/tokens',
      operationId: 'listUserTokens',
      summary: "A user's API tokens (metadata only; the secret is never shown again)",
      tag: 'users',
      access: 'authenticated',
      authorizeIn: 'handler',
      permission: 'user.manage',
      scope: 'org',
      params: userParams,
      response: z.array(tokenInfoSchema),
      handler: async ({ auth, params }) => {
        if (params.userId !== auth.userId) await plane.authorize(auth, 'user.manage');
        return plane.listTokens(auth, params.userId);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/tokens',
      operationId: 'listTokens',
      summary: "The caller's own API tokens",
      tag: 'users',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      response: z.array(tokenInfoSchema),
      handler: ({ auth }) => plane.listTokens(auth),
    }),
    defineRoute({
      method: 'POST',
      path: '/tokens',
      operationId: 'createToken',
      summary: 'Create a personal API token; the token is in this response only',
      tag: 'users',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      body: z.object({ name: z.string().min(1).max(200), expiresAt: z.iso.datetime({ offset: true }).nullable().optional() }),
      status: 201,
      response: tokenCreatedSchema,
      handler: ({ auth, body }) => plane.createToken(auth, body),
    }),
    defineRoute({
      method: 'POST',
      path: '/tokens/{tokenId}/revoke',
      operationId: 'revokeToken',
      summary: 'Revoke an API token (your own, or anyone’s with user.manage)',
      tag: 'users',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      params: z.object({ tokenId: idParam }),
      response: tokenInfoSchema,
      handler: ({ auth, params }) => plane.revokeToken(auth, params.tokenId),
    }),
  ];
}
