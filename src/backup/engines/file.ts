/**
 * File target backups (csv:DIR, ndjson:DIR): a copy of each table's file, byte for byte.
 * There is no transaction to read or write under: the copy is taken before the run opens the
 * directory, and each file is restored by writing a temporary file beside it and renaming it
 * over the table's file, so a reader sees the old or the new file, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { findDataFile } from '../../connectors/file/tables.js';
import type { ParsedUrl } from '../../connectors/url.js';
import { FerryError } from '../../errors.js';
import { countLines, type BackupSnapshot, type DumpCounter, type RestoreSession, type TableShape } from './engine.js';

function extensionOf(url: ParsedUrl): string {
  return url.kind === 'csv' ? '.csv' : '.ndjson';
}

function dirOf(url: ParsedUrl): string {
  if (!url.path) throw new FerryError('usage', 'connector.bad_url', `${url.display} names no directory`);
  return url.path;
}

/** Counts CSV records: line feeds outside quoted fields (a quoted field may hold line breaks). */
function csvRecordCounter(): (chunk: Buffer) => number {
  let quoted = false;
  return (chunk) => {
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x22) quoted = !quoted;
      else if (b === 0x0a && !quoted) n++;
    }
    return n;
  };
}

/** Opens a "snapshot" of the directory: its table files as they are now. */
export async function fileSnapshot(url: ParsedUrl): Promise<BackupSnapshot> {
  const dir = dirOf(url);
  const ext = extensionOf(url);
  return {
    async describe(tables) {
      const out: TableShape[] = [];
      for (const t of tables) {
        const file = await findDataFile(dir, t, ext);
        // `create` keeps the file's own name (its extension's case) so a restore writes the same file.
        out.push({ name: t, absent: file === undefined, columns: [], primaryKey: [], references: [], create: file ?? null });
      }
      return out;
    },
    async *dump(table: TableShape, counter: DumpCounter) {
      if (table.absent || !table.create) return;
      const count = url.kind === 'csv' ? csvRecordCounter() : countLines;
      let lines = 0;
      for await (const chunk of createReadStream(path.join(dir, table.create), { highWaterMark: 1 << 18 })) {
        lines += count(chunk as Buffer);
        yield chunk as Buffer;
      }
      // A CSV file's first line is its header, not a row.
      counter.rows += url.kind === 'csv' ? Math.max(0, lines - 1) : lines;
    },
    async close() {},
  };
}

/** Opens a restore session on the directory. */
export async function fileRestore(url: ParsedUrl): Promise<RestoreSession> {
  const dir = dirOf(url);
  const ext = extensionOf(url);
  const written: string[] = [];
  return {
    async existing(tables) {
      const found = new Set<string>();
      for (const t of tables) if ((await findDataFile(dir, t, ext)) !== undefined) found.add(t);
      return found;
    },
    async begin() {
      await mkdir(dir, { recursive: true });
    },
    async load(table, _present, data) {
      const name = table.create ?? `${table.name}${ext}`;
      const temp = path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.restore`);
      written.push(temp);
      let lines = 0;
      const count = url.kind === 'csv' ? csvRecordCounter() : countLines;
      await pipeline(
        Readable.from(data),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            lines += count(chunk);
            yield chunk;
          }
        },
        createWriteStream(temp, { flags: 'wx' }),
      );
      // An existing file in another extension case would be found first by readers: replace that one.
      const current = await findDataFile(dir, table.name, ext);
      if (current && current !== name) await rm(path.join(dir, current));
      await rename(temp, path.join(dir, name));
      return url.kind === 'csv' ? Math.max(0, lines - 1) : lines;
    },
    async drop(table) {
      const file = await findDataFile(dir, table, ext);
      if (file) await rm(path.join(dir, file));
    },
    async commit() {},
    async abort() {
      await Promise.allSettled(written.map((f) => rm(f, { force: true })));
    },
    async close() {
      // Temporary files of a restore that stopped half-way (renamed ones are gone already).
      await Promise.allSettled(written.map((f) => rm(f, { force: true })));
    },
  };
}
