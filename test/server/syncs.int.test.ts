/**
 * The sync routes over HTTP against a tier target holding sync records written straight into
 * its ledger: state, live lag, totals and the cutover record; only this project's syncs (a
 * second project shares the target connection); never the source address or progress fields
 * beyond the schema; tenants, roles and hostile ids refused; targets without a sync ledger
 * (a fresh PostgreSQL and MariaDB database, a CSV directory) answer [] and are left untouched.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContractVersion, Project } from '../../src/control/plane.js';
import { CONNECTION_ROOTS_ENV } from '../../src/control/connection-guard.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import { beat, cutoverRecord, SECRET_PROGRESS, SECRET_SOURCE, STREAM_COUNTS, writeSyncs } from '../helpers/sync-records.js';
import { extraUser, loginAs, PASSWORD } from '../control/world.js';
import { startScenario, uniqueProbe, type Scenario } from './scenario.js';

let s: Scenario;
let other: Project;
let otherVersion: ContractVersion;
let pgDb: Awaited<ReturnType<typeof createPgDatabase>>;
let myDb: Awaited<ReturnType<typeof createMysqlDatabase>>;

const STREAM = 'sync-stream-1';
const CUT = 'sync-cut-1';
const FAILED = 'sync-failed-1';
const FOREIGN = 'sync-other-project-1';

beforeAll(async () => {
  s = await startScenario('sqlite');
  [pgDb, myDb] = await Promise.all([createPgDatabase('ferry_syncs'), createMysqlDatabase('ferry_syncs')]);
  const { plane } = s.world;
  const A = s.world.a;
  const files = path.dirname(s.preTarget);
  await mkdir(path.join(files, 'csv-out'));
  const env = { [CONNECTION_ROOTS_ENV]: files };
  const register = (name: string, ref: string) => plane.registerConnection({ org: A.slug, name, ref, direction: 'target', tiers: null }, { env, dataDir: s.dataDir });
  await register('fresh-pg', pgDb.url);
  await register('fresh-mysql', myDb.url);
  await register('csv-out', `csv:${path.join(files, 'csv-out')}`);
  // A database that does not exist: any attempt to open it fails, so a 400 proves no attempt was made.
  await register('gone', pgDb.url.replace(/\/[^/]*$/, '/ferry_syncs_never_created'));
  await plane.configureTier(A.admin, s.projectId, 'staging', { connection: 'fresh-pg' });
  await plane.configureTier(A.admin, s.projectId, 'production', { connection: 'gone' });

  // A second project of the same org whose pre_production tier shares the target connection `pre`.
  other = await plane.createProject(A.admin, A.workspace.id, { name: 'pas-community' });
  otherVersion = (await plane.submitVersion(A.as.migration_analyst, other.id, await uniqueProbe('other'))).version;
  await plane.configureTier(A.admin, other.id, 'pre_production', { connection: 'pre' });
  await plane.configureTier(A.admin, other.id, 'staging', { connection: 'fresh-mysql' });
  await plane.configureTier(A.admin, other.id, 'production', { connection: 'csv-out' });

  await writeSyncs(`sqlite:${s.preTarget}`, [
    { syncId: CUT, contractDigest: s.v1.digest, kind: 'cut_over', startedAt: '2026-11-30T20:00:00.000Z' },
    { syncId: FAILED, contractDigest: s.v2.digest, kind: 'failed', startedAt: '2026-12-01T08:00:00.000Z' },
    { syncId: FOREIGN, contractDigest: otherVersion.digest, kind: 'streaming', startedAt: '2026-12-02T08:00:00.000Z' },
    { syncId: STREAM, contractDigest: s.v1.digest, kind: 'streaming', startedAt: new Date(Date.now() - 3_600_000).toISOString() },
  ]);
}, 120_000);

// A live process beats every 2 s; a slow machine must not let the stream look stopped mid-file.
beforeEach(() => beat(`sqlite:${s.preTarget}`, STREAM));

afterAll(async () => {
  await s?.close();
  await Promise.allSettled([pgDb?.drop(), myDb?.drop()]);
});

const syncs = (projectId = s.projectId) => `/projects/${projectId}/syncs`;
const get = (p: string, token = s.a.token.viewer) => s.client.request('GET', p, { token });

/** Every key of an object, nested, as dotted paths (arrays by their items' keys). */
function keysOf(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => keysOf(x, `${prefix}[]`));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [`${prefix}${k}`, ...keysOf(x, `${prefix}${k}.`)]);
}

