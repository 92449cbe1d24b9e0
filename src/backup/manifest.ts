/**
 * A backup's manifest: what was backed up, from where, and everything needed to check the
 * encrypted data before trusting it. It is plaintext (an operator lists backups without the
 * key) and holds no patient value: table and column names, counts and digests only.
 *
 * Integrity: the header (identity, target, key id, IV, table names) is the AES-GCM additional
 * data of data.enc, so data cannot be moved under another manifest; the whole manifest carries
 * an HMAC-SHA256 under a key derived from the backup key, so an edited count, digest or column
 * definition is refused before anything is decrypted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../contract/canonical.js';
import { FerryError } from '../errors.js';
import { manifestMacKey } from './key.js';

export const BACKUP_FORMAT = 'ferry.backup/v1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const name = z.string().min(1).max(200);

/** A column as the engine reported it, enough to recreate the table. */
export const backupColumnSchema = z.strictObject({ name, type: z.string().min(1).max(200), nullable: z.boolean() });
export type BackupColumn = z.infer<typeof backupColumnSchema>;

/** One table's entry: its shape at backup time and the digest of its dump. */
export const backupTableSchema = z.strictObject({
  name,
  /** The table did not exist when the backup was taken (a run was about to create it). */
  absent: z.boolean(),
  columns: z.array(backupColumnSchema),
  primaryKey: z.array(name),
  /** Other backed-up tables this one references by foreign key (restored first). */
  references: z.array(name),
  /** The engine's own statement recreating the table (SQLite's and MariaDB's stored DDL), when it has one. */
  create: z.string().max(100_000).nullable(),
  rows: z.number().int().nonnegative(),
  /** Plaintext bytes of the table's dump, and their SHA-256. */
  bytes: z.number().int().nonnegative(),
  sha256: hex64,
});
export type BackupTable = z.infer<typeof backupTableSchema>;

export const backupKinds = ['postgres', 'mysql', 'sqlite', 'csv', 'ndjson'] as const;
export type BackupKind = (typeof backupKinds)[number];

export const manifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  id: z.string().regex(/^bk-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$/),
  createdAt: z.iso.datetime(),
  target: z.strictObject({ kind: z.enum(backupKinds), display: z.string().max(2000) }),
  runId: name.nullable(),
  syncId: name.nullable(),
  contractDigest: hex64.nullable(),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  cipher: z.literal('aes-256-gcm'),
  compression: z.literal('gzip'),
  iv: z.string().regex(/^[0-9a-f]{24}$/),
  tables: z.array(backupTableSchema),
  data: z.strictObject({ bytes: z.number().int().nonnegative(), sha256: hex64 }),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupManifest = z.infer<typeof manifestSchema>;
export type UnsignedManifest = Omit<BackupManifest, 'mac'>;

/** The bytes bound into data.enc as GCM additional data: what is known before the data is written. */
export function headerAad(
  m: Pick<UnsignedManifest, 'format' | 'id' | 'createdAt' | 'target' | 'runId' | 'syncId' | 'contractDigest' | 'keyId' | 'iv'> & { tables: ReadonlyArray<{ name: string }> },
): Buffer {
  const { format, id, createdAt, target, runId, syncId, contractDigest, keyId, iv } = m;
  return Buffer.from(canonicalJson({ format, id, createdAt, target, runId, syncId, contractDigest, keyId, iv, tables: m.tables.map((t) => t.name) }));
}

function macOf(m: UnsignedManifest, key: Buffer): string {
  return createHmac('sha256', manifestMacKey(key)).update(canonicalJson(m)).digest('hex');
}

/** The manifest with its MAC. */
export function signManifest(m: UnsignedManifest, key: Buffer): BackupManifest {
  return { ...m, mac: macOf(m, key) };
}

/** Parses a manifest file's text; a malformed one is refused with `backup.manifest_invalid`. */
export function parseManifest(text: string, id: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FerryError('conflict', 'backup.manifest_invalid', `backup ${id}: manifest.json is not valid JSON; the backup cannot be trusted`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new FerryError(
      'conflict',
      'backup.manifest_invalid',
      `backup ${id}: manifest.json does not match ${BACKUP_FORMAT} (${parsed.error.issues.map((i) => i.path.join('.') || 'root').join(', ')})`,
    );
  }
  if (parsed.data.id !== id) throw new FerryError('conflict', 'backup.manifest_invalid', `backup ${id}: its manifest names another backup (${parsed.data.id})`);
  return parsed.data;
}

/** Throws unless `key` is the backup's key and the manifest is exactly as written. */
export function checkManifest(m: BackupManifest, key: Buffer, keyId: string): void {
  if (m.keyId !== keyId) {
    throw new FerryError('forbidden', 'backup.wrong_key', `backup ${m.id} was encrypted under key ${m.keyId}, not the FERRY_BACKUP_KEY set here (${keyId}); set the key it was taken with`);
  }
  const { mac, ...rest } = m;
  const expected = Buffer.from(macOf(rest, key), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(mac, 'hex'))) {
    throw new FerryError('conflict', 'backup.manifest_tampered', `backup ${m.id}: manifest.json was changed after the backup was taken (its MAC does not match); the backup cannot be trusted`);
  }
}
