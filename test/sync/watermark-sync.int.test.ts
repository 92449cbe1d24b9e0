/**
 * A watermark sync end to end on SQLite (a source with no change log Ferry streams): the
 * snapshot, then polls of each mapping's change column through the contract into a SQLite
 * target — inserts, updates, a delete marker and a hard delete found by key comparison — and a
 * cutover that matches row for row.
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/load.js';
import { cutover } from '../../src/sync/cutover.js';
import { startSync } from '../../src/sync/start-sync.js';
import { syncStatus } from '../../src/sync/sync-status.js';
import { tempDir } from '../helpers/tmp.js';

const CONTRACT = `ferry: 1
metadata: { name: ward_book, version: 1.0.0, owner: test }
source:
  tables:
    PATIENT:
      primary_key: [ID]
      columns:
        ID: { type: integer, nullable: false }
        NAME: { type: text }
        UPDATED: { type: timestamp }
        DELETED: { type: text }
    VISIT:
      primary_key: [ID]
      columns:
        ID: { type: integer, nullable: false }
        PATIENT_ID: { type: integer }
        NOTE: { type: text }
        VER: { type: integer }
target:
  tables:
    patient:
      primary_key: [patient_id]
      columns:
        patient_id: { type: integer, nullable: false }
        name: { type: text, length: 40 }
    visit:
      primary_key: [visit_id]
      columns:
        visit_id: { type: integer, nullable: false }
        patient_id: { type: integer }
        note: { type: text }
      foreign_keys:
        - { columns: [patient_id], references: { table: patient, columns: [patient_id] } }
mappings:
  patient:
    source: PATIENT
    load: upsert
    sync: { change_column: UPDATED, delete_marker: { column: DELETED, deleted: 'Y' } }
    fields:
      patient_id: { from: ID, rationale: key }
      name: { from: NAME, steps: [trim, upper], rules: [required], rationale: identification }
  visit:
    source: VISIT
    load: upsert
    sync: { change_column: VER }
    fields:
      visit_id: { from: ID, rationale: key }
      patient_id: { from: PATIENT_ID, rationale: link }
      note: { from: NOTE, rationale: note }
`;

let dir: string;
let cleanup: () => Promise<void>;
let contractFile: string;
let sourceFile: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ferry-wm-sync-'));
  contractFile = path.join(dir, 'contract.yaml');
  await writeFile(contractFile, CONTRACT);
  sourceFile = path.join(dir, 'source.db');
  const db = new Database(sourceFile);
  db.exec(`CREATE TABLE PATIENT (ID integer PRIMARY KEY, NAME varchar(40), UPDATED timestamp, DELETED varchar(1));
           CREATE TABLE VISIT (ID integer PRIMARY KEY, PATIENT_ID integer, NOTE varchar(40), VER integer);
           INSERT INTO PATIENT VALUES (1, ' ann ', '2026-12-01 09:00:00', NULL), (2, 'bob', '2026-12-01 09:05:00', NULL), (3, 'cy', '2026-12-01 09:10:00', NULL);
           INSERT INTO VISIT VALUES (1, 1, 'first', 1), (2, 2, 'second', 2), (3, 3, 'third', 3);`);
  db.close();
});
afterAll(async () => cleanup?.());

function source(sql: string): void {
  const db = new Database(sourceFile);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

function target(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('watermark sync', () => {
  it('polls change columns through the contract, follows a delete marker and a hard delete, and cuts over', async () => {
    const loaded = await loadContract(contractFile);
    const targetFile = path.join(dir, 'target.db');
    const targetUrl = `sqlite:${targetFile}`;
    const abort = new AbortController();
    let syncId = '';
    let streaming!: () => void;
    const started = new Promise<void>((r) => (streaming = r));
    const done = startSync({
      contract: loaded,
      sourceUrl: `sqlite:${sourceFile}`,
      targetUrl,
      pollSeconds: 0.2,
      heartbeatMs: 200,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'sync:id') syncId = e.syncId;
        if (e.type === 'sync:streaming') streaming();
      },
    });
    done.catch(() => undefined);
    await Promise.race([started, done]);
    expect(target(targetFile, 'SELECT patient_id, name FROM patient ORDER BY 1')).toEqual([
      { patient_id: 1, name: 'ANN' },
      { patient_id: 2, name: 'BOB' },
      { patient_id: 3, name: 'CY' },
    ]);

    source(`INSERT INTO PATIENT VALUES (4, 'dee', '2026-12-07 10:00:00', NULL);
            INSERT INTO VISIT VALUES (4, 4, 'fourth', 4);
            UPDATE PATIENT SET NAME = 'anne', UPDATED = '2026-12-07 10:01:00' WHERE ID = 1;
            UPDATE PATIENT SET DELETED = 'Y', UPDATED = '2026-12-07 10:02:00' WHERE ID = 3;
            DELETE FROM VISIT WHERE ID = 3;`);
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const names = target(targetFile, 'SELECT patient_id, name FROM patient ORDER BY 1');
      const visits = target(targetFile, 'SELECT visit_id FROM visit ORDER BY 1');
      if (
        JSON.stringify(names) ===
          JSON.stringify([
            { patient_id: 1, name: 'ANNE' },
            { patient_id: 2, name: 'BOB' },
            { patient_id: 4, name: 'DEE' },
          ]) &&
        visits.length === 3
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(target(targetFile, 'SELECT patient_id, name FROM patient ORDER BY 1')).toEqual([
      { patient_id: 1, name: 'ANNE' },
      { patient_id: 2, name: 'BOB' },
      { patient_id: 4, name: 'DEE' },
    ]);
    // The hard delete of visit 3 is found by comparing key lists every few polls.
    expect(target(targetFile, 'SELECT visit_id FROM visit ORDER BY 1')).toEqual([{ visit_id: 1 }, { visit_id: 2 }, { visit_id: 4 }]);

    const [status] = await syncStatus(targetUrl, syncId);
    expect(status).toMatchObject({ state: 'streaming', method: 'watermark', streaming: true });
    const record = await cutover({ contract: loaded, syncId, sourceUrl: `sqlite:${sourceFile}`, targetUrl, quietSeconds: 0.5, drainIdleMs: 600, heartbeatMs: 200 });
    await done;
    expect(record.reconciliation.tables.filter((t) => t.missing + t.extra + t.different > 0)).toEqual([]);
    expect(record.matched).toBe(true);
    expect((await syncStatus(targetUrl, syncId))[0].state).toBe('cut_over');
  }, 120_000);
});
