/**
 * Opening PostgreSQL connections with the session settings Ferry's value formats rely on.
 */
import pg from 'pg';
import { connectionError, keepFirstError } from './errors.js';
import type { PgConfig } from './config.js';

// Sent as startup parameters (no extra round trip): UTC so timestamptz text is unambiguous,
// ISO dates so they read as YYYY-MM-DD, hex bytea so binary decodes in one step, and enough
// float digits that a float8 survives the trip as text unchanged.
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c bytea_output=hex -c extra_float_digits=3';

/** Driver configuration with Ferry's session settings applied. */
export function sessionConfig(cfg: PgConfig): pg.ClientConfig {
  return { ...cfg.client, options: SESSION_OPTIONS };
}

/** Opens one connection, turning a failure into an actionable connection error. */
export async function connectClient(cfg: PgConfig): Promise<pg.Client> {
  const client = new pg.Client(sessionConfig(cfg));
  // A dropped idle connection emits 'error': kept as the cause the next query's failure reports.
  keepFirstError(client);
  try {
    await client.connect();
  } catch (err) {
    client.end().catch(() => {});
    throw connectionError(cfg.where, cfg.client.user, err);
  }
  return client;
}
