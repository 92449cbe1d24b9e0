/**
 * Sources over HTTP: the listing (names, never values), testing a reference against a real
 * PostgreSQL database and against one that is down (the message names the cause, never the
 * URL or password), uploads (CSV, JSON arrays converted to NDJSON, refusals), upload
 * references confined to their project, and `synth:` references generated once and runnable
 * with the example contract.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../helpers/databases.js';
import { startHarness, type Harness } from './harness.js';

const DOWN_PASSWORD = 'Sup3rSecretPw';
let h: Harness;
let db: Awaited<ReturnType<typeof createPgDatabase>>;
const env: NodeJS.ProcessEnv = {
  FERRY_TEST_DOWN_PASSWORD: DOWN_PASSWORD,
  FERRY_INLINE_URL: 'postgres://ferry@127.0.0.1:5432/legacy_pas',
  FERRY_VANISHING_URL: 'postgres://ferry@127.0.0.1:5432/legacy_pas',
  FERRY_SOURCE_PAS: 'postgres://ferry@127.0.0.1:5432/never_listed',
  UNRELATED_SECRET: 'x',
};

beforeAll(async () => {
  // Connectors read password_env variables from the process environment.
  process.env.FERRY_TEST_DOWN_PASSWORD = DOWN_PASSWORD;
  db = await createPgDatabase('ferry_src');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE TABLE pat_mast (pat_id integer PRIMARY KEY, nhs_no text, surname text, dob text)');
  await c.query(`INSERT INTO pat_mast SELECT i, '999' || lpad(i::text, 7, '0'), 'Surname' || (i % 7), '01/02/19' || (50 + i % 40) FROM generate_series(1, 120) i`);
  await c.query('CREATE TABLE pat_addr (addr_id integer PRIMARY KEY, pat_id integer, postcode text)');
  await c.query(`INSERT INTO pat_addr SELECT i, i, 'LS1 ' || (i % 9) || 'AB' FROM generate_series(1, 120) i`);
  await c.end();
  h = await startHarness('sqlite', { env });
  // The operator registers the sources tenant A may use; tenants only ever name them.
  const register = (name: string, ref: string) => h.world.plane.registerConnection({ org: h.world.a.slug, name, ref, direction: 'source' }, { env, dataDir: h.dataDir });
  await register('pas', db.url);
  await register('down', 'postgres://ferry@127.0.0.1:1/legacy_pas?password_env=FERRY_TEST_DOWN_PASSWORD');
  await register('inline', 'env:FERRY_INLINE_URL');
  await register('vanishing', 'env:FERRY_VANISHING_URL');
  // Changed under the server after registration: the server re-checks every time it opens one.
  env.FERRY_INLINE_URL = `postgres://ferry:${DOWN_PASSWORD}@127.0.0.1:5432/legacy_pas`;
  delete env.FERRY_VANISHING_URL;
}, 120_000);
afterAll(async () => {
  delete process.env.FERRY_TEST_DOWN_PASSWORD;
  await h?.close();
  await db?.drop();
});

const P = () => `/projects/${h.world.a.project.id}`;
const PB = () => `/projects/${h.world.b.project.id}`;

describe('GET /projects/{projectId}/sources', () => {
  it('lists probe, the org’s registered source connections by name, uploads and the synth hint; never a URL or path', async () => {
    const r = await h.client.request('GET', `${P()}/sources`, { token: h.a.token.viewer });
    expect(r.status).toBe(200);
    const refs = r.body.sources.map((s: { ref: string }) => s.ref);
    expect(refs).toEqual(expect.arrayContaining(['probe', 'connection:down', 'connection:pas', 'synth:42:200']));
    // Environment variables are no longer sources: only what the operator registered is offered.
    expect(refs.some((ref: string) => ref.startsWith('env:'))).toBe(false);
    expect(r.text).not.toContain('UNRELATED_SECRET');
    expect(r.text).not.toContain('postgres://');
    expect(r.text).not.toContain(DOWN_PASSWORD);
    expect(r.text).not.toContain(h.dataDir);
    for (const s of r.body.sources) expect(['probe', 'connection', 'upload', 'synth']).toContain(s.kind);
    // Tenant B sees none of A's connections.
    const b = await h.client.request('GET', `${PB()}/sources`, { token: h.b.token.viewer });
    expect(b.body.sources.filter((s: { kind: string }) => s.kind === 'connection')).toEqual([]);
  });

  it('answers 404 for another tenant’s project', async () => {
    const r = await h.client.request('GET', `${P()}/sources`, { token: h.b.token.org_admin });
    expect(r.status).toBe(404);
  });
});

describe('POST /projects/{projectId}/sources/test', () => {
  it('connects to a real PostgreSQL source and lists its tables with column and row counts', async () => {
    const r = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source: 'connection:pas' } });
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    expect(r.body.tables).toEqual(
      expect.arrayContaining([
        { name: 'pat_mast', columns: 4, rows: 120 },
        { name: 'pat_addr', columns: 3, rows: 120 },
      ]),
    );
  });

  it('reports an unreachable source by cause only: no URL, host, user or password', async () => {
    const r = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source: 'connection:down' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ok: false,
      code: 'source.connection_refused',
      message: 'could not connect to the source: connection refused (check that the database is running and the connection points at it)',
    });
    for (const secret of [DOWN_PASSWORD, '127.0.0.1', 'postgres', 'ferry:', 'legacy_pas', ':1']) expect(r.text).not.toContain(secret);
  });

  it('reports a connection whose URL came to hold a password without echoing the URL', async () => {
    const r = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source: 'connection:inline' } });
    expect(r.body).toMatchObject({ ok: false, code: 'connection.bad_url' });
    expect(r.body.message).toContain('inline');
    for (const secret of [DOWN_PASSWORD, '127.0.0.1', 'postgres://', 'legacy_pas', 'FERRY_INLINE_URL']) expect(r.text).not.toContain(secret);
  });

  it('reports a connection whose variable is no longer set as a failed test naming the connection only', async () => {
    const r = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source: 'connection:vanishing' } });
    expect(r.body).toMatchObject({ ok: false, code: 'connection.unresolved' });
    expect(r.body.message).toContain('vanishing');
    expect(r.text).not.toContain('FERRY_VANISHING_URL');
  });

  it('answers 404 for a connection the org does not have, exactly as for another org’s', async () => {
    const unknown = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source: 'connection:nope' } });
    const theirs = await h.client.request('POST', `${PB()}/sources/test`, { token: h.b.token.migration_analyst, body: { source: 'connection:pas' } });
    expect([unknown.status, theirs.status]).toEqual([404, 404]);
    expect([unknown.body.error.code, theirs.body.error.code]).toEqual(['connection.not_found', 'connection.not_found']);
  });

  it('refuses a malformed reference with 400 and issues, a URL included', async () => {
    for (const source of [db.url, 'csv:/etc', 'env:PATH', 'env:FERRY_SOURCE_PAS', 'file:/etc/passwd', 'connection:../x', 'connection:Bad Name', 'synth:1:5', 'synth:1:99999', 'upload:../x']) {
      const r = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source } });
      expect([source, r.status, r.body.error.code]).toEqual([source, 400, 'http.validation']);
      expect(r.body.error.issues[0].path).toBe('body.source');
      expect(r.text).not.toContain(source);
    }
  });

  it('needs contract.submit (viewer 403) and the caller’s own project (404)', async () => {
    const viewer = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.viewer, body: { source: 'probe' } });
    expect(viewer.status).toBe(403);
    const other = await h.client.request('POST', `${P()}/sources/test`, { token: h.b.token.migration_analyst, body: { source: 'probe' } });
    expect(other.status).toBe(404);
  });
});

describe('POST /projects/{projectId}/uploads', () => {
  it('stores CSV files as a project source named after the files and lists it', async () => {
    const r = await h.client.request('POST', `${P()}/uploads`, {
      token: h.a.token.migration_analyst,
      body: {
        files: [
          { name: 'PAT_MAST.csv', content: 'PAT_ID,PAT_NHSNO,PAT_SURNAME\n1,9990000018,Smith\n2,9990000026,Jones\n' },
          { name: 'dir/../Ward list (2).CSV', content: 'WARD,NAME\nA1,Acute\n' },
        ],
      },
    });
    expect(r.status).toBe(201);
    expect(r.body.source).toMatch(/^upload:upl_[0-9a-f]{24}$/);
    expect(r.body.tables).toEqual(
      expect.arrayContaining([
        { name: 'PAT_MAST', columns: 3, rows: 2 },
        { name: 'Ward_list_2', columns: 2, rows: 1 },
      ]),
    );
    const id = r.body.source.slice('upload:'.length);
    expect((await readdir(path.join(h.dataDir, 'uploads', h.world.a.project.id, id))).sort()).toEqual(['PAT_MAST.csv', 'Ward_list_2.csv', 'upload.json']);
    const listed = await h.client.request('GET', `${P()}/sources`, { token: h.a.token.viewer });
    expect(listed.body.sources).toContainEqual(expect.objectContaining({ ref: r.body.source, kind: 'upload' }));
    expect(listed.body.sources.find((s: { ref: string }) => s.ref === r.body.source).label).toContain('PAT_MAST');
    const tested = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source: r.body.source } });
    expect(tested.body.ok).toBe(true);
  });

  it('records upload:created with the caller’s org and project, by table ids and file count only', async () => {
    const r = await h.client.request('POST', `${P()}/uploads`, {
      token: h.a.token.migration_analyst,
      body: {
        files: [
          { name: 'private/Clinic list.csv', content: 'CLINIC,NHS_NO\nC1,9990000034\n' },
          { name: 'WARD.csv', content: 'WARD\nA1\n' },
        ],
      },
    });
    expect(r.status).toBe(201);
    const uploadId = r.body.source.slice('upload:'.length);
    const events = await h.world.plane.listAuditEvents(h.world.a.as.auditor, { projectId: h.world.a.project.id, type: 'upload:created' });
    const mine = events.filter((e) => (e.payload as { uploadId: string }).uploadId === uploadId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ actor: h.world.a.as.migration_analyst.userId, orgId: h.world.a.orgId, projectId: h.world.a.project.id });
    expect(mine[0].payload).toEqual({ uploadId, tables: ['Clinic_list', 'WARD'], files: 2 });
    const text = JSON.stringify(mine[0]);
    for (const leak of ['9990000034', 'CLINIC', 'private', 'Clinic list', '.csv', h.dataDir]) expect(text).not.toContain(leak);
    // The tenant's own listing shows it; the other org's does not.
    const listed = await h.client.request('GET', `/audit/events?type=upload:created&projectId=${h.world.a.project.id}`, { token: h.a.token.auditor });
    expect(listed.body.map((e: { payload: { uploadId: string } }) => e.payload.uploadId)).toContain(uploadId);
    const foreign = await h.client.request('GET', '/audit/events?type=upload:created', { token: h.b.token.auditor });
    expect(foreign.body).toEqual([]);
  });

  it('converts a JSON array of objects to NDJSON and accepts NDJSON as is', async () => {
    const rows = [
      { id: 1, code: 'A' },
      { id: 2, code: 'B', extra: true },
    ];
    const r = await h.client.request('POST', `${P()}/uploads`, {
      token: h.a.token.migration_analyst,
      body: {
        files: [
          { name: 'codes.json', content: JSON.stringify(rows) },
          { name: 'more.ndjson', content: '{"k":1}\n{"k":2}\n\n' },
        ],
      },
    });
    expect(r.status).toBe(201);
    expect(r.body.tables).toEqual(
      expect.arrayContaining([
        { name: 'codes', columns: 3, rows: 2 },
        { name: 'more', columns: 1, rows: 2 },
      ]),
    );
    const id = r.body.source.slice('upload:'.length);
    const text = await readFile(path.join(h.dataDir, 'uploads', h.world.a.project.id, id, 'codes.ndjson'), 'utf8');
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(rows);
  });

  it('refuses mixed formats, bad JSON, bad names, duplicate tables and unknown extensions with 400', async () => {
    const cases: Array<[unknown[], string]> = [
      [
        [
          { name: 'a.csv', content: 'X\n1\n' },
          { name: 'b.json', content: '[]' },
        ],
        'upload.mixed_formats',
      ],
      [[{ name: 'a.json', content: '{"not":"an array"}' }], 'upload.bad_json'],
      [[{ name: 'a.json', content: '[{"a":1}, 7]' }], 'upload.bad_json'],
      [[{ name: 'a.ndjson', content: '{"a":1}\nnot json\n' }], 'upload.bad_json'],
      [[{ name: '%%%.csv', content: 'X\n1\n' }], 'upload.bad_name'],
      [
        [
          { name: 'a b.csv', content: 'X\n1\n' },
          { name: 'a_b.csv', content: 'X\n1\n' },
        ],
        'upload.duplicate_table',
      ],
      [[{ name: 'a.xlsx', content: 'X' }], 'upload.bad_extension'],
      [[{ name: 'a.csv', content: '\n1\n' }], 'upload.no_header'],
      [[], 'http.validation'],
    ];
    const recorded = async () => (await h.world.plane.listAuditEvents(h.world.a.as.auditor, { type: 'upload:created' })).length;
    const before = await recorded();
    for (const [files, code] of cases) {
      const r = await h.client.request('POST', `${P()}/uploads`, { token: h.a.token.migration_analyst, body: { files } });
      expect([code, r.status, r.body.error.code]).toEqual([code, 400, code]);
    }
    // A refused upload is not kept, so there is nothing to record.
    expect(await recorded()).toBe(before);
    // The value in the bad line never comes back.
    const r = await h.client.request('POST', `${P()}/uploads`, { token: h.a.token.migration_analyst, body: { files: [{ name: 'a.ndjson', content: '{"a":1}\nSECRETVALUE\n' }] } });
    expect(r.body.error.message).toContain('line 2');
    expect(r.text).not.toContain('SECRETVALUE');
  });

  it('refuses a body over the upload limit with 400 http.body_too_large', async () => {
    const big = 'x'.repeat(31 * 1024 * 1024);
    const r = await h.client.request('POST', `${P()}/uploads`, { token: h.a.token.migration_analyst, body: { files: [{ name: 'big.csv', content: `A\n${big}\n` }] } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('http.body_too_large');
  });

  it('confines an upload to its project: another project naming it gets 404, audit-logged', async () => {
    const up = await h.client.request('POST', `${P()}/uploads`, { token: h.a.token.migration_analyst, body: { files: [{ name: 'T.csv', content: 'A\n1\n' }] } });
    const other = await h.client.request('POST', `${PB()}/sources/test`, { token: h.b.token.migration_analyst, body: { source: up.body.source } });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('upload.not_found');
    const denied = await h.world.plane.listAuditEvents(h.world.b.as.org_admin, { type: 'access:denied' });
    expect(denied.map((e) => (e.payload as { resourceId: string }).resourceId)).toContain(up.body.source.slice('upload:'.length));
    const profile = await h.client.request('POST', `${PB()}/profile`, { token: h.b.token.migration_analyst, body: { source: up.body.source } });
    expect(profile.status).toBe(404);
  });

  it('needs contract.submit', async () => {
    const r = await h.client.request('POST', `${P()}/uploads`, { token: h.a.token.auditor, body: { files: [{ name: 'T.csv', content: 'A\n1\n' }] } });
    expect(r.status).toBe(403);
  });
});

describe('synth: references', () => {
  it('generates the synthetic set once, and the example contract dry-runs against synth:42:200', async () => {
    const dir = path.join(process.cwd(), 'examples/legacy-pas');
    const crosswalks: Record<string, string> = {};
    for (const f of await readdir(path.join(dir, 'crosswalks'))) crosswalks[`crosswalks/${f}`] = await readFile(path.join(dir, 'crosswalks', f), 'utf8');
    const submitted = await h.client.request('POST', `${P()}/contract-versions`, {
      token: h.a.token.migration_analyst,
      body: { yaml: await readFile(path.join(dir, 'contract.yaml'), 'utf8'), crosswalks, message: 'example' },
    });
    expect(submitted.status).toBe(201);
    const tested = await h.client.request('POST', `${P()}/sources/test`, { token: h.a.token.migration_analyst, body: { source: 'synth:42:200' } });
    expect(tested.body.ok).toBe(true);
    expect(tested.body.tables.find((t: { name: string }) => t.name === 'PAT_MAST')).toMatchObject({ rows: expect.any(Number) });
    expect(tested.body.tables.find((t: { name: string }) => t.name === 'PAT_MAST').rows).toBeGreaterThanOrEqual(200);
    const start = await h.client.request('POST', `${P()}/runs`, {
      token: h.a.token.migration_analyst,
      body: { versionId: submitted.body.version.id, tier: 'pre_production', source: 'synth:42:200', dryRun: true },
    });
    expect(start.status).toBe(202);
    const done = await h.app.worker.waitFor(start.body.runId);
    // The served set carries the demo's injected defects, so the gate may fail; the run itself completes.
    expect(['succeeded', 'failed_gate']).toContain(done?.status);
    expect(done?.progress.totals.read).toBeGreaterThan(200);
    expect(done?.progress.totals.quarantined).toBeGreaterThan(0);
    expect(await readdir(path.join(h.dataDir, 'synth'))).toEqual(['42-200']);
    // The stored report names the source by its reference, not the generated set's directory.
    const report = await h.client.request('GET', `${P()}/runs/${start.body.runId}/report`, { token: h.a.token.viewer });
    expect(report.body).toMatchObject({ source: 'synth:42:200', target: null });
    expect(report.text).not.toContain(h.dataDir);
    // Crosswalk coverage takes the same references, and names the source by its reference.
    const coverage = await h.client.request('POST', `${P()}/contract-versions/${submitted.body.version.id}/crosswalk-coverage`, {
      token: h.a.token.migration_analyst,
      body: { source: 'synth:42:200' },
    });
    expect(coverage.status).toBe(200);
    expect(coverage.body.source).toBe('synth:42:200');
    expect(coverage.body.crosswalks.length).toBeGreaterThan(0);
    expect(coverage.text).not.toContain(h.dataDir);
  }, 120_000);
});

describe('GET /audit/events?actor=', () => {
  it('filters the org’s events by the user who caused them', async () => {
    const analyst = h.world.a.as.migration_analyst.userId;
    const r = await h.client.request('GET', `/audit/events?actor=${analyst}&limit=1000`, { token: h.a.token.auditor });
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(0);
    expect(new Set(r.body.map((e: { actor: string }) => e.actor))).toEqual(new Set([analyst]));
    const typed = await h.client.request('GET', `/audit/events?actor=${analyst}&type=contract:versioned`, { token: h.a.token.auditor });
    expect(typed.body.map((e: { type: string }) => e.type)).toEqual(['contract:versioned']);
    // Another org's user id finds nothing in this org's trail.
    const foreign = await h.client.request('GET', `/audit/events?actor=${h.world.b.as.migration_analyst.userId}`, { token: h.a.token.auditor });
    expect(foreign.body).toEqual([]);
    const viewer = await h.client.request('GET', `/audit/events?actor=${analyst}`, { token: h.a.token.viewer });
    expect(viewer.status).toBe(403);
    // The route answers from the control plane's own scoped listing, event for event.
    const viaPlane = await h.world.plane.listAuditEvents(h.world.a.as.auditor, { actor: analyst, limit: 1000 });
    expect(r.body.map((e: { seq: number }) => e.seq)).toEqual(viaPlane.map((e) => e.seq));
  });
});
