/**
 * Checking a backup before trusting it, in the order that names each kind of damage by its own
 * code: the key (`backup.wrong_key`), the manifest's MAC (`backup.manifest_tampered`), the
 * SHA-256 of data.enc (`backup.data_corrupt`), then a full decryption: the GCM tag
 * (`backup.auth_failed`) and every table's SHA-256 (`backup.table_checksum`).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { FerryError } from '../errors.js';
import type { BackupStore } from './config.js';
import { fileDigest, readEncrypted, readFrames, type Frame } from './container.js';
import { backupKeyId } from './key.js';
import { checkManifest, headerAad, type BackupManifest, type BackupTable } from './manifest.js';
import { backupPath, readManifest } from './store.js';

/** Reads one table's dump: consume `data` to its end. */
export type TableConsumer = (table: BackupTable, data: AsyncIterable<Buffer>) => Promise<void>;

/** The manifest of backup `id`, checked against the key and its MAC, and data.enc's digest. */
export async function checkedManifest(store: BackupStore, id: string): Promise<BackupManifest> {
  const manifest = await readManifest(store, id);
  checkManifest(manifest, store.key, backupKeyId(store.key));
  const data = await fileDigest(path.join(backupPath(store, id), 'data.enc')).catch(() => {
    throw new FerryError('conflict', 'backup.data_missing', `backup ${id}: data.enc is missing or unreadable`);
  });
  if (data.sha256 !== manifest.data.sha256 || data.bytes !== manifest.data.bytes) {
    throw new FerryError('conflict', 'backup.data_corrupt', `backup ${id}: data.enc does not match the SHA-256 its manifest records; the file was changed or damaged`);
  }
  return manifest;
}

/**
 * Decrypts the backup and hands each table's dump to `consume` in manifest order; every table's
 * SHA-256 and, at the end, the GCM tag are checked. What `consume` did is only trustworthy once
 * this resolves.
 */
export async function readTables(store: BackupStore, manifest: BackupManifest, consume: TableConsumer): Promise<void> {
  const file = path.join(backupPath(store, manifest.id), 'data.enc');
  const frames = readFrames(readEncrypted(file, store.key, Buffer.from(manifest.iv, 'hex'), headerAad(manifest)))[Symbol.asyncIterator]();
  const corrupt = (why: string) => new FerryError('conflict', 'backup.data_corrupt', `backup ${manifest.id}: ${why}`);
  try {
    await readAll(manifest, frames, consume, corrupt);
  } finally {
    // A consumer that failed leaves the decryption half-read: close the file.
    await frames.return?.(undefined);
  }
}

async function readAll(manifest: BackupManifest, frames: AsyncIterator<Frame>, consume: TableConsumer, corrupt: (why: string) => FerryError): Promise<void> {
  for (const [i, table] of manifest.tables.entries()) {
    const hash = createHash('sha256');
    let bytes = 0;
    let ended = false;
    async function* body(): AsyncGenerator<Buffer> {
      while (!ended) {
        const next: IteratorResult<Frame> = await frames.next();
        if (next.done) throw corrupt(`the data ends before table ${table.name} does`);
        if (next.value.table !== i) throw corrupt(`the data holds table #${next.value.table} where ${table.name} was expected`);
        if (next.value.type === 'end') {
          ended = true;
          return;
        }
        hash.update(next.value.payload);
        bytes += next.value.payload.length;
        yield next.value.payload;
      }
    }
    const data = body();
    await consume(table, data);
    // Whatever the consumer left unread is still checked.
    for await (const _ of data) void _;
    if (bytes !== table.bytes || hash.digest('hex') !== table.sha256) {
      throw new FerryError('conflict', 'backup.table_checksum', `backup ${manifest.id}: table ${table.name} does not match the SHA-256 its manifest records; the backup cannot be trusted`);
    }
  }
  // Reading past the last frame ends the decryption, which checks the GCM tag.
  const last = await frames.next();
  if (!last.done) throw corrupt('the data holds more than the tables its manifest lists');
}

/** A verified backup: what was checked. */
export interface VerifyReport {
  format: 'ferry.backup-verify/v1';
  backupId: string;
  ok: true;
  tables: Array<{ table: string; absent: boolean; rows: number; sha256: string }>;
  bytes: number;
}

/** Verifies backup `id` completely (throws with a distinct code for each kind of damage). */
export async function verifyBackup(store: BackupStore, id: string): Promise<VerifyReport> {
  const manifest = await checkedManifest(store, id);
  await readTables(store, manifest, async (_t, data) => {
    for await (const _ of data) void _;
  });
  return {
    format: 'ferry.backup-verify/v1',
    backupId: id,
    ok: true,
    tables: manifest.tables.map((t) => ({ table: t.name, absent: t.absent, rows: t.rows, sha256: t.sha256 })),
    bytes: manifest.data.bytes,
  };
}
