import { describeSourceConformance, describeTargetConformance } from '../conformance.js';
import { mysqlTestDb } from './harness.js';

describeTargetConformance('mysql', async () => {
  const db = await mysqlTestDb();
  const target = await db.target();
  return { target, readBack: (table, orderBy) => db.rows(table, orderBy), cleanup: () => db.drop() };
});

describeSourceConformance('mysql', async (fixtures) => {
  const db = await mysqlTestDb();
  const target = await db.target();
  const defs = fixtures.map((f) => f.def);
  await target.ensureSchema(defs, { create: true });
  // The target deliberately creates no foreign keys; a source must still report the ones a legacy schema has.
  for (const def of defs) {
    for (const [i, fk] of def.foreignKeys.entries()) {
      const cols = (names: string[]) => names.map((c) => `\`${c}\``).join(', ');
      await db.admin.query(
        `ALTER TABLE \`${def.name}\` ADD CONSTRAINT \`fk_${def.name}_${i}\` FOREIGN KEY (${cols(fk.columns)}) REFERENCES \`${fk.references.table}\` (${cols(fk.references.columns)})`,
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
  const source = await db.source();
  return { source, cleanup: () => db.drop() };
});
