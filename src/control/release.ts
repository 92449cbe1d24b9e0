/**
 * Release gates: tier configuration, recorded runs, approvals, promotions and the `canRun`
 * decision. Refusals (canRun false, promote with conditions missing) are audit-logged as
 * `release:refused` with the missing condition codes; approvals and promotions commit with
 * their audit events.
 */
import { FerryError, issue } from '../errors.js';
import { TIERS, type Tier } from '../contract/model.js';
import type { StoreDb } from '../store/db.js';
import { requirePermission, requireProject } from './authorize.js';
import { forbidden, guarded, notFound, nowIso, type Ctx } from './context.js';
import { approvalsFor, describeMissing, independentOf, missingConditions } from './gates.js';
import { requireConnection } from './connections.js';
import { digestSchema, parseInput, roleSchema, runIdSchema, textSchema, tierSchema } from './inputs.js';
import { orgScope } from './org-scope.js';
import type { Actor, CanRunResult, Promotion, RecordRunInput, ReleaseApproval, ReleaseStatus, RunRecord, TierConfig, TierConfigInput, TierStatus } from './plane.js';
import { APPROVE_PERMISSION, RUN_PERMISSION, loadTierConfig, loadTierConfigs, tierBelow } from './release-policy.js';
import { roleHas, type Role } from './roles.js';
import { toPromotion, toRun } from './rows.js';
import { newId } from './secrets.js';
import { versionByDigest } from './versions.js';
import { z } from 'zod';

const RUN_STATUSES = ['succeeded', 'failed', 'failed_gate', 'cancelled'] as const;
const GATE_DECISIONS = ['pass', 'warn', 'fail', 'not_applicable'] as const;

const recordRunSchema = z.strictObject({
  digest: digestSchema,
  tier: tierSchema,
  runId: runIdSchema,
  status: z.enum(RUN_STATUSES),
  gateDecision: z.enum(GATE_DECISIONS).nullable(),
  dryRun: z.boolean().default(false),
});

/** Every tier's configuration (release.read). */
export function getTierConfigs(ctx: Ctx, actor: Actor, projectId: string): Promise<TierConfig[]> {
  return guarded(ctx, actor, 'release.config.get', async () => {
    await requirePermission(ctx, ctx.db, actor, 'release.read', { projectId });
    return loadTierConfigs(ctx.db, actor.orgId, projectId);
  });
}

/**
 * Sets a tier's target connection and/or approval policy (release.configure). The target is
 * a connection the operator registered for this org, usable by this project in this tier; the
 * change is audited with the settings before and after, and a policy change records its
 * author, whose own approvals then never satisfy production's independent-approval floor.
 */
export function configureTier(ctx: Ctx, actor: Actor, projectId: string, tier: Tier, input: TierConfigInput): Promise<TierConfig> {
  return guarded(ctx, actor, 'release.configure', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requirePermission(ctx, trx, actor, 'release.configure', { projectId });
      const t = parseInput(tierSchema, tier, 'tier');
      const current = await loadTierConfig(trx, actor.orgId, projectId, t);
      let connection = current.connection;
      if (input.connection === null) connection = null;
      else if (input.connection !== undefined) connection = (await requireConnection(trx, actor, projectId, input.connection, 'target', t)).name;
      const policy = { ...current.policy, ...input.policy };
      const requiredRoles = parseInput(z.array(roleSchema), policy.requiredRoles, 'policy.requiredRoles');
      const minApprovers = parseInput(z.number().int().min(0).max(10), policy.minApprovers, 'policy.minApprovers');
      const excludeAuthor = parseInput(z.boolean(), policy.excludeAuthor, 'policy.excludeAuthor');
      const requireReview = parseInput(z.boolean(), policy.requireReview, 'policy.requireReview');
      checkPolicy(t, requiredRoles, minApprovers, excludeAuthor);
      const after = { requiredRoles, minApprovers, excludeAuthor, requireReview };
      const policyChanged = JSON.stringify(after) !== JSON.stringify(current.policy);
      const now = nowIso(ctx);
      const row = {
        project_id: projectId,
        tier: t,
        target_connection: connection,
        required_roles: JSON.stringify(requiredRoles),
        min_approvers: minApprovers,
        exclude_author: excludeAuthor ? 1 : 0,
        require_review: requireReview ? 1 : 0,
        updated_by: actor.userId,
        updated_at: now,
        policy_updated_by: policyChanged ? actor.userId : current.policyChangedBy,
        policy_updated_at: policyChanged ? now : current.policyChangedAt,
      };
      const { project_id: _p, tier: _t, ...update } = row;
      await orgScope(trx, actor.orgId)
        .insert('release_tier', row)
        .onConflict((oc) => oc.columns(['project_id', 'tier']).doUpdateSet(update))
        .execute();
      await ctx.audit.appendIn(trx, {
        type: 'release:configured',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId,
        payload: { tier: t, before: { connection: current.connection, ...current.policy }, after: { connection, ...after }, policyChanged },
      });
      return { tier: t, connection, policy: after, policyChangedBy: row.policy_updated_by, policyChangedAt: row.policy_updated_at };
    }),
  );
}

