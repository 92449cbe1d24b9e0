/**
 * A legacy PAS that keeps changing: a steady stream of small transactions against `ferry synth`
 * tables in PostgreSQL (new patients with an address in one transaction, surname and address
 * updates, address deletions), as wards and clinics would make them while a sync runs. Used by
 * the sync tests and the sync benchmark. Values are synthetic (NHS numbers copied from synthetic
 * rows, surnames from a fixed list).
 */
import pg from 'pg';

const SURNAMES = ['SMITH', 'JONES', 'TAYLOR', 'BROWN', 'WILLIAMS', 'WILSON', 'JOHNSON', 'DAVIES', 'ROBINSON', 'WRIGHT'];
const STREETS = ['1 High Street', '2 Station Road', '3 Church Lane', '4 Mill Road', '5 Park Avenue'];

export interface Churn {
  /** Stops after the transaction in flight; resolves with how many transactions committed. */
  stop(): Promise<{ transactions: number; changes: number }>;
  /** Transactions committed so far. */
  readonly committed: number;
}

export interface ChurnOptions {
  /** Transactions per second to aim for (default 50). */
  tps?: number;
  seed?: number;
  /**
   * How far above the tables' greatest keys this churn's new rows start (default 1,000,000).
   * Churns running at once need offsets far enough apart, or their new rows collide on a key.
   */
  keyOffset?: number;
  /** Columns of PAT_MAST and PAT_ADDR in table order (from the contract's pinned schema). */
  columns: { PAT_MAST: string[]; PAT_ADDR: string[] };
}

/** A small seeded generator, so a churn is repeatable. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/**
 * The synthetic NHS number (999 prefix) of key `n`: 999, the key's last six digits, and the
 * modulus-11 check digit; undefined for the one key in eleven whose check digit would be 10. Keys
 * that differ below a million never share a number, whichever client made them.
 */
export function syntheticNhsNumber(n: number): string | undefined {
  const body = `999${String(n % 1_000_000).padStart(6, '0')}`;
  const sum = [...body].reduce((acc, d, at) => acc + Number(d) * (10 - at), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return `${body}${check === 11 ? 0 : check}`;
}

/** `n` in letters (A, B, …, Z, BA, …): names compare by their letters, so a numeric suffix would not keep two people apart. */
function letters(n: number): string {
  let out = '';
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return out;
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Starts changing the PAS at `url` until stopped. */
export async function startChurn(url: string, o: ChurnOptions): Promise<Churn> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const random = rng(o.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const ids = async (table: string, key: string): Promise<number[]> => (await client.query(`SELECT ${q(key)} AS id FROM ${q(table)}`)).rows.map((r: { id: string | number }) => Number(r.id));
  const patients = await ids('PAT_MAST', 'PAT_ID');
  const addresses = await ids('PAT_ADDR', 'ADDR_ID');
  const nhsTaken = new Set((await client.query(`SELECT ${q('PAT_NHSNO')} AS n FROM ${q('PAT_MAST')} WHERE ${q('PAT_NHSNO')} IS NOT NULL`)).rows.map((r: { n: string }) => r.n));
  const offset = o.keyOffset ?? 1_000_000;
  let nextPatient = Math.max(0, ...patients) + offset;
  let nextAddress = Math.max(0, ...addresses) + offset;
  const pm = o.columns.PAT_MAST;
  const pa = o.columns.PAT_ADDR;
  /** The next new patient's key and NHS number: its own (syntheticNhsNumber) and not in the PAS already, so new people never count as duplicate patients. */
  const newPatient = (): { id: number; nhs: string } => {
    for (;;) {
      const id = nextPatient++;
      const nhs = syntheticNhsNumber(id);
      if (nhs !== undefined && !nhsTaken.has(nhs)) {
        nhsTaken.add(nhs);
        return { id, nhs };
      }
    }
  };
  const copyPatient = `INSERT INTO ${q('PAT_MAST')} (${pm.map(q).join(', ')}) SELECT $1, ${pm.slice(1).map(q).join(', ')} FROM ${q('PAT_MAST')} WHERE ${q('PAT_ID')} = $2`;
  const copyAddress = `INSERT INTO ${q('PAT_ADDR')} (${pa.map(q).join(', ')}) SELECT $1, $2, ${pa.slice(2).map(q).join(', ')} FROM ${q('PAT_ADDR')} WHERE ${q('ADDR_ID')} = $3`;

  let stopping = false;
  let committed = 0;
  let changes = 0;
  const interval = 1000 / (o.tps ?? 50);
  const one = async (): Promise<void> => {
    const r = random();
    await client.query('BEGIN');
    try {
      if (r < 0.4) {
        // Each patient's surname stays their own: two people must not become one registration twice over.
        const id = pick(patients);
        await client.query(`UPDATE ${q('PAT_MAST')} SET ${q('PAT_SURNAME')} = $1 WHERE ${q('PAT_ID')} = $2`, [`${pick(SURNAMES)}${letters(id)}`, id]);
        changes += 1;
      } else if (r < 0.6 && addresses.length > 0) {
        const { id, nhs } = newPatient();
        await client.query(copyPatient, [id, pick(patients)]);
        // A new person, not a second registration of the one copied: their own NHS number, case-note number and surname.
        await client.query(`UPDATE ${q('PAT_MAST')} SET ${q('PAT_NHSNO')} = $1, ${q('PAT_HOSPNO')} = $2, ${q('PAT_SURNAME')} = $3 WHERE ${q('PAT_ID')} = $4`, [
          nhs,
          `N${id}`,
          `${pick(SURNAMES)}${letters(id)}`,
          id,
        ]);
        const addr = nextAddress++;
        await client.query(copyAddress, [addr, id, pick(addresses)]);
        patients.push(id);
        addresses.push(addr);
        changes += 2;
      } else if (r < 0.85 && addresses.length > 0) {
        await client.query(`UPDATE ${q('PAT_ADDR')} SET ${q('ADDR_LINE1')} = $1 WHERE ${q('ADDR_ID')} = $2`, [pick(STREETS), pick(addresses)]);
        changes += 1;
      } else if (addresses.length > 1) {
        const at = Math.floor(random() * addresses.length);
        const [addr] = addresses.splice(at, 1);
        await client.query(`DELETE FROM ${q('PAT_ADDR')} WHERE ${q('ADDR_ID')} = $1`, [addr]);
        changes += 1;
      }
      await client.query('COMMIT');
      committed++;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  };
  const loop = (async () => {
    const started = performance.now();
    let n = 0;
    while (!stopping) {
      await one();
      n++;
      const due = started + n * interval - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
  })();
  return {
    get committed() {
      return committed;
    },
    async stop() {
      stopping = true;
      try {
        await loop;
      } finally {
        await client.end();
      }
      return { transactions: committed, changes };
    },
  };
}
