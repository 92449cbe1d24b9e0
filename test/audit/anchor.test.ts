/** The anchor's signing recipe, as docs/audit.md states it, and its atomic, private file. */
import { describe, expect, it } from 'vitest';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../../src/contract/canonical.js';
import { makeAnchor, readAnchorFile, signatureStatus, writeAnchorFile } from '../../src/audit/anchor.js';
import { keyFingerprint } from '../../src/audit/key.js';
import { tempDir } from '../helpers/tmp.js';

const body = { storeId: 'ab'.repeat(16), seq: 42, hash: 'c'.repeat(64), time: '2025-03-01T09:30:00.000Z' };

describe('the audit anchor', () => {
  it('is signed with HMAC-SHA-256 under HKDF(FERRY_AUDIT_KEY, info ferry-audit-anchor/v1), never the raw key', () => {
    const key = randomBytes(32);
    const a = makeAnchor(body, key);
    const message = canonicalJson({ format: 'ferry.audit-anchor/v1', hash: body.hash, seq: body.seq, storeId: body.storeId, time: body.time });
    const derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'ferry-audit-anchor/v1', 32));
    expect(a.signature).toEqual({ algorithm: 'HMAC-SHA-256', keyFingerprint: keyFingerprint(key), mac: createHmac('sha256', derived).update(message).digest('hex') });
    expect(a.signature!.mac).not.toBe(createHmac('sha256', key).update(message).digest('hex'));
    expect(signatureStatus(a, key)).toBe('valid');
    expect(signatureStatus(a, randomBytes(32))).toBe('invalid');
    expect(signatureStatus(a, undefined)).toBe('unchecked');
    expect(signatureStatus({ ...a, seq: 43 }, key)).toBe('invalid');
    expect(signatureStatus(makeAnchor(body), key)).toBe('unsigned');
  });

  it('is written atomically, readable only by its owner, leaving no temporary file; a non-anchor is reported, not trusted', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const file = path.join(dir, 'nested', 'anchor');
      expect(await readAnchorFile(file)).toEqual({ state: 'missing' });
      await writeAnchorFile(file, makeAnchor(body));
      await writeAnchorFile(file, makeAnchor({ ...body, seq: 43 }));
      expect(await readAnchorFile(file)).toMatchObject({ state: 'present', anchor: { seq: 43 } });
      expect(await readdir(path.dirname(file))).toEqual(['anchor']);
      expect((await stat(file)).mode & 0o077).toBe(0);
      await writeFile(file, '{"format":"ferry.audit-anchor/v1","seq":"43"}');
      expect(await readAnchorFile(file)).toEqual({ state: 'malformed' });
    } finally {
      await cleanup();
    }
  });
});