describe('syncs over HTTP', () => {
  it('lists this project’s syncs in the tier target, newest first, with live lag, totals, error and cutover', async () => {
    const r = await get(`${syncs()}?tier=pre_production`);
    expect(r.status).toBe(200);
    expect(r.body.map((x: { syncId: string }) => x.syncId)).toEqual([STREAM, FAILED, CUT]);
    const [stream, failed, cut] = r.body;
    expect(stream).toMatchObject({
      state: 'streaming',
      method: 'postgres',
      target: 'pre',
      contractDigest: s.v1.digest,
      position: '0/16B3748',
      streaming: true,
      lag: { bytes: 2232, seconds: 1.5, pendingTransactions: 3 },
      counts: STREAM_COUNTS,
      error: null,
      cutover: null,
    });
    expect(stream.progress).toMatchObject({ pid: 4242, head: '0/16B4000', appliedPerSecond: 20.5 });
    expect(failed).toMatchObject({ state: 'failed', streaming: false, error: { code: 'sync.apply_foreign_key' } });
    // A stale heartbeat: nothing streams a cut-over sync, so it has no live lag.
    expect(cut).toMatchObject({ state: 'cut_over', method: 'watermark', streaming: false, lag: { bytes: null, seconds: null, pendingTransactions: null } });
    expect(cut.cutover).toEqual(cutoverRecord(CUT));
    expect(cut.cutover.pending.map((p: { sourceKey: string }) => p.sourceKey)).toEqual(['1017', '1023']);
  });

  it('returns one sync by id with its cutover record and pending rows', async () => {
    const one = await get(`${syncs()}/${CUT}?tier=pre_production`, s.a.token.auditor);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ syncId: CUT, state: 'cut_over', target: 'pre', cutover: cutoverRecord(CUT) });
    const live = await get(`${syncs()}/${STREAM}?tier=pre_production`);
    expect(live.body).toMatchObject({ syncId: STREAM, streaming: true, lag: { seconds: 1.5 }, counts: STREAM_COUNTS });
  });

  it('never returns the source address, nor progress fields beyond the schema', async () => {
    const host = new URL(SECRET_SOURCE).hostname;
    for (const p of [`${syncs()}?tier=pre_production`, `${syncs()}/${STREAM}?tier=pre_production`, `${syncs()}/${CUT}?tier=pre_production`]) {
      const r = await get(p);
      expect(r.status).toBe(200);
      for (const secret of [SECRET_SOURCE, host, 'replicator', 'pas_live', SECRET_PROGRESS]) expect(r.text, `${p} leaks ${secret}`).not.toContain(secret);
      for (const x of Array.isArray(r.body) ? r.body : [r.body]) {
        expect(x).not.toHaveProperty('source');
        expect(Object.keys(x.progress ?? {}).sort()).toEqual(x.progress ? ['appliedPerSecond', 'head', 'heartbeatAt', 'lagBytes', 'lagSeconds', 'lastArrivalAt', 'pendingTransactions', 'pid'] : []);
        expect(keysOf(x).filter((k) => /source(?!Table|Key)|slot|host|url/i.test(k))).toEqual([]);
      }
    }
  });

  it('keeps another project’s sync in the same target connection out of the list, and answers 404 for its id', async () => {
    const listed = await get(`${syncs()}?tier=pre_production`);
    expect(listed.text).not.toContain(FOREIGN);
    expect(listed.text).not.toContain(otherVersion.digest);
    const one = await get(`${syncs()}/${FOREIGN}?tier=pre_production`);
    expect(one.status).toBe(404);
    expect(one.body.error.code).toBe('sync.unknown');
    // The other project sees its own sync, and not this project's.
    const theirs = await get(`${syncs(other.id)}?tier=pre_production`);
    expect(theirs.status).toBe(200);
    expect(theirs.body.map((x: { syncId: string }) => x.syncId)).toEqual([FOREIGN]);
    expect((await get(`${syncs(other.id)}/${STREAM}?tier=pre_production`)).status).toBe(404);
  });

  it('answers 404 to another org’s users, like every project route, and 403 to a user without run.read on the project', async () => {
    for (const role of ['viewer', 'org_admin', 'auditor'] as const) {
      for (const p of [`${syncs()}?tier=pre_production`, `${syncs()}/${STREAM}?tier=pre_production`]) {
        const r = await get(p, s.b.token[role]);
        expect([p, role, r.status]).toEqual([p, role, 404]);
        expect(r.text).not.toContain(STREAM);
      }
    }
    const A = s.world.a;
    // No grant at all, and a viewer of the other project only: neither holds run.read here.
    await extraUser(s.world.plane, A, 'no-grants', []);
    const elsewhere = await extraUser(s.world.plane, A, 'other-viewer', []);
    await s.world.plane.grantRole(A.admin, elsewhere.userId, 'viewer', other.id);
    for (const username of ['no-grants', 'other-viewer']) {
      const { token } = await s.world.plane.login(A.slug, username, PASSWORD);
      for (const p of [`${syncs()}?tier=pre_production`, `${syncs()}/${STREAM}?tier=pre_production`]) {
        const r = await get(p, token);
        expect([username, p, r.status, r.body.error.code]).toEqual([username, p, 403, 'access.forbidden']);
      }
    }
    const theirs = await get(`${syncs(other.id)}/${FOREIGN}?tier=pre_production`, (await s.world.plane.login(A.slug, 'other-viewer', PASSWORD)).token);
    expect(theirs.status).toBe(200);
    expect((await get(`${syncs()}?tier=pre_production`, (await loginAs(s.world.plane, A, 'viewer')).token)).status).toBe(200);
  });

  it('refuses a hostile sync id by validation (400) before opening the target', async () => {
    // The production target cannot be opened: a well-formed id reaches it and fails as a connection.
    const reached = await get(`${syncs()}/sync-well-formed?tier=production`);
    expect(reached.status).toBe(502);
    expect(reached.body.error.code).toMatch(/^target\./);
    for (const id of ['../x', '..%2Fx', "sync-a'b", 'sync-a"b', "sync-1' OR '1'='1", `sync-${'a'.repeat(295)}`, 'SYNC-UPPER', 'sync-a b', 'sync-%00']) {
      const r = await get(`${syncs()}/${encodeURIComponent(id)}?tier=production`);
      expect([id.slice(0, 20), r.status, r.body?.error?.code]).toEqual([id.slice(0, 20), 400, 'http.validation']);
      expect(r.body.error.issues[0].path).toBe('params.syncId');
    }
    const badTier = await get(`${syncs()}?tier=../../etc`);
    expect(badTier.status).toBe(400);
  });

  it('answers [] (not an error) for targets no sync ever prepared, and creates nothing in them', async () => {
    for (const [projectId, tier] of [
      [s.projectId, 'staging'],
      [other.id, 'staging'],
      [other.id, 'production'],
    ] as const) {
      const r = await get(`${syncs(projectId)}?tier=${tier}`);
      expect([projectId, tier, r.status, r.body]).toEqual([projectId, tier, 200, []]);
      const one = await get(`${syncs(projectId)}/${STREAM}?tier=${tier}`);
      expect([projectId, tier, one.status, one.body.error.code]).toEqual([projectId, tier, 404, 'sync.unknown']);
    }
    const c = new pg.Client({ connectionString: pgDb.url });
    await c.connect();
    const pgTables = (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")).rows;
    await c.end();
    expect(pgTables).toEqual([]);
    const m = await mysql.createConnection(myDb.url);
    const [myTables] = await m.query('SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()');
    await m.end();
    expect(myTables).toEqual([]);
  });

  it('answers 409 for a tier without a target connection', async () => {
    // Tenant B's own project has no tier configured.
    const r = await get(`${syncs(s.world.b.project.id)}?tier=pre_production`, s.b.token.viewer);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('sync.no_target');
  });
});
