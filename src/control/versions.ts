/**
 * Contract versions: immutable snapshots of a contract's texts with their digest, author, time
 * and message. Submitting an identical digest again returns the existing version. An
 * integration_lead who is not the author signs a version off once; the store's triggers refuse
 * any UPDATE or DELETE of versions and approvals, so an approved version can never change.
 */
import { FerryError } from '../errors.js';
import { contractDigest } from '../contract/canonical.js';
import { diffContracts, type ContractDiff } from '../contract/diff.js';
import type { StoreDb } from '../store/db.js';
import { requirePermission, requireProject } from './authorize.js';
import { forbidden, guarded, notFound, nowIso, type Ctx } from './context.js';
import { loadContractTexts } from './contract-texts.js';
import { parseInput, textSchema } from './inputs.js';
import { orgScope, type OrgScope } from './org-scope.js';
import type { Actor, ContractVersion, ContractVersionSummary, SubmitVersionInput, SubmitVersionResult } from './plane.js';
import { toVersion, toVersionSummary } from './rows.js';
import type { ContractVersionRow } from '../store/schema.js';
import { newId } from './secrets.js';

/** The version with `versionId` in the actor's org, with its approval, or a not_found refusal. */
export async function requireVersion(db: StoreDb, actor: Actor, versionId: string): Promise<ContractVersion> {
  const tenant = orgScope(db, actor.orgId);
  const row = await tenant.select('contract_version').selectAll().where('id', '=', versionId).executeTakeFirst();
  if (!row) throw notFound('contract_version', versionId);
  return toVersion(row, await approvalOf(tenant, row.id));
}

/** The version of `digest` in a project (already tenant-checked), or undefined. */
export async function versionByDigest(db: StoreDb, orgId: string, projectId: string, digest: string): Promise<ContractVersionSummary | undefined> {
  const tenant = orgScope(db, orgId);
  const row = await tenant
    .select('contract_version')
    .select(['id', 'org_id', 'project_id', 'number', 'digest', 'contract_name', 'contract_version', 'author_id', 'created_at', 'message'])
    .where('project_id', '=', projectId)
    .where('digest', '=', digest)
    .executeTakeFirst();
  return row ? toVersionSummary(row, await approvalOf(tenant, row.id)) : undefined;
}

function approvalOf(tenant: OrgScope, versionId: string) {
  return tenant.select('version_approval').selectAll().where('version_id', '=', versionId).executeTakeFirst();
}

/** Validates and stores a contract version (contract.submit); identical digests dedup. */
export function submitVersion(ctx: Ctx, actor: Actor, projectId: string, input: SubmitVersionInput): Promise<SubmitVersionResult> {
  return guarded(ctx, actor, 'version.submit', async () => {
    await requirePermission(ctx, ctx.db, actor, 'contract.submit', { projectId });
    const message = parseInput(textSchema, input.message ?? '', 'message');
    if (typeof input.yaml !== 'string') throw new FerryError('usage', 'version.no_yaml', 'yaml must be the contract YAML text');
    const { loaded, crosswalks } = await loadContractTexts(input.yaml, input.crosswalks ?? {});
    const digest = contractDigest(loaded);
    return ctx.store.writeTransaction(async (trx) => {
      await requireProject(trx, actor, projectId);
      // Serialise submissions per project so version numbers stay gap-free and dedup is exact.
      await ctx.store.lock(trx, `project:${projectId}:versions`);
      const tenant = orgScope(trx, actor.orgId);
      const existing = await tenant.select('contract_version').selectAll().where('project_id', '=', projectId).where('digest', '=', digest).executeTakeFirst();
      if (existing) return { version: toVersion(existing, await approvalOf(tenant, existing.id)), created: false };
      const last = await tenant.select('contract_version').select(['number', 'digest']).where('project_id', '=', projectId).orderBy('number', 'desc').limit(1).executeTakeFirst();
      const row: ContractVersionRow = {
        id: newId('ver'),
        org_id: actor.orgId,
        project_id: projectId,
        number: last ? Number(last.number) + 1 : 1,
        digest,
        contract_name: loaded.contract.metadata.name,
        contract_version: loaded.contract.metadata.version,
        author_id: actor.userId,
        created_at: nowIso(ctx),
        message,
        yaml: input.yaml,
        crosswalks: JSON.stringify(crosswalks),
      };
      await tenant.insert('contract_version', row).execute();
      await ctx.audit.appendIn(trx, {
        type: 'contract:versioned',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId,
        payload: { contract: row.contract_name, version: row.number, contractDigest: digest, parentDigest: last?.digest ?? null },
      });
      return { version: toVersion(row, undefined), created: true };
    });
  });
}

