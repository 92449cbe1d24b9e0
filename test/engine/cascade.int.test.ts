/**
 * Children of a quarantined parent, end to end on synthetic data with injected defects: with the
 * example contract's target foreign keys no loaded row points at a missing parent, every row
 * that followed its parent is accounted for (against an independent derivation from a run that
 * loads them), a resumed run ends where an uninterrupted one does, a later run releases the
 * children once their parent loads, and `on_parent_quarantined: load` keeps the orphans for the
 * referential-integrity KPI to report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { loadContract } from '../../src/contract/load.js';
import type { Contract } from '../../src/contract/model.js';
import { planLoad } from '../../src/engine/plan.js';
import { migrate } from '../../src/run/migrate.js';
import type { RunReport } from '../../src/run/report.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import { createMysqlDatabase, createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';
import { CONTRACT_YAML, DEFAULT_DEFECTS, writeFixture } from './fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
let source: string;
let cascadeFile: string;
let loadFile: string;
let contract: Contract;
const dbs: Array<{ url: string; drop: () => Promise<void> }> = [];

type Row = Record<string, unknown>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-cascade-'));
  source = path.join(dir, 'source');
  await generateToCsv({ seed: 913, patients: 300, rates: uniformRates(0.03), dir: source });
  const copy = path.join(dir, 'contract');
  await cp(path.dirname(EXAMPLE_CONTRACT), copy, { recursive: true });
  cascadeFile = path.join(copy, 'contract.yaml');
  // The same contract, every target key loading its children anyway: what Ferry did before the cascade.
  const text = await readFile(cascadeFile, 'utf8');
  const loadText = text.replace(/(references: \{ table: \w+, columns: \[\w+\] \}) \}/g, '$1, on_parent_quarantined: load }');
  expect(loadText).not.toBe(text);
  loadFile = path.join(copy, 'contract-load.yaml');
  await writeFile(loadFile, loadText);
  contract = (await loadContract(cascadeFile)).contract;
});
afterAll(async () => {
  for (const d of dbs) await d.drop();
  await cleanup();
});

async function query(url: string, sql: string): Promise<Row[]> {
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      return db.prepare(sql).all() as Row[];
    } finally {
      db.close();
    }
  }
  if (url.startsWith('mysql:')) {
    const m = await mysql.createConnection(url);
    try {
      return (await m.query(sql.replace(/"/g, '`')))[0] as Row[];
    } finally {
      await m.end();
    }
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as Row[];
  } finally {
    await c.end();
  }
}

/** Target rows per table, and the loaded rows whose foreign key names a parent the target lacks. */
async function targetState(url: string): Promise<{ rows: Map<string, Row[]>; orphans: string[] }> {
  const rows = new Map<string, Row[]>();
  for (const t of Object.keys(contract.mappings)) rows.set(t, await query(url, `SELECT * FROM "${t}"`));
  const orphans: string[] = [];
  for (const [table, t] of Object.entries(contract.target.tables)) {
    for (const fk of t.foreign_keys) {
      const parent = new Set(rows.get(fk.references.table)!.map((r) => String(r[fk.references.columns[0]])));
      const n = rows.get(table)!.filter((r) => r[fk.columns[0]] !== null && !parent.has(String(r[fk.columns[0]]))).length;
      if (n > 0) orphans.push(`${table}.${fk.columns[0]}: ${n}`);
    }
  }
  return { rows, orphans };
}

/** From a target loaded without the cascade: per table, the rows that would stay once orphans (transitively) leave. */
function expectedAfterCascade(rows: Map<string, Row[]>): Map<string, number> {
  const kept = new Map<string, Row[]>();
  for (const { table } of planLoad(contract)) {
    const fks = contract.target.tables[table].foreign_keys;
    const parentSets = fks.map((fk) => new Set(kept.get(fk.references.table)!.map((r) => String(r[fk.references.columns[0]]))));
    kept.set(
      table,
      rows.get(table)!.filter((r) => fks.every((fk, i) => r[fk.columns[0]] === null || parentSets[i].has(String(r[fk.columns[0]])))),
    );
  }
  return new Map([...kept].map(([t, r]) => [t, r.length]));
}

function cascadedCount(report: RunReport, table: string): number {
  return report.tables
    .find((t) => t.table === table)!
    .quarantineReasons.filter((r) => r.reasonCode === 'parent.quarantined')
    .reduce((n, r) => n + r.count, 0);
}

