import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/connectors/connector.js';
import { CopyTextDecoder, encodeCopyRows, encodeCopyValue, unescapeCopyText } from '../../../src/connectors/postgres/copy-text.js';
import { FerryError } from '../../../src/errors.js';

function decode(text: string | Buffer, binary: boolean[], split = 0): Value[][] {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const decoder = new CopyTextDecoder(binary);
  const out: Value[][] = [];
  if (split <= 0) decoder.push(bytes, out);
  else for (let i = 0; i < bytes.length; i += split) decoder.push(bytes.subarray(i, i + split), out);
  decoder.end();
  return out;
}

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return and nothing else', () => {
    expect(encodeCopyValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(encodeCopyValue('plain, "quoted" \u00e9 😀')).toBe('plain, "quoted" \u00e9 😀');
  });

  it('writes null as \\N and keeps the empty string empty', () => {
    expect(encodeCopyValue(null)).toBe('\\N');
    expect(encodeCopyValue('')).toBe('');
    expect(encodeCopyValue('\\N')).toBe('\\\\N');
  });

  it('writes booleans as t/f, numbers and bigints as digits, binary as escaped hex', () => {
    expect([true, false].map(encodeCopyValue)).toEqual(['t', 'f']);
    expect([42, -1.5, 12345678901234567890n].map(encodeCopyValue)).toEqual(['42', '-1.5', '12345678901234567890']);
    expect(encodeCopyValue(Buffer.from([0, 1, 0xab, 0xff]))).toBe('\\\\x0001abff');
    expect(encodeCopyValue(Buffer.alloc(0))).toBe('\\\\x');
  });

  it('joins fields with tabs and ends every row with a newline, across chunks', () => {
    const rows: Value[][] = Array.from({ length: 40_000 }, (_, i) => [i, `name ${i}`, null]);
    const chunks = [...encodeCopyRows(rows, [encodeCopyValue, encodeCopyValue, encodeCopyValue])];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.endsWith('\n'))).toBe(true);
    const lines = chunks.join('').split('\n');
    expect(lines).toHaveLength(40_001);
    expect(lines[7]).toBe('7\tname 7\t\\N');
  });
});

describe('COPY text decoding', () => {
  it('undoes every escape PostgreSQL defines', () => {
    expect(unescapeCopyText('\\b\\f\\n\\r\\t\\v\\\\')).toBe('\b\f\n\r\t\v\\');
    expect(unescapeCopyText('\\101\\x42\\x4')).toBe('AB\x04');
    expect(unescapeCopyText('caf\\303\\251 \\xc3\\xa9')).toBe('café é');
    expect(unescapeCopyText('\\q\\')).toBe('q\\');
    expect(unescapeCopyText('no escapes')).toBe('no escapes');
  });

  it('reports which rows held an escape, so the others are known to need none', () => {
    const text = 'a\tb\n\\N\tplain\nc\\\\d\tx\n\\N\t\\N\ne\tf\\ng\n';
    for (const split of [0, 1, 3]) {
      const decoder = new CopyTextDecoder([false, false]);
      const out: Value[][] = [];
      const escaped: number[] = [];
      const bytes = Buffer.from(text);
      if (split === 0) decoder.push(bytes, out, escaped);
      else for (let i = 0; i < bytes.length; i += split) decoder.push(bytes.subarray(i, i + split), out, escaped);
      expect(out).toEqual([
        ['a', 'b'],
        [null, 'plain'],
        ['c\\d', 'x'],
        [null, null],
        ['e', 'f\ng'],
      ]);
      // NULL markers are not escapes; a doubled backslash and an escaped newline are.
      expect(escaped).toEqual([2, 4]);
    }
  });

  it('tells NULL from the empty string', () => {
    expect(decode('\\N\t\t\\\\N\n', [false, false, false])).toEqual([[null, '', '\\N']]);
  });

  it('reassembles rows and multi-byte characters split at every byte', () => {
    const text = 'Ó Briain\td’Arcy 😀 𝄞\n\\N\tline\\nbreak\n';
    expect(decode(text, [false, false], 1)).toEqual([
      ['Ó Briain', 'd’Arcy 😀 𝄞'],
      [null, 'line\nbreak'],
    ]);
  });

  it('decodes bytea hex fields to Buffers', () => {
    expect(decode('1\t\\\\x00ff10\n2\t\\\\x\n3\t\\N\n', [false, true])).toEqual([
      ['1', Buffer.from([0, 255, 16])],
      ['2', Buffer.alloc(0)],
      ['3', null],
    ]);
  });

  it('reassembles a large bytea row arriving over many chunks, and the rows around it', () => {
    const scan = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < scan.length; i++) scan[i] = (i * 31) & 0xff;
    const text = Buffer.from(`1\t\\\\x00\n2\t\\\\x${scan.toString('hex')}\n3\t\\N\n`);
    const rows = decode(text, [false, true], 64 * 1024 - 7);
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3']);
    expect((rows[1][1] as Buffer).equals(scan)).toBe(true);
    expect(rows[2][1]).toBeNull();
  });

  it('round-trips what it encodes, whatever the chunking', () => {
    const rows: Value[][] = [
      ['tab\there', 'nl\nand\r\ncrlf', 'back\\slash\\', ''],
      [null, '\\N', 'ünïcödé 😀', 'x'.repeat(5000)],
      ['\u0001\u001f control', ' leading and trailing ', '\\t literally', '\t'],
    ];
    const text = [...encodeCopyRows(rows, Array(4).fill(encodeCopyValue))].join('');
    for (const split of [0, 1, 3, 7, 4096]) expect(decode(text, [false, false, false, false], split)).toEqual(rows);
    const binary = [[Buffer.from('\n\t\\ 😀')]];
    expect(decode([...encodeCopyRows(binary, [encodeCopyValue])].join(''), [true])).toEqual(binary);
  });

  it('refuses a stream that ends mid-row or a row with the wrong number of fields', () => {
    expect(() => decode('1\tpartial', [false, false])).toThrow(FerryError);
    expect(() => decode('1\t2\t3\n', [false, false])).toThrow(/3 fields where 2 columns/);
  });
});
