/**
 * Benchmark: what a backup costs on the pg-copy bench table (BENCH_ROWS, default 1M rows, 11
 * columns). The backup alone against a raw `COPY … TO STDOUT` of the same table into a file,
 * its size, a full verification, a restore against a raw `COPY … FROM` of the same text, and a
 * whole `ferry run` process loading BENCH_ROWS more rows into a target already holding BENCH_ROWS
 * (a fresh clone each time), with the backup against `--no-backup`. Best of BENCH_REPEATS each.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dropPgDatabase, fmt, freshPgDatabase, PG_ADMIN, runChild } from '../lib.js';
import { seedSource } from '../pg-copy/seed.js';

interface Step {
  elapsedMs: number;
  maxRssMb: number;
  id?: string;
  rows?: number;
  plainBytes?: number;
  bytes?: number;
}

const DIR = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(DIR, '../..');
const CHILD = path.join(DIR, 'child.ts');

const best = <T extends { elapsedMs: number }>(xs: T[]): T => xs.reduce((a, b) => (b.elapsedMs < a.elapsedMs ? b : a));
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** Creates (replacing) database `name` as a copy of `template`; returns its URL. */
async function cloneDatabase(template: string, name: string): Promise<string> {
  await sql(PG_ADMIN, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await sql(PG_ADMIN, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
}

/** Times a whole `ferry` process. */
function ferry(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ elapsedMs: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/ferry.js'), ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve({ elapsedMs: performance.now() - t0, stderr }) : reject(new Error(`ferry ${args[0]} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

const OPERATIONS = path.join(ROOT, 'docs/operations.md');

/** Writes the run-cost sentence between its markers in docs/operations.md (the Backups section). */
async function writeRunCost(text: string): Promise<void> {
  const doc = await readFile(OPERATIONS, 'utf8');
  const start = '<!-- bench:backup-run-cost -->';
  const end = '<!-- /bench:backup-run-cost -->';
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/operations.md has no ${start} … ${end} markers`);
  await writeFile(OPERATIONS, `${doc.slice(0, i)}${start}\n${text}\n${doc.slice(j)}`);
}

/** Runs the benchmark, writes the run cost into docs/operations.md, and returns the docs/benchmarks.md section. */
export async function benchBackup(rows: number, repeats: number): Promise<string> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-backup-'));
  try {
    const src = await freshPgDatabase('ferry_bench_bk_src');
    console.log(`seeding ${fmt(rows)} rows…`);
    await seedSource(src, rows);
    const key = randomBytes(32).toString('hex');
    const store = path.join(work, 'backups');
    const copyText = path.join(work, 'copy.txt');
    const rawOut: Step[] = [];
    const takes: Step[] = [];
    for (let i = 0; i < repeats; i++) {
      await rm(copyText, { force: true });
      rawOut.push(await runChild<Step>(CHILD, ['raw-out', src, copyText]));
      takes.push(await runChild<Step>(CHILD, ['take', src, store, key]));
      console.log(`raw COPY TO: ${secs(rawOut.at(-1)!.elapsedMs)}; backup: ${secs(takes.at(-1)!.elapsedMs)}, ${mb(takes.at(-1)!.bytes!)}, peak RSS ${takes.at(-1)!.maxRssMb} MB`);
    }
    const take = best(takes);
    const textBytes = (await stat(copyText)).size;
    const verifies: Step[] = [];
    const rawIn: Step[] = [];
    const restores: Step[] = [];
    for (let i = 0; i < repeats; i++) {
      verifies.push(await runChild<Step>(CHILD, ['verify', store, key, take.id!]));
      const rawDb = await freshPgDatabase('ferry_bench_bk_raw');
      rawIn.push(await runChild<Step>(CHILD, ['raw-in', rawDb, copyText]));
      const dst = await freshPgDatabase('ferry_bench_bk_dst');
      restores.push(await runChild<Step>(CHILD, ['restore', store, key, take.id!, dst]));
      console.log(`verify: ${secs(verifies.at(-1)!.elapsedMs)}; raw COPY FROM: ${secs(rawIn.at(-1)!.elapsedMs)}; restore: ${secs(restores.at(-1)!.elapsedMs)}`);
    }

    // The case a backup exists for: a target already holding the rows (a clone of one loaded
    // target, fresh for every run) receives another run, here 1M more rows under new keys.
    await writeFile(path.join(work, 'contract.yaml'), await readFile(path.join(ROOT, 'bench/pg-copy/contract.yaml'), 'utf8'));
    await copyFile(path.join(ROOT, 'bench/pg-copy/sex.csv'), path.join(work, 'sex.csv'));
    const env = { FERRY_DATABASE_URL: `sqlite:${path.join(work, 'ferry.db')}`, FERRY_BACKUP_DIR: path.join(work, 'run-backups'), FERRY_BACKUP_KEY: key, FERRY_BACKUP_KEEP: '1' };
    const base = await freshPgDatabase('ferry_bench_bk_base');
    await ferry(['run', 'contract.yaml', '--source', src, '--target', base, '--json', '--no-backup', '--no-reconcile'], work, env);
    const src2 = await cloneDatabase('ferry_bench_bk_src', 'ferry_bench_bk_src2');
    await sql(src2, `UPDATE bench_patient SET id = id + ${rows}`);
    await sql(src2, 'VACUUM ANALYZE bench_patient');
    const withBackup: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < repeats; i++) {
      // Alternate the order so neither variant always runs on a warmer (or busier) machine.
      for (const variant of i % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
        const target = await cloneDatabase('ferry_bench_bk_base', 'ferry_bench_bk_run');
        // Without reconciliation: the target holds rows the source does not, which a reconciliation would hunt down one by one.
        const runArgs = ['run', 'contract.yaml', '--source', src2, '--target', target, '--json', '--no-reconcile'];
        const r = await ferry(variant === 'with' ? runArgs : [...runArgs, '--no-backup'], work, env);
        if (variant === 'with' && !/backup: bk-\S+ taken \(1 table\(s\), [1-9]/.test(r.stderr)) throw new Error(`the run took no backup of the loaded rows: ${r.stderr.slice(-500)}`);
        (variant === 'with' ? withBackup : without).push(r.elapsedMs);
        console.log(`ferry run ${variant} backup: ${secs(r.elapsedMs)}`);
      }
    }
    for (const n of ['ferry_bench_bk_src', 'ferry_bench_bk_src2', 'ferry_bench_bk_raw', 'ferry_bench_bk_dst', 'ferry_bench_bk_base', 'ferry_bench_bk_run']) await dropPgDatabase(n);

    const out = best(rawOut);
    const verify = best(verifies);
    const inn = best(rawIn);
    const restore = best(restores);
    const runWith = Math.min(...withBackup);
    const runWithout = Math.min(...without);
    const runCost = `A whole \`ferry run --no-reconcile\` process loading ${fmt(rows)} rows into a target that already holds ${fmt(rows)} took ${secs(runWith)} with the backup and ${secs(runWithout)} with \`--no-backup\` (**${(runWith / runWithout).toFixed(2)}×**, best of ${repeats} each); the backup itself took ${secs(take.elapsedMs)} (${(take.elapsedMs / out.elapsedMs).toFixed(2)}× a raw \`COPY … TO STDOUT\` into a file) and stored ${mb(take.bytes!)} for ${mb(textBytes)} of COPY text.`;
    const lines = [
      `Rows: ${fmt(rows)} (the pg-copy bench table, 11 columns), best of ${repeats} run(s) each. The backup is Ferry's whole path: a REPEATABLE READ snapshot, COPY text, SHA-256 per table, gzip level 1, AES-256-GCM, SHA-256 of data.enc, the signed manifest.`,
      '',
      '| step | wall time | ratio | peak RSS |',
      '| --- | ---: | ---: | ---: |',
      `| raw \`COPY bench_patient TO STDOUT\` into a file (${mb(textBytes)}) | ${secs(out.elapsedMs)} | 1.00× | ${out.maxRssMb} MB |`,
      `| \`takeBackup\` of the same table (${mb(take.bytes!)} stored, ${((take.bytes! / textBytes) * 100).toFixed(0)}% of the text) | ${secs(take.elapsedMs)} | **${(take.elapsedMs / out.elapsedMs).toFixed(2)}×** | ${take.maxRssMb} MB |`,
      `| \`verifyBackup\` (MAC, data.enc digest, decrypt, GCM tag, table checksum) | ${secs(verify.elapsedMs)} | ${(verify.elapsedMs / out.elapsedMs).toFixed(2)}× | ${verify.maxRssMb} MB |`,
      `| raw \`COPY … FROM\` of the COPY text into a new table | ${secs(inn.elapsedMs)} | 1.00× | ${inn.maxRssMb} MB |`,
      `| \`restoreBackup\` into an empty database (verify, then decrypt into COPY FROM, one transaction) | ${secs(restore.elapsedMs)} | **${(restore.elapsedMs / inn.elapsedMs).toFixed(2)}×** | ${restore.maxRssMb} MB |`,
      `| whole \`ferry run --no-reconcile\` process, \`--no-backup\` (${fmt(rows)} new rows into a target holding ${fmt(rows)}) | ${secs(runWithout)} | 1.00× | |`,
      `| whole \`ferry run --no-reconcile\` process with the backup | ${secs(runWith)} | **${(runWith / runWithout).toFixed(2)}×** | |`,
      '',
      `Every run: raw COPY TO ${rawOut.map((x) => secs(x.elapsedMs)).join(', ')}; backup ${takes.map((x) => secs(x.elapsedMs)).join(', ')}; verify ${verifies.map((x) => secs(x.elapsedMs)).join(', ')}; raw COPY FROM ${rawIn.map((x) => secs(x.elapsedMs)).join(', ')}; restore ${restores.map((x) => secs(x.elapsedMs)).join(', ')}; run with backup ${withBackup.map(secs).join(', ')}; without ${without.map(secs).join(', ')}.`,
    ];
    console.log(runCost);
    await writeRunCost(`_Measured ${new Date().toISOString().slice(0, 10)}, ${fmt(rows)} rows:_ ${runCost}`);
    return lines.join('\n');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