async function checkCascade(targetUrl: string, loadUrl: string): Promise<RunReport> {
  const report = await migrate({ contractFile: cascadeFile, sourceUrl: `csv:${source}`, targetUrl, batchSize: 200 });
  expect(report.status).not.toBe('failed');
  for (const t of report.tables) expect(t.balanced, t.table).toBe(true);
  const loadRun = await migrate({ contractFile: loadFile, sourceUrl: `csv:${source}`, targetUrl: loadUrl, batchSize: 200 });
  expect(loadRun.quarantineReasons.some((r) => r.reasonCode === 'parent.quarantined')).toBe(false);

  const cascaded = await targetState(targetUrl);
  expect(cascaded.orphans).toEqual([]);
  const loaded = await targetState(loadUrl);
  // Without the cascade the example loads orphans (the issue this guards against).
  expect(loaded.orphans.length).toBeGreaterThan(0);
  const expected = expectedAfterCascade(loaded.rows);
  let followed = 0;
  for (const t of report.tables) {
    const n = cascadedCount(report, t.table);
    followed += n;
    const l = loadRun.tables.find((x) => x.table === t.table)!;
    // Every row that followed its parent is one the load-anyway run loaded, and nothing else changed.
    expect(t.loaded + n, t.table).toBe(l.loaded);
    expect(t.quarantined - n, t.table).toBe(l.quarantined);
    expect(cascaded.rows.get(t.table)!.length, t.table).toBe(expected.get(t.table));
  }
  expect(followed).toBeGreaterThan(0);
  // The referential KPI measures the loaded rows: with the cascade every one resolves.
  const ri = report.quality!.overall.referential_integrity;
  expect(ri.numerator).toBe(ri.denominator);
  expect(loadRun.quality!.overall.referential_integrity.numerator).toBeLessThan(loadRun.quality!.overall.referential_integrity.denominator);
  // Reconciliation derives the same cascade from the source.
  expect(report.reconciliation!.tables.filter((t) => t.status !== 'match')).toEqual([]);
  return report;
}

