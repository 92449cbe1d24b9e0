/**
 * `ferry audit export`: the events of a time range as JSONL and CSV, with a manifest an
 * auditor can check offline. The slice is contiguous in seq (first..last event in range), so
 * its first prev_hash and its head pin it into the chain. A project export holds only that
 * project's events; `chain.jsonl` then carries the seq/prev_hash/hash of every event in the
 * range, so the links can still be checked without revealing other projects' payloads.
 * A tenant export (the HTTP API) holds only the caller's org's events and nothing about the
 * rest of the chain: no chain.jsonl, no store head, no anchor.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { canonicalJson } from '../contract/canonical.js';
import { FerryError } from '../errors.js';
import { HASH_RECIPE } from './chain.js';
import { CSV_COLUMNS, EXPORT_FORMAT, MANIFEST_FILE, csvRow, recordLine, type ExportFileRole, type ExportManifest } from './export-format.js';
import { keyFingerprint } from './key.js';
import { fromRow, normaliseTime, type AuditLog } from './log.js';
import { readAnchorFile } from './anchor.js';
import { IV_BYTES, TAG_BYTES, openSink, type Sink } from './sink.js';

export interface ExportOptions {
  from: string;
  to: string;
  projectId?: string;
  outDir: string;
  /** AES-256 key: encrypt every data file. */
  key?: Buffer;
  /** Who exported; recorded as an `audit:exported` event after the files are written. */
  actor: string;
  /** How the caller names the time bounds in messages (default `--from`/`--to`). */
  names?: { from: string; to: string };
  /** A tenant's export: only this org's events, and nothing about the rest of the chain. */
  tenantOrgId?: string;
}

/** Writes the export and records it in the audit trail; returns the manifest. */
export async function exportAudit(log: AuditLog, o: ExportOptions): Promise<ExportManifest> {
  const from = normaliseTime(o.from, o.names?.from ?? '--from');
  const to = normaliseTime(o.to, o.names?.to ?? '--to');
  if (from >= to) throw new FerryError('usage', 'audit.bad_range', `${o.names?.from ?? '--from'} (${from}) must be before ${o.names?.to ?? '--to'} (${to})`);
  await prepareDir(o.outDir);
  const tenant = o.tenantOrgId ?? null;
  // The anchor first: it trails the head, so read in this order it can never be ahead of it.
  const anchorRead = tenant === null && log.store.anchor ? await readAnchorFile(log.store.anchor.file) : null;
  const storeHead = tenant === null ? await log.head() : null;
  const range = await log.seqRange(from, to);
  const project = o.projectId ?? null;
  const suffix = o.key ? '.enc' : '';
  const sinks = new Map<ExportFileRole, Sink>();
  const roles: ExportFileRole[] = project && tenant === null ? ['events.jsonl', 'events.csv', 'chain.jsonl'] : ['events.jsonl', 'events.csv'];
  for (const role of roles) sinks.set(role, await openSink(path.join(o.outDir, role + suffix), o.key));
  const jsonl = sinks.get('events.jsonl')!;
  const csv = sinks.get('events.csv')!;
  const chain = sinks.get('chain.jsonl');
  await csv.write(stringify([[...CSV_COLUMNS]]));

  const byType: Record<string, number> = {};
  let events = 0;
  let first: ExportManifest['first'] = null;
  let head: ExportManifest['head'] = null;
  if (range) {
    let page: { jsonl: string[]; csv: string[][]; chain: string[] } = { jsonl: [], csv: [], chain: [] };
    const flush = async () => {
      await jsonl.write(page.jsonl.join(''));
      if (page.csv.length > 0) await csv.write(stringify(page.csv));
      await chain?.write(page.chain.join(''));
      page = { jsonl: [], csv: [], chain: [] };
    };
    for await (const row of log.scan(range)) {
      if (tenant !== null && (row.org_id !== tenant || (project && row.project_id !== project))) continue;
      const r = fromRow(row);
      first ??= { seq: r.seq, prevHash: r.prevHash };
      head = { seq: r.seq, hash: r.hash };
      if (chain) page.chain.push(`${canonicalJson({ seq: r.seq, prev_hash: r.prevHash, hash: r.hash })}\n`);
      if (project && r.projectId !== project) continue;
      events++;
      byType[r.type] = (byType[r.type] ?? 0) + 1;
      page.jsonl.push(recordLine(r));
      page.csv.push(csvRow(r));
      if (page.jsonl.length >= 5_000) await flush();
    }
    await flush();
  }
  const files: ExportManifest['files'] = [];
  for (const [role, sink] of sinks) files.push({ role, name: role + suffix, ...(await sink.close()) });

  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    hashRecipe: HASH_RECIPE,
    createdAt: new Date().toISOString(),
    range: { from, to, project },
    contiguous: project === null && tenant === null,
    ...(tenant === null ? {} : { scope: 'tenant' as const }),
    events,
    byType,
    first,
    head,
    storeHead,
    anchor: anchorRead?.state === 'present' ? anchorRead.anchor : null,
    encryption: o.key ? { algorithm: 'AES-256-GCM', layout: `iv(${IV_BYTES}) || ciphertext || tag(${TAG_BYTES})`, keyFingerprint: keyFingerprint(o.key) } : null,
    files,
  };
  await writeFile(path.join(o.outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
  await log.append({
    type: 'audit:exported',
    actor: o.actor,
    orgId: tenant,
    projectId: project,
    payload: { from, to, project, events, firstSeq: first?.seq ?? null, lastSeq: head?.seq ?? null, encrypted: Boolean(o.key) },
  });
  return manifest;
}

// An export is evidence: never mix it with, or overwrite, an earlier one.
async function prepareDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const existing = await readdir(dir);
  if (existing.length > 0) {
    throw new FerryError('conflict', 'audit.export_dir_not_empty', `${dir} is not empty; export into a new, empty directory so no earlier export is overwritten`);
  }
}
