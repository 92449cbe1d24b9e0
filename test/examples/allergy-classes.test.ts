/**
 * The class-level allergy check of examples/legacy-pas over synthetic data: every injected
 * allergy_class_conflict is flagged (action warn, as shipped) or quarantined (action quarantine)
 * and nothing else is, the quarantine balances and reconciles row by row, and clean data holds
 * no conflict at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { renderQualityHtml } from '../../src/run/html-report.js';
import { migrate } from '../../src/run/migrate.js';
import { generateTo, generateToCsv } from '../../src/synth/generate.js';
import { cleanRates, type DefectEntry } from '../../src/synth/defects.js';
import { DRUG_CLASSES_RECORD, DRUG_CLASSES_VERSION } from '../../src/reference/drug-classes.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { preparePartitionQueues, workPartitions } from '../../src/run/queued-partitions.js';
import { createPgDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
let defective: string;
let injected: DefectEntry[];

/** A copy of the example contract listing every failing key, with `edit` applied to its text. */
async function contractCopy(name: string, edit: (text: string) => string = (t) => t): Promise<string> {
  const copy = path.join(dir, name);
  await cp(path.dirname(EXAMPLE_CONTRACT), copy, { recursive: true });
  const file = path.join(copy, 'contract.yaml');
  await writeFile(file, edit((await readFile(file, 'utf8')).replace('example_keys: 10', 'example_keys: 100')));
  return file;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  defective = path.join(dir, 'defective');
  const synth = await generateToCsv({ seed: 21, patients: 250, rates: { ...cleanRates(), allergy_class_conflict: 0.08 }, dir: defective });
  injected = (JSON.parse(await readFile(synth.manifest, 'utf8')) as { defects: DefectEntry[] }).defects;
}, 60_000);
afterAll(() => cleanup());

