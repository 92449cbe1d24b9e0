/**
 * Exclusive claims on a name, held in the queue database for as long as one connection lives.
 * pg-boss 10 has no worker heartbeat: a job whose lease ran out is handed to another worker
 * while the first may still be finishing a write. A claim fences the two: the second attempt
 * cannot start until the first has let go, and a worker that died lets go when PostgreSQL
 * notices its connection is gone.
 */
import type pg from 'pg';
import { pgConfig } from '../connectors/postgres/config.js';
import { connectClient } from '../connectors/postgres/session.js';
import { parseConnectorUrl } from '../connectors/url.js';
import { FerryError } from '../errors.js';

/** A held claim; `release` lets go (idempotent). */
export interface Claim {
  release(): Promise<void>;
}

/** Claims `name` in the queue database at `url`, or returns undefined when someone else holds it. */
export async function tryClaim(url: string, name: string, env: NodeJS.ProcessEnv = process.env): Promise<Claim | undefined> {
  const cfg = pgConfig(parseConnectorUrl(url, env));
  const client: pg.Client = await connectClient(cfg);
  try {
    // One 64-bit key per name; a hash collision only makes two names wait for each other.
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held', [name]);
    if (!rows[0]?.held) {
      await client.end();
      return undefined;
    }
  } catch (err) {
    await client.end().catch(() => {});
    throw new FerryError('connection', 'queue.claim_failed', `could not claim ${name} in the queue database ${cfg.where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      // Closing the session drops every advisory lock it held.
      await client.end().catch(() => {});
    },
  };
}
