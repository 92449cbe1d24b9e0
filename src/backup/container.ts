/**
 * data.enc: the tables' dumps framed into one stream, gzip-compressed, then encrypted with
 * AES-256-GCM (the 16-byte tag appended at the end). Everything streams: no table is ever
 * held in memory, on the way in or out.
 *
 * Frames (plaintext, before compression): 1 byte type (1 = data, 2 = end of table), 4 bytes
 * table index, 4 bytes payload length (big-endian), the payload.
 */
import { createCipheriv, createDecipheriv, createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, open, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGunzip, createGzip } from 'node:zlib';
import { FerryError } from '../errors.js';

const DATA = 1;
const END = 2;
const HEADER = 9;
const TAG_BYTES = 16;

/** A frame header. */
function header(type: number, table: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER);
  h.writeUInt8(type, 0);
  h.writeUInt32BE(table, 1);
  h.writeUInt32BE(length, 5);
  return h;
}

/** Frames one table's chunks: each data chunk, then the end marker. */
export async function* frameTable(index: number, chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    yield header(DATA, index, chunk.length);
    yield chunk;
  }
  yield header(END, index, 0);
}

/** A frame read back. */
export type Frame = { type: 'data'; table: number; payload: Buffer } | { type: 'end'; table: number };

/** Splits a plaintext stream back into frames. */
export async function* readFrames(plain: AsyncIterable<Buffer>): AsyncGenerator<Frame> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of plain) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= HEADER) {
      const type = pending.readUInt8(at);
      const table = pending.readUInt32BE(at + 1);
      const length = pending.readUInt32BE(at + 5);
      if (pending.length - at - HEADER < length) break;
      if (type === DATA) yield { type: 'data', table, payload: pending.subarray(at + HEADER, at + HEADER + length) };
      else if (type === END) yield { type: 'end', table };
      else throw new FerryError('conflict', 'backup.data_corrupt', 'the decrypted backup data is not framed as Ferry writes it');
      at += HEADER + length;
    }
    pending = pending.subarray(at);
  }
  if (pending.length > 0) throw new FerryError('conflict', 'backup.data_corrupt', 'the decrypted backup data ends inside a frame');
}

/** Counts bytes and hashes them on the way through. */
function digestTap(): { tap: Transform; hash: Hash; bytes(): number } {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { tap, hash, bytes: () => bytes };
}

/** Compresses, encrypts and writes `plain` to `file`; returns the size and SHA-256 of the file (tag included). */
export async function writeEncrypted(file: string, key: Buffer, iv: Buffer, aad: Buffer, plain: AsyncIterable<Buffer>): Promise<{ bytes: number; sha256: string }> {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const { tap, hash, bytes } = digestTap();
  // Level 1: dumps are repetitive text, so the fastest level already shrinks them several-fold.
  await pipeline(Readable.from(plain), createGzip({ level: 1 }), cipher, tap, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  const tag = cipher.getAuthTag();
  await appendFile(file, tag);
  hash.update(tag);
  return { bytes: bytes() + tag.length, sha256: hash.digest('hex') };
}

/** SHA-256 and size of a file, streamed. */
export async function fileDigest(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * Decrypts and decompresses `file` as a stream of plaintext chunks. The GCM tag is checked when
 * the stream ends: a caller must consume it to the end before trusting anything it read.
 */
export async function* readEncrypted(file: string, key: Buffer, iv: Buffer, aad: Buffer): AsyncGenerator<Buffer> {
  const size = (await stat(file)).size;
  if (size < TAG_BYTES) throw new FerryError('conflict', 'backup.data_corrupt', 'data.enc is shorter than its authentication tag');
  const handle = await open(file, 'r');
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const input = size === TAG_BYTES ? Readable.from([]) : createReadStream(file, { start: 0, end: size - TAG_BYTES - 1 });
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  const done = pipeline(input, decipher, gunzip);
  // Observed here so a reader that stops early leaves no unhandled rejection; awaited below.
  done.catch(() => {});
  let finished = false;
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
    finished = true;
  } catch (err) {
    throw decryptError(err);
  } finally {
    if (!finished) input.destroy();
  }
  await done.catch((err: unknown) => {
    throw decryptError(err);
  });
}

function decryptError(err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/authenticate/i.test(message)) {
    return new FerryError('conflict', 'backup.auth_failed', 'data.enc failed AES-GCM authentication: the data or its manifest header was altered, or the key is not the one it was written with', [], {
      cause: err,
    });
  }
  return new FerryError('conflict', 'backup.data_corrupt', `data.enc could not be decrypted and decompressed (${message}); the backup is damaged`, [], { cause: err });
}
