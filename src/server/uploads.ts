/**
 * Uploaded source files: a project's analyst sends CSV or JSON files as text and gets an
 * `upload:upl_…` source reference back. Each upload is one directory of one format under the
 * data directory (`uploads/<projectId>/<uploadId>/TABLE.csv` or `TABLE.ndjson`, beside an
 * `upload.json` that records who uploaded what and when), written under a temporary name and
 * renamed, so a reader never sees half an upload. File names become table identifiers, so no
 * name a client sends ever reaches the file system as a path. Uploads belong to their project:
 * any other project naming one gets the same 404 as an unknown id, and the attempt is
 * audit-logged.
 *
 * A tenant must not be able to fill the disk: each project has a quota (total bytes and number
 * of uploads), checked under a per-project lock so two uploads at once cannot both slip under
 * it, and uploads older than the retention age are removed by a sweep (upload-retention.ts).
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Actor } from '../control/plane.js';
import { newId } from '../control/secrets.js';
import { FerryError } from '../errors.js';
import type { ServerDeps } from './context.js';

/** Largest total of file contents in one upload (UTF-8 bytes). */
export const UPLOAD_MAX_BYTES = 25 * 1024 * 1024;
/** The request body may be somewhat larger than its contents: JSON escaping and file names. */
export const UPLOAD_BODY_LIMIT = UPLOAD_MAX_BYTES + 5 * 1024 * 1024;
export const UPLOAD_MAX_FILES = 200;
export const UPLOAD_ID = /^upl_[0-9a-f]{24}$/;
const META = 'upload.json';
const MIB = 1024 * 1024;

/** How much one project may keep uploaded. */
export interface UploadQuota {
  /** Total bytes of stored files. */
  bytes: number;
  /** Number of uploads. */
  uploads: number;
}

export const DEFAULT_UPLOAD_QUOTA: UploadQuota = { bytes: 500 * MIB, uploads: 50 };
export const DEFAULT_UPLOAD_RETENTION_DAYS = 30;

/** A server's upload policy: per-project quota and how long uploads are kept. */
export interface UploadPolicy {
  quota: UploadQuota;
  retentionDays: number;
}

export const DEFAULT_UPLOAD_POLICY: UploadPolicy = { quota: DEFAULT_UPLOAD_QUOTA, retentionDays: DEFAULT_UPLOAD_RETENTION_DAYS };

/** Checks an upload policy from the app config; a usage error names the bad setting. */
export function checkUploadPolicy(p: UploadPolicy): UploadPolicy {
  const positive = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 1) throw new FerryError('usage', 'upload.bad_policy', `${name} must be a whole number of at least 1, got ${v}`);
  };
  positive('uploadQuota.bytes', p.quota.bytes);
  positive('uploadQuota.uploads', p.quota.uploads);
  if (!Number.isFinite(p.retentionDays) || p.retentionDays <= 0) throw new FerryError('usage', 'upload.bad_policy', `uploadRetentionDays must be a positive number of days, got ${p.retentionDays}`);
  return p;
}

export type UploadFormat = 'csv' | 'ndjson';

const metaSchema = z.object({
  id: z.string().regex(UPLOAD_ID),
  format: z.enum(['csv', 'ndjson']),
  tables: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  /** The uploader's org, so the retention sweep can record expiry in the tenant's trail (absent on older uploads). */
  orgId: z.string().optional(),
});
export type UploadMeta = z.infer<typeof metaSchema>;

export interface UploadFile {
  name: string;
  content: string;
}

/** `PAT MAST (2).csv` → `PAT_MAST_2`: a table identifier from a file name, whatever the client sent. */
export function tableIdentifier(fileName: string): string {
  const base = fileName
    .split(/[\\/]/)
    .pop()!
    .replace(/\.[^.]*$/, '');
  const id = base
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 63);
  if (!id) throw new FerryError('usage', 'upload.bad_name', `the file name ${JSON.stringify(fileName.slice(0, 100))} gives no table name; name files after their table, e.g. PAT_MAST.csv`);
  return /^\d/.test(id) ? `t_${id}`.slice(0, 63) : id;
}

