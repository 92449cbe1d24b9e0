/**
 * Named connections: the operator registers each source or target a tenant may use — a name, a
 * URL or the `env:`/`file:` reference holding it, a direction, and the org (optionally
 * projects and tiers) allowed to use it. Tenants pick connections by name; they never send a
 * URL, a path or a reference. Registration is for operators with direct store access (the
 * CLI), never the HTTP API; listing for tenants returns names and kinds only.
 */
import path from 'node:path';
import { z } from 'zod';
import { TIERS, type Tier } from '../contract/model.js';
import { FerryError } from '../errors.js';
import { requirePermission } from './authorize.js';
import { type Canonical, type ConnectionPolicy, confineConnection, connectionError, overlaps } from './connection-guard.js';
import { DeniedError, guarded, nowIso, type Ctx } from './context.js';
import type { StoreDb } from '../store/db.js';
import { parseInput, slugSchema, tierSchema } from './inputs.js';
import { acrossOrgs, orgScope } from './org-scope.js';
import type { Actor } from './plane.js';
import type { ConnectionRow } from '../store/schema.js';
import { newId } from './secrets.js';

export type ConnectionDirection = 'source' | 'target' | 'both';
export type ConnectionUse = 'source' | 'target';

/** A connection as a tenant sees it: never its URL or reference. */
export interface ConnectionInfo {
  name: string;
  direction: ConnectionDirection;
  kind: string;
  /** Projects allowed to use it, or null for every project of the org. */
  projects: string[] | null;
  /** Tiers allowed to use it, or null for every tier. */
  tiers: Tier[] | null;
}

/** A connection as the operator sees it. */
export interface OperatorConnection extends ConnectionInfo {
  id: string;
  org: string;
  /** The URL or `env:`/`file:` reference as registered. */
  ref: string;
  createdBy: string;
  createdAt: string;
}

export interface RegisterConnectionInput {
  /** The org's slug. */
  org: string;
  name: string;
  /** A connector URL without a password, or `env:NAME` / `file:/ABS/PATH` holding one. */
  ref: string;
  direction: ConnectionDirection;
  projects?: string[] | null;
  tiers?: Tier[] | null;
  /** Who registered it, for the trail (e.g. `os:alice`); default `operator`. */
  operator?: string;
}

/** What a server (or the CLI) knows of its deployment, beyond the store itself. */
export interface ConnectionHost {
  env: NodeJS.ProcessEnv;
  /** The server's data directory, when there is one. */
  dataDir?: string;
}

export const connectionNameSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9._-]{0,62})$/, 'use lowercase letters, digits, dots, dashes and underscores (at most 63), starting with a letter or digit');
const directionSchema = z.enum(['source', 'target', 'both']);
const idListSchema = z.array(z.string().min(1).max(200)).min(1).max(1000);

function toInfo(row: ConnectionRow): ConnectionInfo {
  return {
    name: row.name,
    direction: row.direction,
    kind: row.kind,
    projects: row.projects === null ? null : (JSON.parse(row.projects) as string[]),
    tiers: row.tiers === null ? null : (JSON.parse(row.tiers) as Tier[]),
  };
}

function policyFor(ctx: Ctx, host: ConnectionHost): ConnectionPolicy {
  return { env: host.env, dataDir: host.dataDir, store: ctx.store.location };
}

/** A literal file URL with its path made absolute, so the server reads what the operator meant whatever its working directory. */
export function absoluteRef(ref: string, cwd = process.cwd()): string {
  const m = /^(csv|ndjson|sqlite):(?:\/\/)?([^?]*)(\?.*)?$/i.exec(ref);
  return m && m[2] ? `${m[1].toLowerCase()}:${path.resolve(cwd, m[2])}${m[3] ?? ''}` : ref;
}

