/** Seeds the benchmark source: N rows of an 11-column patient-like table, streamed via COPY. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { nhsNumberCheckDigit } from '../../src/rules/nhs-number.js';

const SURNAMES = ['SMITH', 'JONES', 'TAYLOR', 'BROWN', 'WILLIAMS', 'WILSON', 'JOHNSON', 'DAVIES', 'PATEL', 'WRIGHT'];
const FORENAMES = ['oliver', 'amelia', 'george', 'isla', 'harry', 'ava', 'noah', 'mia', 'leo', 'grace'];
const SEX = ['M', 'F', 'U', 'I'];
const ETHNIC = ['A', 'B', 'C', 'H', 'J', 'M', 'Z'];

function* rows(n: number): Generator<string> {
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    let stem = 999_000_000 + (i % 1_000_000);
    let check = nhsNumberCheckDigit(String(stem));
    while (check === null) check = nhsNumberCheckDigit(String(++stem));
    const dd = String((i % 28) + 1).padStart(2, '0');
    const mm = String((i % 12) + 1).padStart(2, '0');
    const yyyy = 1920 + (i % 100);
    chunk += `${i}\t ${stem}${check} \t${SURNAMES[i % 10]}\t${FORENAMES[i % 10]}  \t${i % 997 === 0 ? '01/01/1900' : `${dd}/${mm}/${yyyy}`}\t${SEX[i % 4]}\tls${(i % 20) + 1} ${i % 9}ab\ta${String(81000 + (i % 900)).padStart(5, '0')}\t${ETHNIC[i % 7]}\t20${String(i % 24).padStart(2, '0')}${mm}${dd}\tPatient note ${i}: prefers morning appointments\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Creates and fills `bench_patient` in the database at `url`. */
export async function seedSource(url: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(
    `CREATE TABLE bench_patient (id bigint PRIMARY KEY, nhs_no text, surname text, forename text, dob text, sex text, postcode text, gp_code text, ethnic text, reg_date text, notes text)`,
  );
  await pipeline(Readable.from(rows(n)), c.query(copyFrom('COPY bench_patient FROM STDIN')));
  await c.query('VACUUM ANALYZE bench_patient');
  await c.end();
}