/** Versions of a project, newest first, without texts (contract.read). */
export function listVersions(ctx: Ctx, actor: Actor, projectId: string): Promise<ContractVersionSummary[]> {
  return guarded(ctx, actor, 'version.list', async () => {
    await requirePermission(ctx, ctx.db, actor, 'contract.read', { projectId });
    const tenant = orgScope(ctx.db, actor.orgId);
    const rows = await tenant
      .select('contract_version')
      .select(['id', 'org_id', 'project_id', 'number', 'digest', 'contract_name', 'contract_version', 'author_id', 'created_at', 'message'])
      .where('project_id', '=', projectId)
      .orderBy('number', 'desc')
      .execute();
    const approvals = await tenant.select('version_approval').selectAll().where('project_id', '=', projectId).execute();
    const byVersion = new Map(approvals.map((a) => [a.version_id, a]));
    return rows.map((r) => toVersionSummary(r, byVersion.get(r.id)));
  });
}

/** One version with its texts (contract.read on its project). */
export function getVersion(ctx: Ctx, actor: Actor, versionId: string): Promise<ContractVersion> {
  return guarded(ctx, actor, 'version.get', async () => {
    const v = await requireVersion(ctx.db, actor, versionId);
    await requirePermission(ctx, ctx.db, actor, 'contract.read', { projectId: v.projectId });
    return v;
  });
}

/** Field-by-field diff between two versions the actor may read. */
export function diffVersions(ctx: Ctx, actor: Actor, fromVersionId: string, toVersionId: string): Promise<ContractDiff> {
  return guarded(ctx, actor, 'version.diff', async () => {
    const a = await requireVersion(ctx.db, actor, fromVersionId);
    const b = await requireVersion(ctx.db, actor, toVersionId);
    await requirePermission(ctx, ctx.db, actor, 'contract.read', { projectId: a.projectId });
    await requirePermission(ctx, ctx.db, actor, 'contract.read', { projectId: b.projectId });
    const [la, lb] = await Promise.all([loadContractTexts(a.yaml, a.crosswalks), loadContractTexts(b.yaml, b.crosswalks)]);
    return diffContracts(la.loaded, lb.loaded);
  });
}

/** Signs a version off (contract.approve); never by its author, and only once. */
export function approveVersion(ctx: Ctx, actor: Actor, versionId: string, comment: string): Promise<ContractVersion> {
  return guarded(ctx, actor, 'version.approve', () =>
    ctx.store.writeTransaction(async (trx) => {
      const v = await requireVersion(trx, actor, versionId);
      await requirePermission(ctx, trx, actor, 'contract.approve', { projectId: v.projectId });
      if (v.authorId === actor.userId) {
        throw forbidden('contract.approve', 'contract_version', versionId, 'you submitted this version, so you cannot approve it; ask another integration_lead to review it');
      }
      const text = parseInput(textSchema, comment ?? '', 'comment');
      if (v.approval) throw new FerryError('conflict', 'version.already_approved', `version ${v.number} was already approved on ${v.approval.approvedAt}; approved versions never change`);
      const approval = { version_id: v.id, project_id: v.projectId, approver_id: actor.userId, approved_at: nowIso(ctx), comment: text };
      await orgScope(trx, actor.orgId).insert('version_approval', approval).execute();
      await ctx.audit.appendIn(trx, {
        type: 'contract:approved',
        actor: actor.userId,
        orgId: actor.orgId,
        projectId: v.projectId,
        payload: { contract: v.contractName, version: v.number, contractDigest: v.digest },
      });
      return { ...v, approval: { approverId: actor.userId, approvedAt: approval.approved_at, comment: text } };
    }),
  );
}