/** Canonical identities of every connection registered for other orgs (across orgs: confinement compares against them). */
async function otherTenants(db: StoreDb, orgId: string): Promise<Canonical[]> {
  const rows = await acrossOrgs(db).select('connection').select('canonical').where('org_id', '<>', orgId).execute();
  return rows.map((r) => JSON.parse(r.canonical) as Canonical);
}

/**
 * Registers a connection for an org after resolving and confining it (operator only: the CLI
 * with direct store access). The same name in the same org is a conflict; remove it first.
 */
export async function registerConnection(ctx: Ctx, input: RegisterConnectionInput, host: ConnectionHost): Promise<OperatorConnection> {
  const slug = parseInput(slugSchema, input.org, 'org');
  const name = parseInput(connectionNameSchema, input.name, 'name');
  const direction = parseInput(directionSchema, input.direction, 'direction');
  const projects = input.projects == null ? null : parseInput(idListSchema, input.projects, 'projects');
  const tiers = input.tiers == null ? null : parseInput(z.array(tierSchema).min(1).max(TIERS.length), input.tiers, 'tiers');
  const ref = absoluteRef(parseInput(z.string().min(1).max(2000), input.ref, 'ref'));
  const operator = input.operator ?? 'operator';
  const org = await ctx.db.selectFrom('org').select(['id', 'slug']).where('slug', '=', slug).executeTakeFirst();
  if (!org) throw new FerryError('not_found', 'org.not_found', `no org has the slug ${slug}; list them with ferry admin org list or create one with ferry admin init`);
  for (const p of projects ?? []) {
    const found = await orgScope(ctx.db, org.id).select('project').select('id').where('id', '=', p).executeTakeFirst();
    if (!found) throw new FerryError('not_found', 'project.not_found', `project ${p} is not a project of ${slug}`);
  }
  const others = await otherTenants(ctx.db, org.id);
  const confined = await confineConnection(name, ref, policyFor(ctx, host), others);
  return ctx.store.writeTransaction(async (trx) => {
    const tenant = orgScope(trx, org.id);
    if (await tenant.select('connection').select('id').where('name', '=', name).executeTakeFirst()) {
      throw new FerryError('conflict', 'connection.exists', `${slug} already has a connection named ${name}; remove it first (ferry admin connection remove) or choose another name`);
    }
    // Re-read inside the write lock: two registrations racing for the same data are serialised.
    if ((await otherTenants(trx, org.id)).some((o) => overlaps(o, confined.canonical))) {
      throw connectionError('other_tenant', name, "it reaches data another organisation's connection already uses");
    }
    const row: ConnectionRow = {
      id: newId('con'),
      org_id: org.id,
      name,
      direction,
      kind: confined.kind,
      url_ref: ref,
      projects: projects === null ? null : JSON.stringify(projects),
      tiers: tiers === null ? null : JSON.stringify(tiers),
      canonical: JSON.stringify(confined.canonical),
      created_by: operator,
      created_at: nowIso(ctx),
    };
    await tenant.insert('connection', row).execute();
    await ctx.audit.appendIn(trx, { type: 'connection:registered', actor: operator, orgId: org.id, payload: { connectionId: row.id, name, direction, kind: confined.kind, projects, tiers } });
    return { ...toInfo(row), id: row.id, org: slug, ref, createdBy: operator, createdAt: row.created_at };
  });
}

/** Every registered connection, or one org's (operator only: across orgs). */
export async function listOperatorConnections(ctx: Ctx, orgSlug?: string): Promise<OperatorConnection[]> {
  let q = acrossOrgs(ctx.db).select('connection').innerJoin('org', 'org.id', 'connection.org_id').selectAll('connection').select('org.slug as org_slug');
  if (orgSlug !== undefined) q = q.where('org.slug', '=', parseInput(slugSchema, orgSlug, 'org'));
  const rows = await q.orderBy('org.slug').orderBy('connection.name').execute();
  return rows.map((r) => ({ ...toInfo(r), id: r.id, org: r.org_slug, ref: r.url_ref, createdBy: r.created_by, createdAt: r.created_at }));
}

