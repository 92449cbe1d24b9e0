/**
 * The mapping workbench over HTTP: profiling a real PostgreSQL source and the probe data (the
 * `ferry profile --json` shape, naming the reference rather than the URL), suggestions with
 * the draft contract for a target DDL, and a contract version's target fields as a flat table.
 */
import pg from 'pg';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContractText } from '../../src/contract/load.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { draftContractText } from '../../src/profile/draft.js';
import { suggestMappings } from '../../src/profile/suggest.js';
import { probeUpload } from '../../src/server/probe/probe.js';
import { createPgDatabase } from '../helpers/databases.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let db: Awaited<ReturnType<typeof createPgDatabase>>;

const DDL = `
CREATE TABLE patient (
  patient_id integer PRIMARY KEY,
  nhs_number varchar(10) NOT NULL,
  family_name varchar(35),
  birth_date date
);`;

beforeAll(async () => {
  db = await createPgDatabase('ferry_wb');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE TABLE pat_mast (pat_id integer PRIMARY KEY, pat_nhsno text, pat_surname text, pat_dob text)');
  await c.query(`INSERT INTO pat_mast SELECT i, '999' || lpad(i::text, 7, '0'), 'SURNAME' || (i % 11), lpad((1 + i % 28)::text, 2, '0') || '/03/19' || (40 + i % 50) FROM generate_series(1, 300) i`);
  await c.end();
  h = await startHarness('sqlite');
  await h.world.plane.registerConnection({ org: h.world.a.slug, name: 'pas', ref: db.url, direction: 'source' }, { env: {}, dataDir: h.dataDir });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await db?.drop();
});

const P = () => `/projects/${h.world.a.project.id}`;

