/**
 * Personal API tokens: for scripts and CI, shown once at creation and stored only as SHA-256.
 * Users manage their own tokens; an org_admin (user.manage) may list and revoke anyone's in
 * the org, e.g. when someone leaves.
 */
import { FerryError } from '../errors.js';
import { requirePermission } from './authorize.js';
import { guarded, notFound, nowIso, type Ctx } from './context.js';
import { isoSchema, nameSchema, parseInput } from './inputs.js';
import { API_TOKEN_PREFIX } from './auth.js';
import { orgScope } from './org-scope.js';
import type { Actor, ApiTokenInfo, NewApiToken } from './plane.js';
import { toTokenInfo } from './rows.js';
import { newId, newSecret, sha256Hex } from './secrets.js';
import { requireUser } from './users.js';

/** Creates a token for the actor; the secret is returned once and never stored. */
export function createToken(ctx: Ctx, actor: Actor, input: { name: string; expiresAt?: string | null }): Promise<NewApiToken> {
  return guarded(ctx, actor, 'token.create', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireUser(trx, actor, actor.userId);
      const name = parseInput(nameSchema, input.name, 'name');
      const expiresAt = input.expiresAt == null ? null : new Date(parseInput(isoSchema, input.expiresAt, 'expiresAt')).toISOString();
      if (expiresAt !== null && Date.parse(expiresAt) <= ctx.clock().getTime()) {
        throw new FerryError('usage', 'token.expired_on_creation', 'expiresAt is in the past; give a future date-time or none for a token that lasts until revoked');
      }
      const token = newSecret(API_TOKEN_PREFIX);
      const row = {
        id: newId('tok'),
        org_id: actor.orgId,
        user_id: actor.userId,
        name,
        token_hash: sha256Hex(token),
        created_at: nowIso(ctx),
        expires_at: expiresAt,
        revoked_at: null,
        last_used_at: null,
      };
      await orgScope(trx, actor.orgId).insert('api_token', row).execute();
      await ctx.audit.appendIn(trx, { type: 'token:created', actor: actor.userId, orgId: actor.orgId, payload: { userId: actor.userId, tokenId: row.id } });
      return { token, info: toTokenInfo(row) };
    }),
  );
}

/** The tokens of `userId` (default: the actor); another user's need user.read. */
export function listTokens(ctx: Ctx, actor: Actor, userId: string = actor.userId): Promise<ApiTokenInfo[]> {
  return guarded(ctx, actor, 'token.list', async () => {
    await requireUser(ctx.db, actor, userId);
    if (userId !== actor.userId) await requirePermission(ctx, ctx.db, actor, 'user.read');
    const rows = await orgScope(ctx.db, actor.orgId).select('api_token').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map(toTokenInfo);
  });
}

/** Revokes a token: the actor's own, or anyone's in the org with user.manage. */
export function revokeToken(ctx: Ctx, actor: Actor, tokenId: string): Promise<ApiTokenInfo> {
  return guarded(ctx, actor, 'token.revoke', () =>
    ctx.store.writeTransaction(async (trx) => {
      const tenant = orgScope(trx, actor.orgId);
      const row = await tenant.select('api_token').selectAll().where('id', '=', tokenId).executeTakeFirst();
      if (!row) throw notFound('token', tokenId);
      if (row.user_id !== actor.userId) await requirePermission(ctx, trx, actor, 'user.manage');
      if (row.revoked_at === null) {
        await tenant
          .update('api_token')
          .set({ revoked_at: nowIso(ctx) })
          .where('id', '=', tokenId)
          .execute();
        await ctx.audit.appendIn(trx, { type: 'token:revoked', actor: actor.userId, orgId: actor.orgId, payload: { userId: row.user_id, tokenId } });
      }
      return toTokenInfo(await tenant.select('api_token').selectAll().where('id', '=', tokenId).executeTakeFirstOrThrow());
    }),
  );
}