describe('children follow a quarantined parent', () => {
  it('SQLite: no orphan in the target, every cascaded row accounted for', async () => {
    await checkCascade(`sqlite:${path.join(dir, 'cascade.db')}`, `sqlite:${path.join(dir, 'load.db')}`);
  }, 120_000);

  it('PostgreSQL: no orphan in the target, every cascaded row accounted for', async () => {
    const a = await createPgDatabase();
    const b = await createPgDatabase();
    dbs.push(a, b);
    await checkCascade(a.url, b.url);
    // The database enforces the cascading keys itself (checked at commit: the constraints are deferred)…
    const c = new pg.Client({ connectionString: a.url });
    await c.connect();
    try {
      const fks = await c.query(`SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2`);
      expect(fks.rows).toContainEqual({ child: 'referral', parent: 'patient' });
      expect(fks.rows).toHaveLength(12);
      await expect(c.query(`INSERT INTO referral SELECT referral_id + 1000000, -1, received_on, rtt_clock_start, treatment_function, referral_source, priority FROM referral LIMIT 1`)).rejects.toThrow(
        /foreign key/,
      );
    } finally {
      await c.end();
    }
    // …and never those whose children load anyway.
    const l = new pg.Client({ connectionString: b.url });
    await l.connect();
    try {
      expect((await l.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f'`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await l.end();
    }
  }, 120_000);

  it('MariaDB: no orphan in the target, every cascaded row accounted for, and the database refuses one', async () => {
    const a = await createMysqlDatabase();
    const b = await createMysqlDatabase();
    dbs.push(a, b);
    await checkCascade(a.url, b.url);
    const m = await mysql.createConnection(a.url);
    try {
      const [fks] = await m.query('SELECT count(*) AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()');
      expect(Number((fks as Row[])[0].n)).toBe(12);
      await expect(m.query('INSERT INTO referral SELECT referral_id + 1000000, -1, received_on, rtt_clock_start, treatment_function, referral_source, priority FROM referral LIMIT 1')).rejects.toThrow(
        /foreign key/i,
      );
    } finally {
      await m.end();
    }
  }, 120_000);

  it('a run cancelled inside a child table and resumed ends exactly like an uninterrupted one', async () => {
    const cleanUrl = `sqlite:${path.join(dir, 'clean.db')}`;
    const reference = await migrate({ contractFile: cascadeFile, sourceUrl: `csv:${source}`, targetUrl: cleanUrl, batchSize: 100, concurrency: 1, reconcile: false });
    const url = `sqlite:${path.join(dir, 'resumed.db')}`;
    const stop = new AbortController();
    const first = await migrate({
      contractFile: cascadeFile,
      sourceUrl: `csv:${source}`,
      targetUrl: url,
      batchSize: 100,
      concurrency: 1,
      signal: stop.signal,
      onEvent: (e) => {
        // Stop once the patients are done and some referrals committed: the resumed process must re-derive the patients' keys.
        if (e.type === 'batch:loaded' && e.table === 'referral' && e.counts.read >= 200) stop.abort();
      },
    });
    expect(first.status).toBe('cancelled');
    const resumed = await migrate({ contractFile: cascadeFile, sourceUrl: `csv:${source}`, targetUrl: url, batchSize: 100, concurrency: 1, resume: first.runId, reconcile: false });
    expect(resumed.status).toBe(reference.status);
    for (const t of reference.tables) {
      const r = resumed.tables.find((x) => x.table === t.table)!;
      expect({ table: r.table, loaded: r.loaded, quarantined: r.quarantined, reasons: r.quarantineReasons }).toEqual({
        table: t.table,
        loaded: t.loaded,
        quarantined: t.quarantined,
        reasons: t.quarantineReasons,
      });
    }
    expect(cascadedCount(resumed, 'referral')).toBeGreaterThan(0);
    const done = await targetState(url);
    expect(done.orphans).toEqual([]);
    const clean = await targetState(cleanUrl);
    for (const t of Object.keys(contract.mappings)) expect(done.rows.get(t)!.length, t).toBe(clean.rows.get(t)!.length);
  }, 120_000);
});

describe('release and the load choice (engine fixture)', () => {
  it('a later run that loads the parent loads its children, and lineage shows them loaded', async () => {
    const fixture = path.join(dir, 'fixture');
    const contractFile = await writeFixture(fixture, 12);
    const target = path.join(dir, 'release.db');
    const first = await migrate({ contractFile, sourceUrl: `csv:${fixture}/source`, targetUrl: `sqlite:${target}` });
    // Patient 3 has an invalid NHS number: addresses 30 and 31 follow it.
    const q1 = await query(`sqlite:${target}`, `SELECT source_key, reason_code, rule, message FROM _ferry_quarantine WHERE run_id = '${first.runId}' AND target_table = 'address' ORDER BY source_key`);
    expect(q1.filter((r) => ['30', '31'].includes(String(r.source_key))).map((r) => r.reason_code)).toEqual(['parent.quarantined', 'parent.quarantined']);
    // The message names the parent table and key columns, never the key's value.
    expect(String(q1[0].message)).toContain('patient');
    expect(String(q1[0].message)).not.toMatch(/\b3\b/);

    const lineageOf = (runId: string) =>
      query(
        `sqlite:${target}`,
        `SELECT l.source_key, l.outcome, l.reason_code FROM _ferry_lineage l JOIN _ferry_run_ids r ON r.run_no = l.run_no WHERE r.run_id = '${runId}' AND l.target_table = 'address' AND l.source_key IN ('30', '31') ORDER BY l.source_key`,
      );
    expect(await lineageOf(first.runId)).toEqual([
      { source_key: '30', outcome: 'Q', reason_code: 'parent.quarantined' },
      { source_key: '31', outcome: 'Q', reason_code: 'parent.quarantined' },
    ]);

    // The legacy record is fixed; the next run loads the patient and releases its addresses.
    await writeFixture(fixture, 12, { ...DEFAULT_DEFECTS, badNhs: [] });
    const second = await migrate({ contractFile, sourceUrl: `csv:${fixture}/source`, targetUrl: `sqlite:${target}` });
    expect(second.status).toBe('succeeded');
    const q2 = await query(`sqlite:${target}`, `SELECT source_key FROM _ferry_quarantine WHERE run_id = '${second.runId}' AND source_key IN ('30', '31')`);
    expect(q2).toEqual([]);
    const lineage = await lineageOf(second.runId);
    expect(lineage).toEqual([
      { source_key: '30', outcome: 'L', reason_code: null },
      { source_key: '31', outcome: 'L', reason_code: null },
    ]);
    expect(await query(`sqlite:${target}`, 'SELECT address_id FROM address WHERE patient_id = 3 ORDER BY address_id')).toEqual([{ address_id: 30 }, { address_id: 31 }]);
  });

  it('on_parent_quarantined: load keeps the orphans and the referential KPI reports them', async () => {
    const fixture = path.join(dir, 'fixture-load');
    await writeFixture(fixture, 20);
    const contractFile = path.join(fixture, 'contract.yaml');
    const loadYaml = CONTRACT_YAML.replace(
      '        - { columns: [patient_id], references: { table: patient, columns: [patient_id] } }\ncrosswalks:',
      '        - { columns: [patient_id], references: { table: patient, columns: [patient_id] }, on_parent_quarantined: load }\ncrosswalks:',
    );
    expect(loadYaml).not.toBe(CONTRACT_YAML);
    await writeFile(contractFile, loadYaml);
    const report = await migrate({ contractFile, sourceUrl: `csv:${fixture}/source`, targetUrl: `sqlite:${path.join(dir, 'load-choice.db')}` });
    expect(report.tables.find((t) => t.table === 'address')).toMatchObject({ read: 40, loaded: 40, quarantined: 0 });
    // Patients 3, 5 and 9 are quarantined and 7 is filtered out: 8 of 40 addresses point at no loaded patient.
    const ref = report.quality!.references.find((r) => r.table === 'address')!;
    expect(ref).toMatchObject({ status: 'checked', rows: 40, resolved: 32 });
  });
});