/** Refuses policies that nobody could satisfy, and production policies below the separation-of-duties floor. */
function checkPolicy(tier: Tier, roles: Role[], minApprovers: number, excludeAuthor: boolean): void {
  const permission = APPROVE_PERMISSION[tier];
  const problems = [];
  if (permission === null && (roles.length > 0 || minApprovers > 0))
    problems.push(issue('release.bad_policy', 'policy', 'pre_production takes no release approvals; its gate is the approved contract version'));
  if (permission !== null) {
    for (const r of roles) if (!roleHas(r, permission)) problems.push(issue('release.bad_policy', 'policy.requiredRoles', `${r} cannot approve ${tier} (it lacks ${permission})`));
    if (new Set(roles).size !== roles.length) problems.push(issue('release.bad_policy', 'policy.requiredRoles', 'each role may be listed once'));
    if (minApprovers < roles.length)
      problems.push(issue('release.bad_policy', 'policy.minApprovers', `minApprovers must be at least the number of required roles (${roles.length}), since each role needs a different person`));
  }
  if (tier === 'production') {
    if (minApprovers < 1) problems.push(issue('release.bad_policy', 'policy.minApprovers', 'production always needs at least one approver (separation of duties)'));
    if (!excludeAuthor) problems.push(issue('release.bad_policy', 'policy.excludeAuthor', "production never counts the contract's author as an approver (separation of duties)"));
  }
  if (problems.length > 0) throw new FerryError('usage', 'release.bad_policy', `the ${tier} approval policy is invalid: ${problems.map((p) => p.message).join('; ')}`, problems);
}

/** Records (or updates, on resume) a run's outcome (run.<tier>). */
export function recordRun(ctx: Ctx, actor: Actor, projectId: string, input: RecordRunInput): Promise<RunRecord> {
  return guarded(ctx, actor, 'run.record', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireProject(trx, actor, projectId);
      const r = parseInput(recordRunSchema, input, 'run');
      await requirePermission(ctx, trx, actor, RUN_PERMISSION[r.tier], { projectId });
      const row = {
        project_id: projectId,
        run_id: r.runId,
        org_id: actor.orgId,
        digest: r.digest,
        tier: r.tier,
        status: r.status,
        gate_decision: r.gateDecision,
        dry_run: r.dryRun ? 1 : 0,
        actor_id: actor.userId,
        recorded_at: nowIso(ctx),
      };
      const tenant = orgScope(trx, actor.orgId);
      const existing = await tenant.select('run_record').select(['digest', 'tier']).where('project_id', '=', projectId).where('run_id', '=', r.runId).executeTakeFirst();
      if (existing && (existing.digest !== r.digest || existing.tier !== r.tier)) {
        throw new FerryError('conflict', 'run.mismatch', `run ${r.runId} was recorded for another digest or tier; a resumed run keeps its digest and tier`);
      }
      await tenant
        .insert('run_record', row)
        .onConflict((oc) =>
          oc.columns(['project_id', 'run_id']).doUpdateSet({ status: row.status, gate_decision: row.gate_decision, dry_run: row.dry_run, actor_id: row.actor_id, recorded_at: row.recorded_at }),
        )
        .execute();
      await ctx.audit.appendIn(trx, {
        type: 'run:recorded',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId,
        payload: { runId: r.runId, contractDigest: r.digest, tier: r.tier, status: r.status, gateDecision: r.gateDecision, dryRun: r.dryRun },
      });
      return toRun(row);
    }),
  );
}

/** Recorded runs of a project, newest first (run.read). */
export function listRuns(ctx: Ctx, actor: Actor, projectId: string, filter: { digest?: string; tier?: Tier } = {}): Promise<RunRecord[]> {
  return guarded(ctx, actor, 'run.list', async () => {
    await requirePermission(ctx, ctx.db, actor, 'run.read', { projectId });
    let q = orgScope(ctx.db, actor.orgId).select('run_record').selectAll().where('project_id', '=', projectId);
    if (filter.digest) q = q.where('digest', '=', filter.digest);
    if (filter.tier) q = q.where('tier', '=', filter.tier);
    return (await q.orderBy('recorded_at', 'desc').orderBy('run_id').execute()).map(toRun);
  });
}

