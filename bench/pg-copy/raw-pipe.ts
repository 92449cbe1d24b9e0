/**
 * The physical limit: `COPY (SELECT …) TO STDOUT | COPY … FROM STDIN` between the same two
 * databases, no transformation. Prints {elapsedMs, maxRssMb} as JSON.
 */
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { peakRssMb } from '../lib.js';

const [sourceUrl, targetUrl] = process.argv.slice(2);
const src = new pg.Client({ connectionString: sourceUrl });
const dst = new pg.Client({ connectionString: targetUrl });
await src.connect();
await dst.connect();
await dst.query(`CREATE TABLE raw_patient (id bigint PRIMARY KEY, nhs_no text, surname text, forename text, dob text, sex text, postcode text, gp_code text, ethnic text, reg_date text, notes text)`);
const t0 = performance.now();
await dst.query('BEGIN');
await pipeline(src.query(copyTo('COPY (SELECT * FROM bench_patient ORDER BY id) TO STDOUT')), dst.query(copyFrom('COPY raw_patient FROM STDIN')));
await dst.query('COMMIT');
const elapsedMs = performance.now() - t0;
await src.end();
await dst.end();
console.log(JSON.stringify({ elapsedMs, maxRssMb: peakRssMb() }));