/** Removes a connection (operator only); tiers that named it are left without a target. */
export async function removeConnection(ctx: Ctx, orgSlug: string, name: string, operator = 'operator'): Promise<void> {
  const slug = parseInput(slugSchema, orgSlug, 'org');
  const n = parseInput(connectionNameSchema, name, 'name');
  await ctx.store.writeTransaction(async (trx) => {
    const org = await trx.selectFrom('org').select('id').where('slug', '=', slug).executeTakeFirst();
    const tenant = org ? orgScope(trx, org.id) : undefined;
    const row = tenant ? await tenant.select('connection').select('id').where('name', '=', n).executeTakeFirst() : undefined;
    if (!tenant || !row) throw new FerryError('not_found', 'connection.not_found', `${slug} has no connection named ${n}; list them with ferry admin connection list`);
    await tenant.delete('connection').where('id', '=', row.id).execute();
    await tenant.update('release_tier').set({ target_connection: null }).where('target_connection', '=', n).execute();
    await ctx.audit.appendIn(trx, { type: 'connection:removed', actor: operator, orgId: tenant.orgId, payload: { connectionId: row.id, name: n } });
  });
}

function allows(row: ConnectionRow, projectId: string, use: ConnectionUse, tier: Tier | null): boolean {
  if (row.direction !== 'both' && row.direction !== use) return false;
  if (row.projects !== null && !(JSON.parse(row.projects) as string[]).includes(projectId)) return false;
  if (tier !== null && row.tiers !== null && !(JSON.parse(row.tiers) as Tier[]).includes(tier)) return false;
  return true;
}

/** Connections of the actor's org usable in `projectId` (contract.read): names and kinds only. */
export function listConnections(ctx: Ctx, actor: Actor, projectId: string): Promise<ConnectionInfo[]> {
  return guarded(ctx, actor, 'connection.list', async () => {
    await requirePermission(ctx, ctx.db, actor, 'contract.read', { projectId });
    const rows = await orgScope(ctx.db, actor.orgId).select('connection').selectAll().orderBy('name').execute();
    return rows.filter((r) => allows(r, projectId, 'source', null) || allows(r, projectId, 'target', null)).map(toInfo);
  });
}

/**
 * The connection `name` of the actor's org if it may be used for `use` in `projectId` (and
 * `tier`), else a not_found refusal that reads the same for a name registered elsewhere.
 */
export async function requireConnection(db: StoreDb, actor: Actor, projectId: string, name: string, use: ConnectionUse, tier: Tier | null): Promise<ConnectionRow> {
  const parsed = connectionNameSchema.safeParse(name);
  const row = parsed.success ? await orgScope(db, actor.orgId).select('connection').selectAll().where('name', '=', parsed.data).executeTakeFirst() : undefined;
  if (!row || !allows(row, projectId, use, tier)) {
    const shown = parsed.success ? parsed.data : '(an invalid name)';
    throw new DeniedError(
      'not_found',
      'connection.not_found',
      `no ${use} connection named ${shown} is available to this project${tier ? ` in ${tier}` : ''}; the operator registers connections (ferry admin connection add) and org_admins choose among them`,
      { resource: 'connection', resourceId: parsed.success ? parsed.data : null },
    );
  }
  return row;
}

/**
 * The URL behind a connection the actor may use, resolved and confined now (never returned to
 * a client): for the server's run, test and lineage paths. Refusals name the connection only.
 */
export function connectionUrl(ctx: Ctx, actor: Actor, o: { projectId: string; name: string; use: ConnectionUse; tier?: Tier | null }, host: ConnectionHost): Promise<string> {
  return guarded(ctx, actor, 'connection.open', async () => {
    const row = await requireConnection(ctx.db, actor, o.projectId, o.name, o.use, o.tier ?? null);
    const confined = await confineConnection(row.name, row.url_ref, policyFor(ctx, host), await otherTenants(ctx.db, actor.orgId));
    return confined.url;
  });
}