/** One recorded run (run.read). */
export function getRun(ctx: Ctx, actor: Actor, projectId: string, runId: string): Promise<RunRecord> {
  return guarded(ctx, actor, 'run.get', async () => {
    await requirePermission(ctx, ctx.db, actor, 'run.read', { projectId });
    const row = await orgScope(ctx.db, actor.orgId).select('run_record').selectAll().where('project_id', '=', projectId).where('run_id', '=', runId).executeTakeFirst();
    if (!row) throw notFound('run', runId);
    return toRun(row);
  });
}

async function latestPromotion(db: StoreDb, orgId: string, projectId: string, tier: Tier, digest?: string): Promise<Promotion | null> {
  let q = orgScope(db, orgId).select('promotion').selectAll().where('project_id', '=', projectId).where('tier', '=', tier);
  if (digest) q = q.where('digest', '=', digest);
  const row = await q.orderBy('promoted_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toPromotion(row) : null;
}

/** Per tier: the digest, its approvals, what it still lacks, its latest run (release.read). */
export function releaseStatus(ctx: Ctx, actor: Actor, projectId: string, digest?: string): Promise<ReleaseStatus> {
  return guarded(ctx, actor, 'release.status', async () => {
    await requirePermission(ctx, ctx.db, actor, 'release.read', { projectId });
    const asked = digest === undefined ? undefined : parseInput(digestSchema, digest, 'digest');
    const tenant = orgScope(ctx.db, actor.orgId);
    const latest = await tenant.select('contract_version').select('digest').where('project_id', '=', projectId).orderBy('number', 'desc').limit(1).executeTakeFirst();
    const configs = await loadTierConfigs(ctx.db, actor.orgId, projectId);
    const tiers: TierStatus[] = [];
    for (const config of configs) {
      const promoted = asked ? null : await latestPromotion(ctx.db, actor.orgId, projectId, config.tier);
      const d = asked ?? promoted?.digest ?? latest?.digest ?? null;
      if (d === null) {
        tiers.push({
          tier: config.tier,
          connection: config.connection,
          policy: config.policy,
          policyChangedBy: config.policyChangedBy,
          policyChangedAt: config.policyChangedAt,
          digest: null,
          promotion: null,
          approvals: [],
          missing: [],
          lastRun: null,
        });
        continue;
      }
      const run = await tenant
        .select('run_record')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('digest', '=', d)
        .where('tier', '=', config.tier)
        .orderBy('recorded_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      tiers.push({
        tier: config.tier,
        connection: config.connection,
        policy: config.policy,
        policyChangedBy: config.policyChangedBy,
        policyChangedAt: config.policyChangedAt,
        digest: d,
        promotion: promoted ?? (await latestPromotion(ctx.db, actor.orgId, projectId, config.tier, d)),
        approvals: await approvalsFor(ctx.db, actor.orgId, projectId, d, config.tier),
        missing: await missingConditions(ctx.db, actor.orgId, projectId, d, config.tier),
        lastRun: run ? toRun(run) : null,
      });
    }
    return { projectId, tiers };
  });
}

/** Approves `digest` for `tier` (release.approve_<tier>), covering the first required role the approver holds. */
export function approveRelease(ctx: Ctx, actor: Actor, projectId: string, digest: string, tier: Tier, comment: string): Promise<ReleaseApproval> {
  return guarded(ctx, actor, 'release.approve', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireProject(trx, actor, projectId);
      const t = parseInput(tierSchema, tier, 'tier');
      const d = parseInput(digestSchema, digest, 'digest');
      const permission = APPROVE_PERMISSION[t];
      if (permission === null)
        throw new FerryError('usage', 'release.no_approval_tier', 'pre_production takes no release approval: its gate is the approved contract version (approve the version instead)');
      await requirePermission(ctx, trx, actor, permission, { projectId });
      const text = parseInput(textSchema, comment ?? '', 'comment');
      const version = await versionByDigest(trx, actor.orgId, projectId, d);
      if (!version) throw notFound('contract_version', d);
      const config = await loadTierConfig(trx, actor.orgId, projectId, t);
      const { policy } = config;
      if ((policy.excludeAuthor || t === 'production') && version.authorId === actor.userId) {
        throw forbidden(permission, 'contract_version', version.id, `you authored this contract version, so you cannot approve it for ${t}; another person holding the required role must approve`);
      }
      if (!version.approval)
        throw new FerryError(
          'conflict',
          'release.version_not_approved',
          `contract version ${version.number} is not approved yet; an integration_lead must approve the version before it can be approved for ${t}`,
        );
      const given = await approvalsFor(trx, actor.orgId, projectId, d, t);
      if (given.some((a) => a.approverId === actor.userId))
        throw new FerryError('conflict', 'release.already_approved', `you already approved this digest for ${t}; approvals must come from different people`);
      const held = new Set(actor.grants.filter((g) => g.projectId === null || g.projectId === projectId).map((g) => g.role));
      const covered = new Set(given.map((a) => a.role));
      const anyHeld = () => [...held].find((r) => roleHas(r, permission));
      // Production's floor: an approval from someone independent of the author and of the policy's last editor.
      const floorUnmet =
        t === 'production' && independentOf(actor.userId, version.authorId, config.policyChangedBy) && !given.some((a) => independentOf(a.approverId, version.authorId, config.policyChangedBy));
      const role =
        policy.requiredRoles.find((r) => held.has(r) && !covered.has(r)) ??
        (given.length < policy.minApprovers && policy.requiredRoles.every((r) => covered.has(r)) ? anyHeld() : undefined) ??
        (floorUnmet ? anyHeld() : undefined);
      if (!role)
        throw new FerryError('conflict', 'release.nothing_to_approve', `no approval you can give is still needed for ${t}: the roles you hold are already covered or not required by the policy`);
      const row = { id: newId('apr'), project_id: projectId, digest: d, tier: t, approver_id: actor.userId, role, comment: text, approved_at: nowIso(ctx) };
      await orgScope(trx, actor.orgId).insert('release_approval', row).execute();
      await ctx.audit.appendIn(trx, { type: 'release:approved', actor: actor.userId, orgId: actor.orgId, projectId, payload: { contractDigest: d, tier: t, role } });
      return { digest: d, tier: t, approverId: actor.userId, role, comment: text, approvedAt: row.approved_at };
    }),
  );
}

