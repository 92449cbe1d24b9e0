/**
 * The review's critical finding, replayed: a tier target (`targetRef`) let an org_admin point
 * a run at any `env:`/`file:` reference — reading /etc/passwd, /proc/self/environ, the control
 * store and another tenant's upload through the error that quoted it back, and writing into
 * the PostgreSQL control store to make themselves another tenant's admin. Now only the
 * operator registers connections; each is confined at registration and again at every open,
 * and nothing it resolves to is ever echoed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONNECTION_ROOTS_ENV } from '../../src/control/connection-guard.js';
import type { FerryError } from '../../src/errors.js';
import { DIALECTS, storeFixture, type StoreFixture } from '../control/stores.js';
import { buildWorld, type World } from '../control/world.js';
import { tempDir } from '../helpers/tmp.js';
import { startScenario, type Scenario } from '../server/scenario.js';

async function refusal(p: Promise<unknown>): Promise<FerryError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!e) throw new Error('expected a refusal');
  return e as FerryError;
}

describe.each(DIALECTS)('the operator’s registrations are confined (%s store)', (dialect) => {
  let fx: StoreFixture;
  let w: World;
  let files: { dir: string; cleanup: () => Promise<void> };
  let data: { dir: string; cleanup: () => Promise<void> };
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
  });
  afterAll(() => fx.cleanup());
  beforeEach(async () => {
    w = await buildWorld(fx);
    files = await tempDir('ferry-conn-');
    data = await tempDir('ferry-conn-data-');
    const storeDir = w.store.location.dialect === 'sqlite' ? path.dirname(w.store.location.file) : files.dir;
    // Roots wide enough that the more specific rules (store, data directory, other tenant) decide.
    env = { [CONNECTION_ROOTS_ENV]: [files.dir, storeDir, path.dirname(data.dir)].join(path.delimiter) };
  });
  afterEach(async () => {
    await w.close();
    await files.cleanup();
    await data.cleanup();
  });

  const register = (org: string, name: string, ref: string, direction: 'source' | 'target' | 'both' = 'target') =>
    w.plane.registerConnection({ org, name, ref, direction }, { env, dataDir: data.dir });

  /** Everything a refusal must not say. */
  const secrets = () => [
    files.dir,
    data.dir,
    ...(w.store.location.dialect === 'sqlite' ? [w.store.location.file] : [String(w.store.location.pg.client.database)]),
    '127.0.0.1',
    'localhost',
    'postgres://',
  ];

  it('refuses the control store as a target or a source, under any spelling', async () => {
    const loc = w.store.location;
    const refs =
      loc.dialect === 'sqlite'
        ? [`sqlite:${loc.file}`, `sqlite:${loc.file}-wal`, `sqlite:${path.dirname(loc.file)}/../${path.basename(path.dirname(loc.file))}/${path.basename(loc.file)}`, `csv:${path.dirname(loc.file)}`]
        : [`postgres://postgres@127.0.0.1:${loc.pg.client.port}/${loc.pg.client.database}`, `postgres://postgres@localhost:${loc.pg.client.port}/${loc.pg.client.database}?schema=elsewhere`];
    for (const [i, ref] of refs.entries()) {
      for (const direction of ['target', 'source'] as const) {
        const e = await refusal(register(w.a.slug, `store-${i}-${direction}`, ref, direction));
        expect([ref, e.code]).toEqual([ref, 'connection.control_store']);
        for (const s of secrets()) expect(e.message).not.toContain(s);
      }
    }
    // Through an environment variable the same.
    env.STORE_URL = refs[0];
    expect((await refusal(register(w.a.slug, 'store-env', 'env:STORE_URL'))).code).toBe('connection.control_store');
  });

  it('refuses the server’s data directory, paths outside the allowed roots, and symlinks that lead out', async () => {
    expect((await refusal(register(w.a.slug, 'uploads', `csv:${path.join(data.dir, 'uploads', 'prj_x', 'upl_y')}`, 'source'))).code).toBe('connection.data_dir');
    expect((await refusal(register(w.a.slug, 'evidence', `sqlite:${path.join(data.dir, 'runs.db')}`))).code).toBe('connection.data_dir');
    for (const ref of ['csv:/etc', 'sqlite:/proc/self/environ', 'ndjson:/', `sqlite:${path.join(files.dir, '..', '..', 'etc', 'x.db')}`]) {
      expect([ref, (await refusal(register(w.a.slug, 'outside', ref, 'source'))).code]).toEqual([ref, 'connection.outside_roots']);
    }
    await symlink('/etc', path.join(files.dir, 'innocent'));
    const e = await refusal(register(w.a.slug, 'innocent', `csv:${path.join(files.dir, 'innocent')}`, 'source'));
    expect(e.code).toBe('connection.outside_roots');
    for (const s of secrets()) expect(e.message).not.toContain(s);
    // No roots configured: no file connection at all.
    delete env[CONNECTION_ROOTS_ENV];
    expect((await refusal(register(w.a.slug, 'noroots', `sqlite:${path.join(files.dir, 't.db')}`))).code).toBe('connection.outside_roots');
  });

  it('refuses data another org’s connection already reaches', async () => {
    await mkdir(path.join(files.dir, 'a'));
    await register(w.a.slug, 'a-target', `sqlite:${path.join(files.dir, 'a', 'target.db')}`);
    for (const ref of [`sqlite:${path.join(files.dir, 'a', 'target.db')}`, `csv:${path.join(files.dir, 'a')}`, `csv:${files.dir}`]) {
      const e = await refusal(register(w.b.slug, 'b-grab', ref, 'source'));
      expect([ref, e.code]).toEqual([ref, 'connection.other_tenant']);
      for (const s of secrets()) expect(e.message).not.toContain(s);
    }
    // The same database by another host name for this machine.
    await register(w.a.slug, 'a-pg', 'postgres://postgres@127.0.0.1:5432/trust_a_epr');
    expect((await refusal(register(w.b.slug, 'b-pg', 'postgres://postgres@localhost:5432/trust_a_epr'))).code).toBe('connection.other_tenant');
    // Another database on the same server is another tenant's own business.
    await register(w.b.slug, 'b-pg', 'postgres://postgres@localhost:5432/trust_b_epr');
    // Inside one org, one connection may serve as both source and target.
    await register(w.a.slug, 'a-same', `csv:${path.join(files.dir, 'a')}`, 'source');
  });

  it('resolves env: and file: references only here, and refuses ones that do not resolve without saying what they held', async () => {
    const secretFile = path.join(files.dir, 'secret-url');
    await writeFile(secretFile, `sqlite:${path.join(files.dir, 'ok.db')}\n`);
    const ok = await register(w.a.slug, 'from-file', `file:${secretFile}`);
    expect(ok).toMatchObject({ name: 'from-file', kind: 'sqlite', direction: 'target' });
    for (const [ref, code] of [
      ['env:NOT_SET_ANYWHERE', 'connection.unresolved'],
      ['file:relative/secret', 'connection.unresolved'],
      [`file:${path.join(files.dir, 'missing')}`, 'connection.unresolved'],
      ['postgres://ferry:hunter2hunter2@127.0.0.1/x', 'connection.bad_url'],
      ['gopher://example', 'connection.bad_url'],
    ] as const) {
      const e = await refusal(register(w.a.slug, 'bad', ref));
      expect([ref, e.code]).toEqual([ref, code]);
      expect(e.message).not.toContain('hunter2');
      expect(e.message).not.toContain(files.dir);
    }
    // The trail records names and kinds only.
    const events = await w.plane.listAuditEvents(w.a.as.auditor, { type: 'connection:registered' });
    expect(events.map((e) => e.payload)).toEqual([{ connectionId: ok.id, name: 'from-file', direction: 'target', kind: 'sqlite', projects: null, tiers: null }]);
    expect(JSON.stringify(events)).not.toContain(files.dir);
  });
});