function formatOf(name: string): { format: UploadFormat; json: boolean } {
  const ext = /\.([A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext === 'csv') return { format: 'csv', json: false };
  if (ext === 'ndjson' || ext === 'jsonl') return { format: 'ndjson', json: false };
  if (ext === 'json') return { format: 'ndjson', json: true };
  throw new FerryError(
    'usage',
    'upload.bad_extension',
    `${JSON.stringify(name.slice(0, 100))} is neither .csv, .ndjson nor .json; upload CSV files with a header row, or JSON (an array of objects, or one object per line)`,
  );
}

/** A JSON array of objects as NDJSON text; the error names the file and position, never a value. */
function jsonArrayToNdjson(name: string, content: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new FerryError('usage', 'upload.bad_json', `${name} is not valid JSON; upload a JSON array of objects (one per row)`);
  }
  if (!Array.isArray(parsed)) throw new FerryError('usage', 'upload.bad_json', `${name} is JSON but not an array; upload a JSON array of objects (one per row)`);
  const bad = parsed.findIndex((row) => row === null || typeof row !== 'object' || Array.isArray(row));
  if (bad >= 0) throw new FerryError('usage', 'upload.bad_json', `${name}: element ${bad + 1} of the array is not an object; every element must be one row as an object`);
  return parsed.map((row) => JSON.stringify(row)).join('\n') + (parsed.length ? '\n' : '');
}

function checkNdjson(name: string, content: string): string {
  const lines = content.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new FerryError('usage', 'upload.bad_json', `${name}: line ${i + 1} is not valid JSON; each line must be one object`);
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new FerryError('usage', 'upload.bad_json', `${name}: line ${i + 1} is not an object; each line must be one object`);
  });
  return content;
}

function checkCsv(name: string, content: string): string {
  const header = content.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  if (!header.trim()) throw new FerryError('usage', 'upload.no_header', `${name} has no header row; the first line must name the columns`);
  return content;
}

/** The files of one upload, checked and converted: one format, distinct table names, within the size cap. */
export function prepareUpload(files: UploadFile[]): { format: UploadFormat; tables: Array<{ table: string; text: string }> } {
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content, 'utf8'), 0);
  if (bytes > UPLOAD_MAX_BYTES)
    throw new FerryError(
      'usage',
      'upload.too_large',
      `the files total ${bytes} bytes, more than the ${UPLOAD_MAX_BYTES} an upload may hold; split them across uploads or ask the operator for a database source`,
    );
  const kinds = files.map((f) => ({ ...f, ...formatOf(f.name) }));
  const formats = new Set(kinds.map((k) => k.format));
  if (formats.size > 1) throw new FerryError('usage', 'upload.mixed_formats', 'an upload holds either CSV files or JSON files, not both; upload them separately');
  const seen = new Map<string, string>();
  const tables = kinds.map((k) => {
    const table = tableIdentifier(k.name);
    const other = seen.get(table.toLowerCase());
    if (other !== undefined) throw new FerryError('usage', 'upload.duplicate_table', `${k.name} and ${other} would both be table ${table}; rename one of them`);
    seen.set(table.toLowerCase(), k.name);
    const text = k.format === 'csv' ? checkCsv(k.name, k.content) : k.json ? jsonArrayToNdjson(k.name, k.content) : checkNdjson(k.name, k.content);
    return { table, text };
  });
  return { format: [...formats][0], tables };
}

const SAFE_PROJECT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;

/** The directory holding the uploads of `projectId`. */
export function projectDir(dataDir: string, projectId: string): string {
  // Callers have authorised the id against the control plane; this keeps any other id from
  // ever becoming a path, should a future caller forget.
  if (!SAFE_PROJECT.test(projectId)) throw new FerryError('not_found', 'project.not_found', `project ${JSON.stringify(projectId.slice(0, 60))} not found`);
  return path.join(dataDir, 'uploads', projectId);
}

