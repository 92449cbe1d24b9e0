import { describe, expect, it } from 'vitest';
import { countEscapedBytes, firstEscapedByte, StrictDecoder, unescapeBytes } from '../../../src/connectors/file/decode.js';

/** Decodes `bytes` in chunks of `size`; returns the text and the offsets of the escaped bytes. */
function decode(bytes: Buffer, encoding: string, size = bytes.length || 1): { text: string; offsets: number[] } {
  const d = new StrictDecoder(encoding);
  let text = '';
  for (let i = 0; i < bytes.length; i += size) text += d.write(bytes.subarray(i, i + size));
  text += d.end();
  const offsets: number[] = [];
  while (d.pending > 0) offsets.push(d.claim());
  return { text, offsets };
}

describe('StrictDecoder', () => {
  // é (2 bytes), ’ (3 bytes), 😀 (4 bytes), and a genuine U+FFFD, which is valid UTF-8 and must stay.
  const valid = Buffer.from('a é ’ 😀 \ufffd z', 'utf8');

  it('decodes valid UTF-8 exactly whatever the chunk boundaries, escaping nothing', () => {
    for (let size = 1; size <= valid.length; size++) expect(decode(valid, 'utf8', size), `chunk ${size}`).toEqual({ text: 'a é ’ 😀 \ufffd z', offsets: [] });
  });

  it('escapes each byte that is not UTF-8 and keeps its file offset, whatever the chunk boundaries', () => {
    // 0x92 alone (Windows-1252 ’), a truncated é (0xC3 before ASCII), an overlong 0xC0 0xAF, an encoded surrogate, and a sequence cut by the end of the file.
    const bytes = Buffer.concat([
      Buffer.from('O'),
      Buffer.from([0x92]),
      Buffer.from('N '),
      Buffer.from([0xc3]),
      Buffer.from('x '),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('é'),
      Buffer.from([0xe2, 0x80]),
    ]);
    for (let size = 1; size <= bytes.length; size++) {
      const { text, offsets } = decode(bytes, 'utf8', size);
      expect(offsets, `chunk ${size}`).toEqual([1, 4, 7, 8, 9, 10, 11, 14, 15]);
      expect(countEscapedBytes(text)).toBe(9);
      expect(unescapeBytes(text), `chunk ${size}`).toBe('O\ufffdN \ufffdx \ufffd\ufffd\ufffd\ufffd\ufffdé\ufffd\ufffd');
    }
  });

  it('escapes the five bytes Windows-1252 leaves undefined, and decodes the rest', () => {
    const { text, offsets } = decode(Buffer.from([0x4f, 0x92, 0x81, 0xc1, 0x9d]), 'windows-1252', 2);
    expect(offsets).toEqual([2, 4]);
    expect(firstEscapedByte(text)).toBe(2);
    expect(unescapeBytes(text)).toBe('O’\ufffdÁ\ufffd');
  });

  it('decodes every byte as Latin-1', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const { text, offsets } = decode(all, 'latin1', 7);
    expect(offsets).toEqual([]);
    expect(text.length).toBe(256);
  });
});
