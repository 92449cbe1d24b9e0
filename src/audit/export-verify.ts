/**
 * `ferry audit verify --export DIR`: what a regulator runs on an export, offline, with no
 * access to the store. Checks every file against the manifest (hash on disk, AES-256-GCM
 * authentication, hash of the plaintext), the chain inside the slice, that the CSV says the
 * same as the JSONL, and that the counts add up.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { FerryError } from '../errors.js';
import { eventHash, HASH_RECIPE, type AuditRecord } from './chain.js';
import { CSV_COLUMNS, MANIFEST_FILE, manifestSchema, parseCsvRow, parseRecordLine, type ExportFileRole, type ExportManifest } from './export-format.js';
import { keyFingerprint } from './key.js';
import { decryptFile } from './sink.js';
import { verifyEvents, type VerifiableEvent, type VerifyResult } from './verify.js';
import { checkAnchorValue } from './anchor-check.js';

export interface ExportProblem {
  /** The event concerned, when there is one. */
  seq: number | null;
  file: string | null;
  code: string;
  message: string;
}

export interface ExportVerifyResult {
  ok: boolean;
  dir: string;
  events: number;
  first: ExportManifest['first'];
  head: ExportManifest['head'];
  encrypted: boolean;
  /** The chain walk over the slice, or null when the files could not be read. */
  chain: VerifyResult | null;
  firstBad: number | null;
  problems: ExportProblem[];
  /** Weaknesses that are not failures, e.g. an unsigned anchor. */
  warnings: string[];
}

/** Verifies the export in `dir`; `key` is required when the export is encrypted. */
export async function verifyExport(dir: string, key: Buffer | undefined): Promise<ExportVerifyResult> {
  const problems: ExportProblem[] = [];
  const warnings: string[] = [];
  const fail = (code: string, message: string, file: string | null = null, seq: number | null = null) => problems.push({ seq, file, code, message });
  const manifest = await readManifest(dir);
  const result = (chain: VerifyResult | null): ExportVerifyResult => {
    const seqs = problems.map((p) => p.seq).filter((s): s is number => s !== null);
    return {
      ok: problems.length === 0,
      dir,
      events: manifest.events,
      first: manifest.first,
      head: manifest.head,
      encrypted: manifest.encryption !== null,
      chain,
      firstBad: seqs.length > 0 ? Math.min(...seqs) : null,
      problems,
      warnings,
    };
  };
  if (manifest.hashRecipe !== HASH_RECIPE) fail('audit.unknown_recipe', `the manifest names hash recipe ${manifest.hashRecipe}; this Ferry verifies ${HASH_RECIPE}`, MANIFEST_FILE);
  if (manifest.encryption) {
    if (!key) throw new FerryError('usage', 'audit.no_key', 'this export is encrypted: set FERRY_AUDIT_KEY to the key it was written with (32 bytes, hex or base64)');
    if (keyFingerprint(key) !== manifest.encryption.keyFingerprint) {
      fail('audit.wrong_key', `FERRY_AUDIT_KEY is not the key this export was written with (fingerprint ${manifest.encryption.keyFingerprint} expected)`, MANIFEST_FILE);
      return result(null);
    }
  }

  const plain = new Map<ExportFileRole, string>();
  const roles: ExportFileRole[] = manifest.contiguous || manifest.scope === 'tenant' ? ['events.jsonl', 'events.csv'] : ['events.jsonl', 'events.csv', 'chain.jsonl'];
  for (const role of roles) {
    const entry = manifest.files.find((f) => f.role === role);
    if (!entry) {
      fail('audit.file_missing', `the manifest lists no ${role} file`, MANIFEST_FILE);
      continue;
    }
    let body: Buffer;
    try {
      body = await readFile(path.join(dir, entry.name));
    } catch {
      fail('audit.file_missing', `${entry.name} is listed in the manifest but cannot be read`, entry.name);
      continue;
    }
    if (sha256(body) !== entry.sha256) {
      fail('audit.file_hash_mismatch', `${entry.name}: SHA-256 differs from the manifest: the file was altered or replaced`, entry.name);
      continue;
    }
    try {
      const text = manifest.encryption && key ? decryptFile(body, key, entry.name) : body;
      if (sha256(text) !== entry.plaintextSha256) {
        fail('audit.file_hash_mismatch', `${entry.name}: the plaintext's SHA-256 differs from the manifest`, entry.name);
        continue;
      }
      plain.set(role, text.toString('utf8'));
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      fail(err.code, err.message, entry.name);
    }
  }
  const jsonl = plain.get('events.jsonl');
  if (jsonl === undefined) return result(null);

  const records = parseJsonl(jsonl, (line) => fail('audit.bad_line', `events.jsonl line ${line} is not an audit event record`, 'events.jsonl'));
  const chainText = plain.get('chain.jsonl');
  const chain =
    manifest.scope === 'tenant'
      ? await verifyTenantSlice(records, manifest, fail)
      : manifest.contiguous
        ? await verifySlice(records, manifest)
        : await verifyProjectSlice(records, manifest, chainText, fail);
  for (const p of chain?.problems ?? []) fail(p.code, p.message, 'events.jsonl', p.seq);
  if (manifest.anchor) {
    const check = await checkExportAnchor(manifest, key, records, chainText);
    for (const p of check.problems) fail(p.code, p.message, MANIFEST_FILE, p.seq);
    warnings.push(...check.warnings);
  }

  if (records.length !== manifest.events) fail('audit.count_mismatch', `events.jsonl holds ${records.length} event(s); the manifest says ${manifest.events}`, 'events.jsonl');
  const byType: Record<string, number> = {};
  for (const r of records) byType[r.type] = (byType[r.type] ?? 0) + 1;
  if (JSON.stringify(sorted(byType)) !== JSON.stringify(sorted(manifest.byType))) fail('audit.count_mismatch', 'the per-type counts in the manifest do not match events.jsonl', MANIFEST_FILE);
  const csv = plain.get('events.csv');
  if (csv !== undefined) compareCsv(csv, records, fail);
  return result(chain);
}