describe('POST /projects/{projectId}/profile', () => {
  it('profiles a PostgreSQL source as ferry profile --json does, naming the reference, not the URL', async () => {
    const r = await h.client.request('POST', `${P()}/profile`, { token: h.a.token.migration_analyst, body: { source: 'connection:pas', sample: 100 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ profile_version: 1, source: 'connection:pas', options: { sample: 100 } });
    const table = r.body.tables.find((t: { name: string }) => t.name === 'pat_mast');
    expect(table).toMatchObject({ rows: 300, sampled: 100, sample_estimated: true });
    expect(table.columns.map((c: { name: string }) => c.name)).toEqual(['pat_id', 'pat_nhsno', 'pat_surname', 'pat_dob']);
    expect(r.text).not.toContain(db.name);
    expect(r.text).not.toContain('127.0.0.1');
  });

  it('profiles only the tables asked for, and refuses an unknown one with its own message', async () => {
    const r = await h.client.request('POST', `${P()}/profile`, { token: h.a.token.migration_analyst, body: { source: 'probe', tables: ['PERSON'] } });
    expect(r.body.tables.map((t: { name: string }) => t.name)).toEqual(['PERSON']);
    const bad = await h.client.request('POST', `${P()}/profile`, { token: h.a.token.migration_analyst, body: { source: 'probe', tables: ['NOPE'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('profile.unknown_table');
  });

  it('refuses bad input (400 with issues), other roles (403) and other tenants (404)', async () => {
    const bad = await h.client.request('POST', `${P()}/profile`, { token: h.a.token.migration_analyst, body: { source: 'probe', sample: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['body.sample']);
    expect((await h.client.request('POST', `${P()}/profile`, { token: h.a.token.viewer, body: { source: 'probe' } })).status).toBe(403);
    expect((await h.client.request('POST', `${P()}/profile`, { token: h.b.token.migration_analyst, body: { source: 'probe' } })).status).toBe(404);
  });
});

describe('POST /projects/{projectId}/suggest', () => {
  it('suggests a source column per target column and returns the draft contract, which loads', async () => {
    const r = await h.client.request('POST', `${P()}/suggest`, { token: h.a.token.migration_analyst, body: { source: 'connection:pas', targetDdl: DDL, name: 'epr_draft' } });
    expect(r.status).toBe(200);
    expect(r.body.suggestions.map((s: { target: string }) => s.target)).toEqual(['patient.patient_id', 'patient.nhs_number', 'patient.family_name', 'patient.birth_date']);
    expect(r.body.suggestions.find((s: { target: string }) => s.target === 'patient.nhs_number').source).toBe('pat_mast.pat_nhsno');
    for (const s of r.body.suggestions) expect(Object.keys(s).sort()).toEqual(['confidence', 'reason', 'source', 'target', 'transforms']);
    expect(r.body.contractYaml).toMatch(/^# Draft contract written by `ferry suggest`/);
    const draft = parse(r.body.contractYaml);
    expect(draft.metadata.name).toBe('epr_draft');
    expect(draft.metadata.description).toContain('connection:pas');
    expect(r.body.contractYaml).not.toContain(db.name);
    const loaded = await loadContractText(r.body.contractYaml, 'draft.yaml', process.cwd());
    expect(Object.values(loaded.contract.mappings.patient.fields).every((f) => f.status === 'suggested')).toBe(true);
    // The same text `ferry suggest --contract` writes for the same profile: one renderer for both.
    const profiled = await h.client.request('POST', `${P()}/profile`, { token: h.a.token.migration_analyst, body: { source: 'connection:pas' } });
    const ddl = parseDdl(DDL, 'targetDdl');
    expect(r.body.contractYaml).toBe(draftContractText(profiled.body, ddl, suggestMappings(profiled.body, ddl), 'epr_draft'));
  });

  it('refuses DDL without a table, oversized DDL and a bad name with 400', async () => {
    const none = await h.client.request('POST', `${P()}/suggest`, { token: h.a.token.migration_analyst, body: { source: 'probe', targetDdl: 'SELECT 1;' } });
    expect([none.status, none.body.error.code]).toEqual([400, 'suggest.no_tables']);
    const big = await h.client.request('POST', `${P()}/suggest`, { token: h.a.token.migration_analyst, body: { source: 'probe', targetDdl: 'x'.repeat(1_000_001) } });
    expect(big.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['body.targetDdl']);
    const name = await h.client.request('POST', `${P()}/suggest`, { token: h.a.token.migration_analyst, body: { source: 'probe', targetDdl: DDL, name: 'no spaces' } });
    expect(name.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['body.name']);
  });

  it('names an unreachable source by cause only, as a 502', async () => {
    const down = await startHarness('sqlite');
    try {
      await down.world.plane.registerConnection({ org: down.world.a.slug, name: 'down', ref: 'postgres://nobody@127.0.0.1:1/gone', direction: 'source' }, { env: {}, dataDir: down.dataDir });
      const r = await down.client.request('POST', `/projects/${down.world.a.project.id}/suggest`, { token: down.a.token.migration_analyst, body: { source: 'connection:down', targetDdl: DDL } });
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('source.connection_refused');
      for (const s of ['127.0.0.1', 'nobody', 'gone', 'postgres://']) expect(r.text).not.toContain(s);
    } finally {
      await down.close();
    }
  }, 60_000);
});

describe('GET /projects/{projectId}/contract-versions/{versionId}/fields', () => {
  it('lists every target field with source, steps, rules, rationale and status; unmapped columns with an empty source', async () => {
    const probe = await probeUpload();
    const yaml = probe.yaml
      .replace('family_name: { type: text, nullable: false }', 'family_name: { type: text, nullable: false }\n        birth_date: { type: date }')
      .replace(
        'rules: [required]\n        rationale: Exercises a transform and a required rule.',
        'rules: [required]\n        rationale: Exercises a transform and a required rule.\n        status: suggested',
      );
    const v = await h.world.plane.submitVersion(h.world.a.as.migration_analyst, h.world.a.project.id, { yaml, crosswalks: {}, message: 'fields' });
    const r = await h.client.request('GET', `${P()}/contract-versions/${v.version.id}/fields`, { token: h.a.token.viewer });
    expect(r.status).toBe(200);
    expect(r.body.fields).toEqual([
      {
        table: 'person',
        field: 'person_id',
        type: 'integer',
        nullable: false,
        sourceTable: 'PERSON',
        source: ['ID'],
        steps: [],
        crosswalk: null,
        rules: [],
        rationale: 'Probe key, kept so each probe row traces back to its source row.',
        status: 'accepted',
      },
      {
        table: 'person',
        field: 'nhs_number',
        type: 'text',
        nullable: true,
        sourceTable: 'PERSON',
        source: ['NHS_NO'],
        steps: ['trim'],
        crosswalk: null,
        rules: [expect.stringMatching(/NHS number/i)],
        rationale: 'Exercises a national-identifier rule; one probe row fails it on purpose.',
        status: 'accepted',
      },
      {
        table: 'person',
        field: 'family_name',
        type: 'text',
        nullable: false,
        sourceTable: 'PERSON',
        source: ['SURNAME'],
        steps: ['trim', 'upper-case'],
        crosswalk: null,
        rules: ['required'],
        rationale: 'Exercises a transform and a required rule.',
        status: 'suggested',
      },
      { table: 'person', field: 'birth_date', type: 'date', nullable: true, sourceTable: 'PERSON', source: [], steps: [], crosswalk: null, rules: [], rationale: '', status: 'unmapped' },
    ]);
  });

  it('names a field’s crosswalk', async () => {
    const { fixtureContract } = await import('../control/world.js');
    const c = await fixtureContract();
    const v = await h.world.plane.submitVersion(h.world.a.as.migration_analyst, h.world.a.project.id, { ...c, yaml: c.yaml.replace('version: 1.0.0', 'version: 7.0.0'), message: 'crosswalk' });
    const r = await h.client.request('GET', `${P()}/contract-versions/${v.version.id}/fields`, { token: h.a.token.viewer });
    expect(r.body.fields.some((f: { crosswalk: string | null }) => f.crosswalk === 'sex')).toBe(true);
  });

  it('refuses a malformed version id with 400 and issues', async () => {
    const r = await h.client.request('GET', `${P()}/contract-versions/bad%20id/fields`, { token: h.a.token.viewer });
    expect([r.status, r.body.error.code]).toEqual([400, 'http.validation']);
    expect(r.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['params.versionId']);
  });

  it('answers 404 for another tenant and for another project’s version', async () => {
    const v = (await h.world.plane.listVersions(h.world.a.as.viewer, h.world.a.project.id))[0];
    expect((await h.client.request('GET', `${P()}/contract-versions/${v.id}/fields`, { token: h.b.token.viewer })).status).toBe(404);
    expect((await h.client.request('GET', `/projects/${h.world.b.project.id}/contract-versions/${v.id}/fields`, { token: h.b.token.viewer })).status).toBe(404);
  });
});