describe('class-level allergy check on examples/legacy-pas', () => {
  it('flags every injected class conflict and nothing else (action warn, as shipped)', async () => {
    expect(injected.length).toBeGreaterThan(5);
    expect(new Set(injected.map((d) => d.kind))).toEqual(new Set(['allergy_class_conflict']));
    const report = await migrate({ contractFile: await contractCopy('warn'), sourceUrl: `csv:${defective}`, targetUrl: `sqlite:${path.join(dir, 'warn.db')}` });
    expect(report.totals.quarantined).toBe(0);
    const finding = report.quality!.checks.find((c) => c.name === 'allergy_medication_conflict')!;
    expect(finding).toMatchObject({ decision: 'warn', match: 'class', action: 'warn', quarantined: 0, crossReactive: 0, count: injected.length });
    expect(finding.exampleKeys.map((k) => k.sourceKey).sort()).toEqual(injected.map((d) => d.key).sort());
    expect(finding.exampleKeys.every((k) => k.table === 'medication' && k.sourceTable === 'MEDS')).toBe(true);
  }, 60_000);

  it('quarantines every injected conflict row by row with action quarantine, and the run still balances and reconciles', async () => {
    const target = path.join(dir, 'quarantine.db');
    const contractFile = await contractCopy('quarantine', (t) => t.replace('action: warn', 'action: quarantine'));
    const report = await migrate({ contractFile, sourceUrl: `csv:${defective}`, targetUrl: `sqlite:${target}` });
    for (const t of report.tables) expect(t.balanced, t.table).toBe(true);
    expect(report.reconciliation?.status).toBe('match');
    const meds = report.tables.find((t) => t.table === 'medication')!;
    expect(meds.quarantined).toBe(injected.length);
    expect(meds.read).toBe(meds.loaded + meds.quarantined + meds.excluded);
    const finding = report.quality!.checks.find((c) => c.name === 'allergy_medication_conflict')!;
    expect(finding).toMatchObject({ count: injected.length, quarantined: injected.length, action: 'quarantine' });
    // The HTML quality report says how the check matched and what it kept out.
    const n = injected.length;
    expect(renderQualityHtml(report)).toContain(
      `<td>allergy_medication_conflict</td><td>allergy_conflict</td><td>substance or drug class</td><td>warning</td><td class="n">${n}</td><td class="n">${n}</td><td class="n">0</td>`,
    );

    const db = new Database(target, { readonly: true });
    try {
      const q = db.prepare('SELECT source_table, source_key, reason_code, rule FROM _ferry_quarantine').all() as Array<{ source_table: string; source_key: string; reason_code: string; rule: string }>;
      expect(q.map((r) => r.source_key).sort()).toEqual(injected.map((d) => d.key).sort());
      expect(new Set(q.map((r) => `${r.source_table} ${r.reason_code} ${r.rule}`))).toEqual(new Set(['MEDS check.allergy_conflict allergy_medication_conflict']));
      const loaded = db.prepare(`SELECT count(*) AS n FROM medication WHERE medication_id IN (${injected.map(() => '?').join(',')})`).get(...injected.map((d) => Number(d.key))) as { n: number };
      expect(loaded.n).toBe(0);
      // The shipped table's version and digest are recorded with the run, like a crosswalk's.
      const recorded = JSON.parse((db.prepare('SELECT crosswalks FROM _ferry_run_ids').get() as { crosswalks: string }).crosswalks) as Array<{ name: string; version: string; digest: string }>;
      expect(recorded.find((c) => c.name === DRUG_CLASSES_RECORD)).toMatchObject({ version: DRUG_CLASSES_VERSION, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    } finally {
      db.close();
    }
  }, 60_000);

  it('quarantines the same rows when queue workers load key-range partitions (the allergies re-derived by replay)', async () => {
    const queueDb = await createPgDatabase('ferry_classes_q');
    const queue = new MemoryQueue();
    try {
      const target = path.join(dir, 'queued.db');
      const contractFile = await contractCopy('queued', (t) => t.replace('action: warn', 'action: quarantine'));
      // The same defective data in SQLite, which (unlike CSV) can be read by key range.
      const sourceUrl = `sqlite:${path.join(dir, 'source.db')}`;
      await generateTo(sourceUrl, { seed: 21, patients: 250, rates: { ...cleanRates(), allergy_class_conflict: 0.08 }, manifest: path.join(dir, 'source-defects.json') }, dir);
      const targetUrl = `sqlite:${target}`;
      await queue.start();
      await preparePartitionQueues(queue);
      await workPartitions({ queue, queueUrl: queueDb.url, concurrency: 2, allow: [sourceUrl, targetUrl], pollingIntervalSeconds: 0.5, cancelPollMs: 200 });
      const report = await migrate({ contractFile, sourceUrl, targetUrl, batchSize: 200, partitions: 2, minPartitionRows: 50, concurrency: 2, queue });
      for (const t of report.tables) expect(t.balanced, t.table).toBe(true);
      const meds = report.tables.find((t) => t.table === 'medication')!;
      expect([meds.quarantined, (meds.keyRanges ?? 0) > 1, (report.tables.find((t) => t.table === 'allergy')!.keyRanges ?? 0) > 1]).toEqual([injected.length, true, true]);
      expect(report.quality!.checks[0]).toMatchObject({ count: injected.length, quarantined: injected.length });
      const db = new Database(target, { readonly: true });
      const keys = (db.prepare("SELECT source_key FROM _ferry_quarantine WHERE reason_code = 'check.allergy_conflict'").all() as Array<{ source_key: string }>).map((r) => r.source_key);
      db.close();
      expect(keys.sort()).toEqual(injected.map((d) => d.key).sort());
    } finally {
      await queue.stop({ graceful: true, timeoutMs: 10_000 });
      await queueDb.drop();
    }
  }, 60_000);

  it('finds no conflict in clean data', async () => {
    const src = path.join(dir, 'clean');
    await generateToCsv({ seed: 22, patients: 250, rates: cleanRates(), dir: src });
    const report = await migrate({ contractFile: EXAMPLE_CONTRACT, sourceUrl: `csv:${src}`, targetUrl: `sqlite:${path.join(dir, 'clean.db')}`, reconcile: false });
    expect(report.quality!.checks).toEqual([expect.objectContaining({ name: 'allergy_medication_conflict', count: 0, crossReactive: 0, decision: 'pass' })]);
  }, 60_000);
});