/** Stores checked files as a new upload of `projectId`, within the project's quota. */
export async function storeUpload(dataDir: string, quota: UploadQuota, actor: Actor, projectId: string, files: UploadFile[]): Promise<UploadMeta> {
  const prepared = prepareUpload(files);
  const id = newId('upl');
  const projectPath = projectDir(dataDir, projectId);
  const dir = path.join(projectPath, id);
  const tmp = `${dir}.tmp`;
  const ext = prepared.format === 'csv' ? '.csv' : '.ndjson';
  const meta: UploadMeta = { id, format: prepared.format, tables: prepared.tables.map((t) => t.table), createdAt: new Date().toISOString(), createdBy: actor.userId, orgId: actor.orgId };
  // What the upload will take on disk: its files and its record.
  const bytes = prepared.tables.reduce((n, t) => n + Buffer.byteLength(t.text, 'utf8'), Buffer.byteLength(JSON.stringify(meta), 'utf8'));
  // Check and write under one lock: two uploads at once cannot both fit in the last free space.
  await withLock(projectPath, async () => {
    checkQuota(projectId, await projectUsage(dataDir, projectId), bytes, quota);
    try {
      await mkdir(tmp, { recursive: true });
      for (const t of prepared.tables) await writeFile(path.join(tmp, t.table + ext), t.text);
      await writeFile(path.join(tmp, META), JSON.stringify(meta));
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  });
  return meta;
}

/** What a project's uploads hold now. */
export interface UploadUsage {
  uploads: number;
  bytes: number;
}

/** The number of uploads of `projectId` and the bytes their files take. */
export async function projectUsage(dataDir: string, projectId: string): Promise<UploadUsage> {
  const uploads = await listUploads(dataDir, projectId);
  const sizes = await Promise.all(uploads.map((u) => uploadBytes(dataDir, projectId, u.id)));
  return { uploads: uploads.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

function checkQuota(projectId: string, used: UploadUsage, adding: number, quota: UploadQuota): void {
  const fitsCount = used.uploads + 1 <= quota.uploads;
  const fitsBytes = used.bytes + adding <= quota.bytes;
  if (fitsCount && fitsBytes) return;
  const why = fitsCount ? `this upload (${mib(adding)}) would take it over its ${mib(quota.bytes)} quota` : `it may keep at most ${quota.uploads} upload(s)`;
  throw new FerryError(
    'conflict',
    'upload.quota_exceeded',
    `project ${projectId} holds ${used.uploads} upload(s) using ${mib(used.bytes)}; ${why}. Free space by deleting uploads it no longer needs (GET /projects/${projectId}/uploads lists them, DELETE /projects/${projectId}/uploads/{uploadId} removes one), or ask the operator to raise the upload quota`,
  );
}

function mib(bytes: number): string {
  return bytes < MIB ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}

/** Bytes one stored upload takes: its files and its record. */
export async function uploadBytes(dataDir: string, projectId: string, id: string): Promise<number> {
  const dir = path.join(projectDir(dataDir, projectId), id);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const sizes = await Promise.all(names.map(async (n) => (await stat(path.join(dir, n)).catch(() => null))?.size ?? 0));
  return sizes.reduce((a, b) => a + b, 0);
}

const locks = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier call for the same key has settled. */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

/** Deletes upload `id` of `projectId` (one that failed its first read). */
export async function removeUpload(dataDir: string, projectId: string, id: string): Promise<void> {
  if (UPLOAD_ID.test(id)) await rm(path.join(projectDir(dataDir, projectId), id), { recursive: true, force: true });
}

/** The record of upload `id` of `projectId`, or null when it has no such upload. */
export async function readMeta(dataDir: string, projectId: string, id: string): Promise<UploadMeta | null> {
  if (!UPLOAD_ID.test(id)) return null;
  try {
    return metaSchema.parse(JSON.parse(await readFile(path.join(projectDir(dataDir, projectId), id, META), 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The uploads of `projectId`, newest first. */
export async function listUploads(dataDir: string, projectId: string): Promise<UploadMeta[]> {
  let names: string[];
  try {
    names = await readdir(projectDir(dataDir, projectId));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const metas = await Promise.all(names.filter((n) => UPLOAD_ID.test(n)).map((n) => readMeta(dataDir, projectId, n)));
  return metas.filter((m): m is UploadMeta => m !== null).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The connector URL of upload `id` of `projectId`; any other project's (or unknown) id is a 404, audit-logged. */
export async function uploadSource(deps: ServerDeps, actor: Actor, projectId: string, id: string): Promise<string> {
  const meta = await readMeta(deps.dataDir, projectId, id);
  if (meta) return `${meta.format}:${path.join(projectDir(deps.dataDir, projectId), id)}`;
  await deps.plane.audit.append({
    type: 'access:denied',
    actor: actor.userId,
    orgId: actor.orgId,
    projectId,
    payload: { action: 'source.resolve', resource: 'upload', resourceId: id, reason: 'not_found' },
  });
  throw new FerryError('not_found', 'upload.not_found', `upload ${id} not found in project ${projectId}; GET /projects/${projectId}/sources lists this project's uploads`);
}