async function readManifest(dir: string): Promise<ExportManifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new FerryError('not_found', 'audit.no_manifest', `${path.join(dir, MANIFEST_FILE)} not found; point --export at the directory ferry audit export wrote`);
  }
  let parsed: ExportManifest;
  try {
    parsed = manifestSchema.parse(JSON.parse(text));
  } catch (err) {
    const detail = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : 'not JSON';
    throw new FerryError('conflict', 'audit.bad_manifest', `${MANIFEST_FILE} is not a Ferry audit export manifest (${detail}); the export is incomplete or was altered`);
  }
  return parsed;
}

function parseJsonl(text: string, bad: (line: number) => void): AuditRecord[] {
  const out: AuditRecord[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const r = parseRecordLine(line);
    if (r) out.push(r);
    else bad(i + 1);
  });
  return out;
}

function verifySlice(records: AuditRecord[], m: ExportManifest): Promise<VerifyResult> {
  return verifyEvents(records, { start: m.first ?? undefined, expectHead: m.head ?? undefined });
}

/**
 * Tenant export: the org's own events, each checked against its own hash, in ascending seq.
 * Links cannot be walked: the events between them belong to other orgs and are not exported.
 */
async function verifyTenantSlice(records: AuditRecord[], m: ExportManifest, fail: (code: string, message: string, file?: string | null, seq?: number | null) => void): Promise<VerifyResult> {
  const started = performance.now();
  const problems: VerifyResult['problems'] = [];
  let prev = 0;
  for (const r of records) {
    if (r.seq <= prev) problems.push({ seq: r.seq, code: 'audit.out_of_order', message: `event ${r.seq} appears after event ${prev}: events are duplicated or out of order` });
    if (eventHash(r) !== r.hash) problems.push({ seq: r.seq, code: 'audit.hash_mismatch', message: `event ${r.seq}: its content no longer matches its hash: it was edited` });
    if (m.range.project !== null && r.projectId !== m.range.project)
      fail('audit.foreign_event', `event ${r.seq} belongs to another project than the export's (${m.range.project})`, 'events.jsonl', r.seq);
    prev = Math.max(prev, r.seq);
  }
  const firstRec = records[0];
  const lastRec = records[records.length - 1];
  if ((m.first?.seq ?? null) !== (firstRec?.seq ?? null) || (m.head?.seq ?? null) !== (lastRec?.seq ?? null) || (lastRec && m.head?.hash !== lastRec.hash)) {
    problems.push({ seq: lastRec?.seq ?? 0, code: 'audit.head_mismatch', message: 'the first and last events in events.jsonl are not the ones the manifest names: events were added or removed' });
  }
  return {
    ok: problems.length === 0,
    checked: records.length,
    last: lastRec ? { seq: lastRec.seq, hash: lastRec.hash } : null,
    firstBad: problems.length > 0 ? Math.min(...problems.map((p) => p.seq)) : null,
    problems,
    problemCount: problems.length,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/**
 * The anchor in an operator's export: its signature (when FERRY_AUDIT_KEY is given), that it
 * is not beyond the store head the export recorded (the store had lost its tail), and, where
 * the anchored event is the store head or inside the slice, that its hash is the anchored one.
 */
function checkExportAnchor(m: ExportManifest, key: Buffer | undefined, records: AuditRecord[], chainText: string | undefined) {
  const anchor = m.anchor!;
  const known = new Map<number, string>(records.map((r) => [r.seq, r.hash]));
  for (const line of chainText?.split('\n') ?? []) {
    const l = safeJson(line) as { seq?: unknown; hash?: unknown } | undefined;
    if (l && typeof l.seq === 'number' && typeof l.hash === 'string') known.set(l.seq, l.hash);
  }
  if (m.storeHead) known.set(m.storeHead.seq, m.storeHead.hash);
  // An anchored event outside what the export holds cannot be compared: take it as given.
  const hashAt = async (seq: number) => known.get(seq) ?? anchor.hash;
  return checkAnchorValue(anchor, { storeId: anchor.storeId, key, lastSeq: m.storeHead?.seq ?? anchor.seq, hashAt, unsignedWithKey: 'warning' });
}

/** Project export: walk every link in chain.jsonl, fully checking the events this project owns. */
async function verifyProjectSlice(
  records: AuditRecord[],
  m: ExportManifest,
  chainText: string | undefined,
  fail: (code: string, message: string, file?: string | null, seq?: number | null) => void,
): Promise<VerifyResult | null> {
  if (chainText === undefined) return null;
  const links = new Map<number, { seq: number; prevHash: string; hash: string; linkOnly: true }>();
  const linkSchema = z.strictObject({ seq: z.number().int().positive(), prev_hash: z.string(), hash: z.string() });
  chainText
    .split('\n')
    .filter((l) => l !== '')
    .forEach((line, i) => {
      const p = linkSchema.safeParse(safeJson(line));
      if (p.success) links.set(p.data.seq, { seq: p.data.seq, prevHash: p.data.prev_hash, hash: p.data.hash, linkOnly: true });
      else fail('audit.bad_line', `chain.jsonl line ${i + 1} is not a chain link`, 'chain.jsonl');
    });
  const events: VerifiableEvent[] = [];
  const own = new Map(records.map((r) => [r.seq, r]));
  for (const r of records) {
    const l = links.get(r.seq);
    if (r.projectId !== m.range.project) fail('audit.foreign_event', `event ${r.seq} belongs to another project than the export's (${m.range.project})`, 'events.jsonl', r.seq);
    if (!l || l.hash !== r.hash || l.prevHash !== r.prevHash) fail('audit.broken_link', `event ${r.seq} does not match its entry in chain.jsonl`, 'chain.jsonl', r.seq);
  }
  for (const l of [...links.values()].sort((a, b) => a.seq - b.seq)) events.push(own.get(l.seq) ?? l);
  return verifyEvents(events, { start: m.first ?? undefined, expectHead: m.head ?? undefined });
}

function compareCsv(text: string, records: AuditRecord[], fail: (code: string, message: string, file?: string | null, seq?: number | null) => void): void {
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true }) as string[][];
  } catch {
    fail('audit.csv_mismatch', 'events.csv is not valid CSV', 'events.csv');
    return;
  }
  const [header, ...body] = rows;
  if (!header || header.join(',') !== CSV_COLUMNS.join(',')) fail('audit.csv_mismatch', `events.csv header must be ${CSV_COLUMNS.join(',')}`, 'events.csv');
  if (body.length !== records.length) fail('audit.csv_mismatch', `events.csv holds ${body.length} event(s); events.jsonl holds ${records.length}`, 'events.csv');
  body.forEach((cells, i) => {
    const r = parseCsvRow(cells);
    const j = records[i];
    if (!r || eventHash(r) !== r.hash) fail('audit.csv_mismatch', `events.csv row ${i + 1}: its content does not match its hash`, 'events.csv', r?.seq ?? null);
    else if (!j || j.seq !== r.seq || j.hash !== r.hash)
      fail('audit.csv_mismatch', `events.csv row ${i + 1} (event ${r.seq}) is not the same event as events.jsonl line ${i + 1}`, 'events.csv', r.seq);
  });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function sorted(o: Record<string, number>): Array<[string, number]> {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
