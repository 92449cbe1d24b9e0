import { afterAll, beforeAll } from 'vitest';
import { identList, qualified } from '../../../src/connectors/postgres/quote.js';
import { describeSourceConformance, describeTargetConformance } from '../conformance.js';
import { pgTestDb, type PgTestDb } from './harness.js';

let db: PgTestDb;
beforeAll(async () => {
  db = await pgTestDb();
});
afterAll(async () => {
  await db.drop();
});

describeTargetConformance('postgres', async () => {
  const schema = db.schemaName();
  const target = await db.target(schema);
  return {
    target,
    readBack: (table, orderBy) => db.rows(schema, table, orderBy),
    cleanup: async () => void (await db.admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
  };
});

describeSourceConformance('postgres', async (fixtures) => {
  const schema = db.schemaName();
  const target = await db.target(schema);
  const defs = fixtures.map((f) => f.def);
  await target.ensureSchema(defs, { create: true });
  // The target deliberately creates no foreign keys; a source must still report the ones a legacy schema has.
  for (const def of defs) {
    for (const fk of def.foreignKeys) {
      await db.admin.query(
        `ALTER TABLE ${qualified(schema, def.name)} ADD FOREIGN KEY (${identList(fk.columns)}) REFERENCES ${qualified(schema, fk.references.table)} (${identList(fk.references.columns)})`,
      );
    }
  }
  await target.beginRun({ runId: 'fixtures', contractDigest: 'x', startedAt: new Date().toISOString(), status: 'running' });
  for (const f of fixtures) {
    await target.commit({
      runId: 'fixtures',
      table: f.def,
      mode: 'append',
      rows: f.rows,
      quarantine: [],
      checkpoint: { runId: 'fixtures', table: f.def.name, offset: f.rows.length, loaded: f.rows.length, quarantined: 0, excluded: 0, done: true },
    });
  }
  await target.close();
  const source = await db.source(schema);
  return { source, cleanup: async () => void (await db.admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)) };
});
