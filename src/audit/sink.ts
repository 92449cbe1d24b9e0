/**
 * Writes one export file, hashing as it goes: the SHA-256 of the plaintext and of the bytes on
 * disk. With a key, the file is AES-256-GCM: a fresh random 96-bit IV, then the ciphertext,
 * then the 16-byte authentication tag (`IV || ciphertext || tag`).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { FerryError } from '../errors.js';

export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface SinkResult {
  bytes: number;
  sha256: string;
  plaintextSha256: string;
}

export interface Sink {
  write(text: string): Promise<void>;
  close(): Promise<SinkResult>;
}

/** Opens `file` for writing (it must not exist), encrypted when `key` is given. */
export async function openSink(file: string, key?: Buffer): Promise<Sink> {
  const fh: FileHandle = await open(file, 'wx');
  const plain = createHash('sha256');
  const onDisk = createHash('sha256');
  let bytes = 0;
  const put = async (buf: Buffer) => {
    if (buf.length === 0) return;
    onDisk.update(buf);
    bytes += buf.length;
    await fh.write(buf);
  };
  const iv = key ? randomBytes(IV_BYTES) : undefined;
  const cipher = key && iv ? createCipheriv('aes-256-gcm', key, iv) : undefined;
  if (iv) await put(iv);
  return {
    async write(text) {
      const buf = Buffer.from(text, 'utf8');
      plain.update(buf);
      await put(cipher ? cipher.update(buf) : buf);
    },
    async close() {
      try {
        if (cipher) {
          await put(cipher.final());
          await put(cipher.getAuthTag());
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { bytes, sha256: onDisk.digest('hex'), plaintextSha256: plain.digest('hex') };
    },
  };
}

/** Decrypts an `IV || ciphertext || tag` file body; a wrong key or any altered byte fails authentication. */
export function decryptFile(body: Buffer, key: Buffer, name: string): Buffer {
  if (body.length < IV_BYTES + TAG_BYTES) throw new FerryError('conflict', 'audit.export_truncated', `${name} is too short to be an encrypted export file`);
  const iv = body.subarray(0, IV_BYTES);
  const tag = body.subarray(body.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new FerryError('conflict', 'audit.decrypt_failed', `${name} failed AES-256-GCM authentication: the file was altered or FERRY_AUDIT_KEY is not the key it was written with`);
  }
}
