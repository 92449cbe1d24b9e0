/**
 * Taking a backup: one consistent snapshot of the named target tables, streamed through
 * framing, gzip and AES-256-GCM into `DIR/<id>/data.enc`, with a signed manifest beside it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConnectorUrl } from '../connectors/url.js';
import type { BackupStore } from './config.js';
import { frameTable, writeEncrypted } from './container.js';
import { parentsFirst, type TableShape } from './engines/engine.js';
import { openSnapshot } from './engines/index.js';
import { backupKeyId } from './key.js';
import { BACKUP_FORMAT, headerAad, signManifest, type BackupKind, type BackupManifest, type BackupTable } from './manifest.js';
import { newBackupId } from './store.js';

export interface TakeBackupOptions {
  store: BackupStore;
  targetUrl: string;
  /** The target tables to back up (those a run will write). */
  tables: readonly string[];
  runId?: string | null;
  syncId?: string | null;
  contractDigest?: string | null;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
}

/** Takes a backup of `tables` in the target and returns its manifest. */
export async function takeBackup(o: TakeBackupOptions): Promise<BackupManifest> {
  const url = parseConnectorUrl(o.targetUrl, o.env);
  const createdAt = (o.now ?? (() => new Date()))();
  const id = newBackupId(createdAt);
  const iv = randomBytes(12);
  await mkdir(o.store.dir, { recursive: true, mode: 0o700 });
  const partial = path.join(o.store.dir, `.${id}.partial`);
  await mkdir(partial, { mode: 0o700 });
  const snapshot = await openSnapshot(url);
  try {
    const shapes = parentsFirst(await snapshot.describe([...new Set(o.tables)]));
    const header = {
      format: BACKUP_FORMAT as typeof BACKUP_FORMAT,
      id,
      createdAt: createdAt.toISOString(),
      target: { kind: url.kind as BackupKind, display: url.display },
      runId: o.runId ?? null,
      syncId: o.syncId ?? null,
      contractDigest: o.contractDigest ?? null,
      keyId: backupKeyId(o.store.key),
      cipher: 'aes-256-gcm' as const,
      compression: 'gzip' as const,
      iv: iv.toString('hex'),
    };
    const tallies = shapes.map(() => ({ rows: 0, bytes: 0, hash: createHash('sha256') }));
    async function* tapped(shape: TableShape, i: number): AsyncGenerator<Buffer> {
      const tally = tallies[i];
      for await (const chunk of snapshot.dump(shape, tally)) {
        tally.hash.update(chunk);
        tally.bytes += chunk.length;
        yield chunk;
      }
    }
    async function* plain(): AsyncGenerator<Buffer> {
      for (const [i, shape] of shapes.entries()) yield* frameTable(i, tapped(shape, i));
    }
    const data = await writeEncrypted(path.join(partial, 'data.enc'), o.store.key, iv, headerAad({ ...header, tables: shapes }), plain());
    const tables: BackupTable[] = shapes.map((s, i) => ({ ...s, rows: tallies[i].rows, bytes: tallies[i].bytes, sha256: tallies[i].hash.digest('hex') }));
    const manifest = signManifest({ ...header, tables, data }, o.store.key);
    await writeFile(path.join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await rename(partial, path.join(o.store.dir, id));
    return manifest;
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  } finally {
    await snapshot.close();
  }
}
