import { describe, expect, it } from 'vitest';
import { canonical } from '../../src/reconcile/canonical.js';
import { hex16, rowText, Sum64, u64Hex } from '../../src/reconcile/hash.js';
import { RowHashSum } from '../../src/reconcile/row-hash.js';
import { createHash } from 'node:crypto';

describe('canonical text forms', () => {
  it('integers: digits, minus sign only, no leading zeros, from every driver representation', () => {
    expect(canonical('integer', '007')).toBe('7');
    expect(canonical('integer', '+42')).toBe('42');
    expect(canonical('integer', '-0')).toBe('0');
    expect(canonical('integer', ' -042 ')).toBe('-42');
    expect(canonical('integer', 5)).toBe('5');
    expect(canonical('integer', 9007199254740993n)).toBe('9007199254740993');
    expect(canonical('integer', '12.5')).toBe('?12.5');
  });

  it('decimals: normalised without trailing zeros or a bare point', () => {
    expect(canonical('decimal', '12.50')).toBe('12.5');
    expect(canonical('decimal', '3.00')).toBe('3');
    expect(canonical('decimal', '.5')).toBe('0.5');
    expect(canonical('decimal', '-0.000')).toBe('0');
    expect(canonical('decimal', '+0012.340')).toBe('12.34');
    expect(canonical('decimal', '1.5E3')).toBe('1500');
    expect(canonical('decimal', '-25e-3')).toBe('-0.025');
    expect(canonical('decimal', 0.1)).toBe('0.1');
    expect(canonical('decimal', 'abc')).toBe('?abc');
  });

  it('dates and timestamps: ISO, UTC, microseconds only when non-zero', () => {
    expect(canonical('date', '2024-02-29')).toBe('2024-02-29');
    expect(canonical('date', '29/02/2024')).toBe('?29/02/2024');
    expect(canonical('timestamp', '2024-01-02 03:04:05')).toBe('2024-01-02T03:04:05');
    expect(canonical('timestamp', '2024-01-02T03:04')).toBe('2024-01-02T03:04:00');
    expect(canonical('timestamp', '2024-01-02')).toBe('2024-01-02T00:00:00');
    expect(canonical('timestamp', '2024-01-02T03:04:05.5')).toBe('2024-01-02T03:04:05.500000');
    expect(canonical('timestamp', '2024-01-02T03:04:05.000000')).toBe('2024-01-02T03:04:05');
    expect(canonical('timestamp', '2024-01-02T03:04:05.1234567')).toBe('2024-01-02T03:04:05.123456');
    expect(canonical('timestamp', '2024-01-01T00:30:00+01:00')).toBe('2023-12-31T23:30:00');
    expect(canonical('timestamp', '2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05');
  });

  it('booleans, binary and text', () => {
    expect([true, false, 1, 0, 't', 'false', 'YES', 1n].map((v) => canonical('boolean', v))).toEqual(['t', 'f', 't', 'f', 't', 'f', 't', 't']);
    expect(canonical('binary', Buffer.from([0, 171, 255]))).toBe('00abff');
    expect(canonical('binary', Buffer.from([0, 171, 255]).toString('base64'), 'base64')).toBe('00abff');
    expect(canonical('binary', '\\x00ABFF')).toBe('00abff');
    expect(canonical('text', '  Zoë 😀 ')).toBe('  Zoë 😀 ');
    expect(canonical('text', '')).toBe('');
    expect(canonical('integer', '')).toBeNull();
    expect(canonical('text', null)).toBeNull();
  });
});

describe('hashes', () => {
  it('a value hash is the first 64 bits of MD5 of the canonical text, at every length and in any script', () => {
    // Lengths around MD5's block boundaries (55, 56, 64 bytes) and multi-byte characters.
    const texts = ['', 'abc', ...Array.from({ length: 140 }, (_, n) => 'x'.repeat(n)), 'Zoë 😀', 'é'.repeat(40), '\ud800 lone surrogate', 'ab\u0000c'];
    for (const t of texts) expect(hex16(t)).toBe(createHash('md5').update(t).digest('hex').slice(0, 16));
  });

  it('row text is unambiguous: lengths in UTF-8 bytes, N for NULL', () => {
    expect(rowText(['12', null, 'a😀', '', 'é'])).toBe('2:12N5:a😀0:2:é');
    expect(rowText(['N'])).not.toBe(rowText([null]));
  });

  it('pass 1 sums exactly the row hashes node:crypto computes, across block sizes and non-ASCII text', () => {
    const rows: (string | null)[][] = [];
    // 0 to 199 characters crosses MD5's one-block (55 bytes) and two-block boundaries.
    for (let i = 0; i < 600; i++) rows.push([String(i), 'x'.repeat(i % 200), i % 5 ? null : 'Zoë 😀'.repeat(i % 30), '', 'é'.repeat(i % 70), `\ud800${i}`]);
    const fast = new RowHashSum();
    const reference = new Sum64();
    for (const r of rows) {
      fast.add(r);
      reference.addHex(hex16(rowText(r)));
    }
    expect(fast.sum.count).toBe(rows.length);
    expect(fast.sum.value()).toBe(reference.value());
    const one = new RowHashSum();
    one.add(['1', 'a']);
    expect(u64Hex(one.sum.value())).toBe(createHash('md5').update('1:11:a').digest('hex').slice(0, 16));
  });

  it('sums 64-bit hashes modulo 2^64 regardless of order', () => {
    const a = new Sum64();
    const b = new Sum64();
    const hs = ['ffffffffffffffff', '0000000000000002', '8000000000000000', '8000000000000001'];
    hs.forEach((h) => a.addHex(h));
    [...hs].reverse().forEach((h) => b.addHex(h));
    expect(a.value()).toBe(b.value());
    expect(u64Hex(a.value())).toBe('0000000000000002');
    expect(a.count).toBe(4);
  });
});
