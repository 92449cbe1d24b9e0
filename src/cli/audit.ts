/**
 * `ferry audit verify|export|list|show`: thin shells over src/audit.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT_CODES, FerryError } from '../errors.js';
import { ANCHOR_HELP, openConfiguredStore } from '../audit/open-store.js';
import type { Store } from '../store/db.js';
import { AuditLog, type AuditFilter } from '../audit/log.js';
import { localActor } from '../audit/actor.js';
import type { AuditRecord } from '../audit/chain.js';
import { exportAudit } from '../audit/export.js';
import { verifyExport, type ExportVerifyResult } from '../audit/export-verify.js';
import { auditKeyFromEnv, requireAuditKey } from '../audit/key.js';
import { formatVerify, verifyStore } from '../audit/verify.js';
import { isAuditEventType, AUDIT_EVENT_TYPES } from '../audit/events.js';
import { AUDIT_TIME_FORMS, parseAuditTime } from '../audit/time.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

const STORE_HELP = 'control store: sqlite:FILE or postgres://USER@HOST:PORT/DB (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)';

async function withLog<T>(io: CliIO, storeFlag: string | undefined, fn: (log: AuditLog, store: Store) => Promise<T>, anchorFile?: string): Promise<T> {
  const store = await openConfiguredStore({ flag: storeFlag, env: io.env, cwd: io.cwd, anchorFile });
  try {
    return await fn(new AuditLog(store), store);
  } finally {
    await store.close();
  }
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new FerryError('usage', 'cli.bad_number', `${name} must be a positive whole number`);
    return n;
  };
}

// Refused while parsing arguments, so garbage never reaches a query.
function timeFlag(name: string) {
  return (v: string): string => parseAuditTime(v, name);
}

interface VerifyFlags {
  store?: string;
  auditAnchor?: string;
  export?: string;
  json?: boolean;
}

async function verifyCommand(flags: VerifyFlags, io: CliIO): Promise<number> {
  if (flags.export) {
    const dir = path.resolve(io.cwd, flags.export);
    const r = await verifyExport(dir, auditKeyFromEnv(io.env));
    if (flags.json) printJson(io, r);
    else io.out(formatExportVerify(r));
    return r.ok ? 0 : EXIT_CODES.conflict;
  }
  return withLog(
    io,
    flags.store,
    async (log, store) => {
      const r = await verifyStore(log);
      if (flags.json) printJson(io, { store: store.display, ...r });
      else io.out(formatVerify(r, `audit chain in ${store.display}`));
      return r.ok ? 0 : EXIT_CODES.conflict;
    },
    flags.auditAnchor,
  );
}

function formatExportVerify(r: ExportVerifyResult): string {
  if (r.ok) {
    const span = r.first && r.head ? `events ${r.first.seq}–${r.head.seq}, head ${r.head.hash}` : 'empty range';
    return [
      `export ${r.dir}: OK — ${r.events} event(s)${r.encrypted ? ' (decrypted and authenticated)' : ''}, files match the manifest, chain intact (${span})`,
      ...r.warnings.map((w) => `  warning: ${w}`),
    ].join('\n');
  }
  const where = r.firstBad !== null ? ` at event ${r.firstBad}` : '';
  const lines = [`export ${r.dir}: BROKEN${where} — ${r.problems.length} problem(s)`];
  for (const p of r.problems) lines.push(`  ${p.seq ?? '-'}: ${p.code}: ${p.file ? `${p.file}: ` : ''}${p.message}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

interface ExportFlags {
  store?: string;
  auditAnchor?: string;
  from: string;
  to: string;
  project?: string;
  out: string;
  encrypt?: boolean;
  json?: boolean;
}

async function exportCommand(flags: ExportFlags, io: CliIO): Promise<number> {
  const key = flags.encrypt ? requireAuditKey(io.env, '--encrypt') : undefined;
  const outDir = path.resolve(io.cwd, flags.out);
  const manifest = await withLog(io, flags.store, (log) => exportAudit(log, { from: flags.from, to: flags.to, projectId: flags.project, outDir, key, actor: localActor(io.env) }), flags.auditAnchor);
  if (flags.json) printJson(io, manifest);
  else {
    const span = manifest.first && manifest.head ? `events ${manifest.first.seq}–${manifest.head.seq}` : 'no events in range';
    io.out(`exported ${manifest.events} event(s) (${span})${manifest.encryption ? ', AES-256-GCM encrypted' : ''} to ${outDir}`);
    for (const f of manifest.files) io.out(`  ${f.name}  ${f.bytes} bytes  sha256 ${f.sha256}`);
    io.out(`verify it with: ferry audit verify --export ${flags.out}`);
  }
  return 0;
}

interface ListFlags {
  store?: string;
  type?: string;
  actor?: string;
  run?: string;
  project?: string;
  from?: string;
  to?: string;
  limit: number;
  json?: boolean;
}

async function listCommand(flags: ListFlags, io: CliIO): Promise<number> {
  if (flags.type && !isAuditEventType(flags.type)) {
    throw new FerryError('usage', 'audit.unknown_type', `--type ${flags.type} is not an audit event type; known types: ${AUDIT_EVENT_TYPES.join(', ')}`);
  }
  const filter: AuditFilter = { type: flags.type, actor: flags.actor, runId: flags.run, projectId: flags.project, from: flags.from, to: flags.to, limit: flags.limit };
  const events = await withLog(io, flags.store, (log) => log.list(filter));
  if (flags.json) printJson(io, { events });
  else if (events.length === 0) io.out('no audit events match');
  else for (const e of events) io.out(summaryLine(e));
  return 0;
}

function summaryLine(e: AuditRecord): string {
  const p = e.payload as Record<string, unknown>;
  const subject = ['runId', 'contractDigest', 'userId', 'table'].map((k) => p[k]).find((v) => typeof v === 'string') as string | undefined;
  return `${String(e.seq).padStart(7)}  ${e.time}  ${e.type.padEnd(18)}  ${e.actor}${e.projectId ? `  project ${e.projectId}` : ''}${subject ? `  ${subject}` : ''}`;
}

async function showCommand(seqText: string, flags: { store?: string; json?: boolean }, io: CliIO): Promise<number> {
  const seq = positiveInt('SEQ')(seqText);
  const event = await withLog(io, flags.store, (log) => log.get(seq));
  if (!event) throw new FerryError('not_found', 'audit.no_event', `there is no audit event ${seq}; ferry audit list shows the latest ones`);
  if (flags.json) printJson(io, event);
  else {
    io.out(`event ${event.seq}  ${event.type}`);
    io.out(`  time      ${event.time}`);
    io.out(`  actor     ${event.actor}`);
    io.out(`  org       ${event.orgId ?? '-'}`);
    io.out(`  project   ${event.projectId ?? '-'}`);
    io.out(`  payload   ${JSON.stringify(event.payload)}`);
    io.out(`  prev_hash ${event.prevHash}`);
    io.out(`  hash      ${event.hash}`);
  }
  return 0;
}

export const register: Register = (program: Command, io, setExit) => {
  const audit = program.command('audit').description('the immutable, hash-chained audit trail: verify, export, list, show');

  audit
    .command('verify')
    .description(
      `recompute the hash chain and check it against the audit anchor; exit ${EXIT_CODES.conflict} naming the first bad event if anything was edited, deleted, inserted, reordered, or the tail cut`,
    )
    .option('--store <url>', STORE_HELP)
    .option('--export <dir>', 'verify an export directory offline instead of the store (key from $FERRY_AUDIT_KEY when encrypted)')
    .option('--audit-anchor <file>', ANCHOR_HELP)
    .option('--json', 'print the verification result as JSON')
    .action(async (flags: VerifyFlags) => setExit(await verifyCommand(flags, io)));

  audit
    .command('export')
    .description('write the events of a time range as JSONL and CSV plus a manifest with hashes and the chain head')
    .addOption(new Option('--from <time>', `start of the range, inclusive (${AUDIT_TIME_FORMS})`).argParser(timeFlag('--from')).makeOptionMandatory())
    .addOption(new Option('--to <time>', `end of the range, exclusive (${AUDIT_TIME_FORMS})`).argParser(timeFlag('--to')).makeOptionMandatory())
    .option('--project <id>', "only this project's events (chain.jsonl keeps the links to the others)")
    .requiredOption('--out <dir>', 'new or empty directory to write into')
    .option('--encrypt', 'AES-256-GCM encrypt every data file with the key in $FERRY_AUDIT_KEY')
    .option('--store <url>', STORE_HELP)
    .option('--audit-anchor <file>', ANCHOR_HELP)
    .option('--json', 'print the manifest as JSON')
    .action(async (flags: ExportFlags) => setExit(await exportCommand(flags, io)));

  audit
    .command('list')
    .description('list audit events, newest first')
    .option('--type <type>', 'only this event type, e.g. run:started')
    .option('--actor <actor>', 'only events by this actor')
    .option('--run <runId>', 'only events about this run')
    .option('--project <id>', 'only events of this project')
    .addOption(new Option('--from <time>', `from this time, inclusive (${AUDIT_TIME_FORMS})`).argParser(timeFlag('--from')))
    .addOption(new Option('--to <time>', `up to this time, exclusive (${AUDIT_TIME_FORMS})`).argParser(timeFlag('--to')))
    .addOption(new Option('--limit <n>', 'at most N events').argParser(positiveInt('--limit')).default(100))
    .option('--store <url>', STORE_HELP)
    .option('--json', 'print { events: [...] } as JSON')
    .action(async (flags: ListFlags) => setExit(await listCommand(flags, io)));

  audit
    .command('show')
    .description('one audit event in full')
    .argument('<seq>', 'sequence number')
    .option('--store <url>', STORE_HELP)
    .option('--json', 'print the event as JSON')
    .action(async (seq: string, flags: { store?: string; json?: boolean }) => setExit(await showCommand(seq, flags, io)));
};
