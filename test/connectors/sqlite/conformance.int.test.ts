import Database from 'better-sqlite3';
import { SqliteSource } from '../../../src/connectors/sqlite/source.js';
import { SqliteTarget } from '../../../src/connectors/sqlite/target.js';
import type { Value } from '../../../src/connectors/connector.js';
import { describeSourceConformance, describeTargetConformance } from '../conformance.js';
import { tempDb, writeLegacyDb } from './helpers.js';

describeTargetConformance('sqlite', async () => {
  const { file, cleanup } = await tempDb('sqlite-target');
  const target = await SqliteTarget.open(`sqlite:${file}`, { file, busyTimeout: 5000 });
  const readBack = async (table: string, orderBy: string[]) => {
    const db = new Database(file, { readonly: true });
    try {
      const order = orderBy.length ? ` ORDER BY ${orderBy.map((c) => `"${c}"`).join(', ')}` : '';
      return db.prepare(`SELECT * FROM "${table}"${order}`).raw(true).all() as Value[][];
    } finally {
      db.close();
    }
  };
  return { target, readBack, cleanup };
});

describeSourceConformance('sqlite', async (fixtures) => {
  const { file, cleanup } = await tempDb('sqlite-source');
  writeLegacyDb(file, fixtures);
  return { source: new SqliteSource(`sqlite:${file}`, { file, busyTimeout: 5000 }), cleanup };
});
