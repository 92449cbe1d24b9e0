/**
 * Helpers of the fault suite: run the built CLI as a child process that can be killed, and
 * fingerprint a PostgreSQL target so two runs can be compared row for row.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const EXAMPLE_CONTRACT = path.join(ROOT, 'examples/legacy-pas/contract.yaml');

/** A running `ferry` child: its output so far and its exit. */
export interface FerryProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `node bin/ferry.js ARGS` in `cwd` (where its default control store goes). */
export function startFerry(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): FerryProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/ferry.js'), ...args], { cwd, env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `condition` every 10 ms until it holds (true) or the process exits first (false). */
export async function until(condition: () => boolean | Promise<boolean>, run: FerryProcess, timeoutMs = 120_000): Promise<boolean> {
  let exited = false;
  void run.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    if (exited) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for the run:\n${run.stderr()}`);
}

/** How many tables a run's progress output reports done. */
export const doneTables = (stderr: string): number => (stderr.match(/: done — /g) ?? []).length;

/** Runs `ferry ARGS` to its end. */
export async function runFerry(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startFerry(args, cwd, env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Runs `sql` on a fresh connection to `url`. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** The one run the target's ledger knows (id and status), or undefined when none was recorded yet. */
export async function recordedRun(url: string): Promise<{ id: string; status: string } | undefined> {
  const rows = await query<{ id: string; status: string }>(url, 'SELECT run_id AS id, status FROM _ferry_runs ORDER BY started_at').catch(() => []);
  if (rows.length > 1) throw new Error(`expected at most one run in the target, found ${rows.length}`);
  return rows[0];
}

/**
 * Per-table row counts and checksums of everything a run leaves in the target: the migrated
 * tables (every column, in a fixed order), the quarantine and the lineage, without what differs
 * from run to run by design (run ids and numbers, serial ids).
 */
export async function targetFingerprint(url: string): Promise<Record<string, { rows: number; distinct: number; md5: string }>> {
  const tables = await query<{ name: string }>(url, `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\\_ferry%' ORDER BY 1`);
  const sources: Record<string, string> = {
    _ferry_quarantine: 'SELECT source_table, source_key, target_table, rule, reason_code, message FROM _ferry_quarantine',
    _ferry_lineage_all: 'SELECT source_table, source_key, target_table, outcome, target_key, reason_code FROM _ferry_lineage_all',
  };
  for (const t of tables) sources[t.name] = `SELECT * FROM "${t.name}"`;
  const out: Record<string, { rows: number; distinct: number; md5: string }> = {};
  for (const [name, select] of Object.entries(sources)) {
    const [r] = await query<{ rows: number; distinct: number; md5: string }>(
      url,
      `SELECT count(*)::int AS rows, count(DISTINCT t::text)::int AS distinct, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS md5 FROM (${select}) t`,
    );
    out[name] = r;
  }
  return out;
}