describe('tenants name connections, never URLs, references or paths (HTTP)', () => {
  let s: Scenario;
  let files: { dir: string; cleanup: () => Promise<void> };
  const canaryValue = `canary-${randomBytes(12).toString('hex')}`;
  const canaryText = `canary-file-${randomBytes(12).toString('hex')}`;
  let canaryFile: string;
  beforeAll(async () => {
    s = await startScenario('sqlite');
    files = await tempDir('ferry-conn-http-');
    canaryFile = path.join(files.dir, 'canary.txt');
    await writeFile(canaryFile, canaryText);
    s.env.FERRY_CANARY = canaryValue;
    process.env.FERRY_CANARY = canaryValue;
  }, 120_000);
  afterAll(async () => {
    delete process.env.FERRY_CANARY;
    await s.close();
    await files.cleanup();
  });

  const tiers = () => `/projects/${s.projectId}/release/tiers`;
  const noEcho = (text: string) => {
    for (const x of [canaryValue, canaryText, canaryFile, files.dir, s.dataDir, path.dirname(s.preTarget), 'root:x:0:0']) expect(text).not.toContain(x);
  };

  it('refuses the old targetRef field outright, and any reference-like connection name as unknown', async () => {
    for (const targetRef of [`file:${canaryFile}`, 'file:/etc/passwd', 'file:/proc/self/environ', 'env:FERRY_CANARY', 'sqlite:/tmp/x.db', 'postgres://postgres@127.0.0.1:5432/postgres']) {
      const r = await s.client.request('PUT', `${tiers()}/staging`, { token: s.a.token.org_admin, body: { targetRef } });
      expect([targetRef, r.status]).toEqual([targetRef, 400]);
      noEcho(r.text);
      const named = await s.client.request('PUT', `${tiers()}/staging`, { token: s.a.token.org_admin, body: { connection: targetRef } });
      expect([targetRef, named.status, named.body.error.code]).toEqual([targetRef, 404, 'connection.not_found']);
      noEcho(named.text);
    }
    // Another org's admin cannot pick A's connection for B's project either.
    const theirs = await s.client.request('PUT', `/projects/${s.world.b.project.id}/release/tiers/pre_production`, { token: s.b.token.org_admin, body: { connection: 'pre' } });
    expect(theirs.status).toBe(404);
  });

  it('refuses env:, file: and URL sources before anything is opened', async () => {
    for (const source of ['env:FERRY_CANARY', `file:${canaryFile}`, `csv:${files.dir}`, 'connection:pre/../slow']) {
      const r = await s.client.request('POST', `/projects/${s.projectId}/sources/test`, { token: s.a.token.migration_analyst, body: { source } });
      expect([source, r.status]).toEqual([source, 400]);
      noEcho(r.text);
    }
    // A target connection is not a source.
    const target = await s.client.request('POST', `/projects/${s.projectId}/sources/test`, { token: s.a.token.migration_analyst, body: { source: 'connection:pre' } });
    expect(target.status).toBe(404);
  });

  it('lists connections by name and kind only, to the project’s own org', async () => {
    const r = await s.client.request('GET', `/projects/${s.projectId}/connections`, { token: s.a.token.viewer });
    expect(r.status).toBe(200);
    expect(r.body.map((c: { name: string }) => c.name)).toEqual(['pre', 'slow', 'staging-target']);
    expect(r.body[0]).toEqual({ name: 'pre', direction: 'target', kind: 'sqlite', projects: null, tiers: ['pre_production'] });
    noEcho(r.text);
    expect((await s.client.request('GET', `/projects/${s.projectId}/connections`, { token: s.b.token.org_admin })).status).toBe(404);
  });

  it('lineage, run views and reports name the target by its connection, never its path', async () => {
    const lineage = await s.client.request('GET', `/projects/${s.projectId}/lineage?tier=pre_production&by=source&table=PERSON&key=1`, { token: s.a.token.viewer });
    expect(lineage.status).toBe(200);
    expect(lineage.body.target).toBe('pre');
    const run = await s.client.request('GET', `/projects/${s.projectId}/runs/${s.finishedRunId}`, { token: s.a.token.viewer });
    const report = await s.client.request('GET', `/projects/${s.projectId}/runs/${s.finishedRunId}/report`, { token: s.a.token.viewer });
    expect(report.body.target).toBe('pre');
    for (const r of [lineage, run, report]) noEcho(r.text);
    // Contract versions reach the engine loaded from their stored texts: none is written under the data directory.
    expect(existsSync(path.join(s.dataDir, 'contracts'))).toBe(false);
  });

  it('re-checks a connection every time it is opened: a symlink moved under it afterwards is refused, without naming where it led', async () => {
    const roots = s.env[CONNECTION_ROOTS_ENV] as string;
    const real = path.join(roots, 'real');
    await mkdir(real, { recursive: true });
    const link = path.join(roots, 'moving');
    await symlink(real, link);
    await s.world.plane.registerConnection(
      { org: s.world.a.slug, name: 'moving', ref: `sqlite:${path.join(link, 'target.db')}`, direction: 'target', tiers: ['pre_production'] },
      { env: s.env, dataDir: s.dataDir },
    );
    await s.client.request('PUT', `${tiers()}/pre_production`, { token: s.a.token.org_admin, body: { connection: 'moving' } });
    try {
      await rm(link);
      await symlink(s.dataDir, link);
      const start = await s.client.request('POST', `/projects/${s.projectId}/runs`, { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe' } });
      expect(start.status).toBe(400);
      expect(['connection.outside_roots', 'connection.data_dir']).toContain(start.body.error.code);
      expect(start.body.error.message).toContain('moving');
      noEcho(start.text);
      const lineage = await s.client.request('GET', `/projects/${s.projectId}/lineage?tier=pre_production&by=source&table=PERSON&key=1`, { token: s.a.token.viewer });
      expect(lineage.status).toBe(400);
      noEcho(lineage.text);
    } finally {
      await s.client.request('PUT', `${tiers()}/pre_production`, { token: s.a.token.org_admin, body: { connection: 'pre' } });
    }
  });

  it('a run that fails inside the target says why without the path it resolved to', async () => {
    const roots = s.env[CONNECTION_ROOTS_ENV] as string;
    // A file where the target expects a directory: opening the SQLite file fails with the path in the driver's message.
    await writeFile(path.join(roots, 'not-a-dir'), 'x');
    await s.world.plane.registerConnection(
      { org: s.world.a.slug, name: 'broken', ref: `sqlite:${path.join(roots, 'not-a-dir', 'target.db')}`, direction: 'target' },
      { env: s.env, dataDir: s.dataDir },
    );
    await s.client.request('PUT', `${tiers()}/pre_production`, { token: s.a.token.org_admin, body: { connection: 'broken' } });
    try {
      const start = await s.client.request('POST', `/projects/${s.projectId}/runs`, { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe' } });
      expect(start.status).toBe(202);
      const done = await s.app.worker.waitFor(start.body.runId);
      expect(done?.status).toBe('failed');
      const view = await s.client.request('GET', `/projects/${s.projectId}/runs/${start.body.runId}`, { token: s.a.token.viewer });
      expect(view.body.run.error).not.toBeNull();
      for (const x of [roots, 'not-a-dir', s.dataDir]) expect(view.text).not.toContain(x);
    } finally {
      await s.client.request('PUT', `${tiers()}/pre_production`, { token: s.a.token.org_admin, body: { connection: 'pre' } });
    }
  });
});
