/**
 * One measured step of the backup benchmark, in its own process so its peak memory is its own.
 * Prints {elapsedMs, maxRssMb, …} as JSON. Modes:
 *   raw-out URL FILE          COPY bench_patient TO STDOUT into FILE (the physical floor of a dump)
 *   raw-in URL FILE           COPY FILE into a new table raw_patient (the floor of a restore)
 *   take URL DIR KEY          a Ferry backup of bench_patient
 *   verify DIR KEY ID         a full verification
 *   restore DIR KEY ID URL    a restore into URL (the table is recreated)
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { restoreBackup } from '../../src/backup/restore.js';
import { takeBackup } from '../../src/backup/take.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { peakRssMb } from '../lib.js';

const [mode, ...args] = process.argv.slice(2);
const store = (dir: string, key: string) => ({ dir, key: Buffer.from(key, 'hex'), retention: {} });
const t0 = performance.now();
let extra: Record<string, unknown> = {};
if (mode === 'raw-out' || mode === 'raw-in') {
  const [url, file] = args;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  if (mode === 'raw-out') await pipeline(c.query(copyTo('COPY bench_patient TO STDOUT')), createWriteStream(file));
  else {
    await c.query('BEGIN');
    await c.query(
      `CREATE TABLE raw_patient (id bigint PRIMARY KEY, nhs_no text, surname text, forename text, dob text, sex text, postcode text, gp_code text, ethnic text, reg_date text, notes text)`,
    );
    await pipeline(createReadStream(file), c.query(copyFrom('COPY raw_patient FROM STDIN')));
    await c.query('COMMIT');
  }
  await c.end();
} else if (mode === 'take') {
  const [url, dir, key] = args;
  const m = await takeBackup({ store: store(dir, key), targetUrl: url, tables: ['bench_patient'] });
  extra = { id: m.id, rows: m.tables[0].rows, plainBytes: m.tables[0].bytes, bytes: m.data.bytes };
} else if (mode === 'verify') {
  const [dir, key, id] = args;
  await verifyBackup(store(dir, key), id);
} else if (mode === 'restore') {
  const [dir, key, id, url] = args;
  const r = await restoreBackup({ store: store(dir, key), backupId: id, targetUrl: url, execute: true });
  extra = { rows: r.tables[0].rows };
} else {
  throw new Error(`unknown mode ${mode}`);
}
const elapsedMs = performance.now() - t0;
console.log(JSON.stringify({ elapsedMs, maxRssMb: peakRssMb(), ...extra }));