/** Promotes `digest` into staging or production (release.promote) once every condition holds. */
export async function promote(ctx: Ctx, actor: Actor, projectId: string, digest: string, tier: Tier): Promise<Promotion> {
  const outcome = await guarded(ctx, actor, 'release.promote', () =>
    ctx.store.writeTransaction(async (trx): Promise<{ promotion: Promotion } | { missing: string[]; tier: Tier }> => {
      await requireProject(trx, actor, projectId);
      const t = parseInput(tierSchema, tier, 'tier');
      const d = parseInput(digestSchema, digest, 'digest');
      const from = tierBelow(t);
      if (from === null)
        throw new FerryError('usage', 'release.bad_promotion', `nothing is promoted into ${t}: a digest runs there once its contract version is approved; promote into ${TIERS.slice(1).join(' or ')}`);
      await requirePermission(ctx, trx, actor, 'release.promote', { projectId });
      const missing = await missingConditions(trx, actor.orgId, projectId, d, t);
      if (missing.length > 0) {
        // Committed with the transaction (we return instead of throwing) so the refusal is on record.
        await ctx.audit.appendIn(trx, { type: 'release:refused', actor: actor.userId, orgId: actor.orgId, projectId, payload: { contractDigest: d, tier: t, missing } });
        return { missing, tier: t };
      }
      const row = { id: newId('prm'), org_id: actor.orgId, project_id: projectId, digest: d, tier: t, promoted_by: actor.userId, promoted_at: nowIso(ctx) };
      await orgScope(trx, actor.orgId).insert('promotion', row).execute();
      await ctx.audit.appendIn(trx, { type: 'release:promoted', actor: actor.userId, orgId: actor.orgId, projectId, payload: { contractDigest: d, fromTier: from, toTier: t } });
      return { promotion: toPromotion(row) };
    }),
  );
  if ('promotion' in outcome) return outcome.promotion;
  throw refusal(outcome.tier, outcome.missing);
}

/** The error for a refused promotion or run, listing every missing condition. */
export function refusal(tier: Tier, missing: string[]): FerryError {
  return new FerryError(
    'conflict',
    'release.gate_refused',
    `this digest may not enter ${tier} yet: ${missing.length} condition(s) missing (${missing.join(', ')}); run ferry release status to see what each needs`,
    missing.map((m) => issue('release.missing', m, describeMissing(m))),
  );
}

/** Whether `digest` may run in `tier` (run.<tier>); a refusal is audit-logged. */
export function canRun(ctx: Ctx, actor: Actor, projectId: string, digest: string, tier: Tier): Promise<CanRunResult> {
  return guarded(ctx, actor, 'release.can_run', () =>
    ctx.store.writeTransaction(async (trx) => {
      await requireProject(trx, actor, projectId);
      const t = parseInput(tierSchema, tier, 'tier');
      const d = parseInput(digestSchema, digest, 'digest');
      await requirePermission(ctx, trx, actor, RUN_PERMISSION[t], { projectId });
      const missing = await missingConditions(trx, actor.orgId, projectId, d, t);
      if (missing.length > 0) await ctx.audit.appendIn(trx, { type: 'release:refused', actor: actor.userId, orgId: actor.orgId, projectId, payload: { contractDigest: d, tier: t, missing } });
      return { allowed: missing.length === 0, missing };
    }),
  );
}
