/**
 * detachedString exists for memory, so its test measures memory: in a child process with the
 * garbage collector exposed, substrings kept from a 20 MB string keep it alive, while their
 * detached copies let it go.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { detachedString } from '../../src/transform/text-value.js';

const MODULE = path.resolve(import.meta.dirname, '../../src/transform/text-value.ts');

/** Bytes of heap still held after keeping 100 twenty-character substrings of a ~20 MB string. */
function retained(detach: boolean): number {
  const script = `
    import { detachedString } from ${JSON.stringify(MODULE)};
    function kept() {
      const big = Array.from({ length: 1_000_000 }, (_, i) => 'patient note ' + i).join('\\t');
      const keep = [];
      for (let i = 0; i < 100; i++) { const s = big.slice(i * 1000, i * 1000 + 20); keep.push(${detach} ? detachedString(s) : s); }
      return keep;
    }
    globalThis.gc();
    const base = process.memoryUsage().heapUsed;
    const keep = kept();
    globalThis.gc();
    globalThis.gc();
    console.log(process.memoryUsage().heapUsed - base, keep.join('').length);`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const [bytes, chars] = r.stdout.trim().split(' ').map(Number);
  expect(chars).toBe(2000);
  return bytes;
}

describe('detachedString', () => {
  it('keeps the text and leaves short strings as they are', () => {
    const long = 'Patient note 42: prefers morning appointments';
    expect(detachedString(long.slice(5, 30))).toBe(long.slice(5, 30));
    expect(detachedString('LS1 4AB')).toBe('LS1 4AB');
    expect(detachedString('')).toBe('');
  });

  it('lets the string a kept value was cut from be collected', () => {
    expect(retained(false)).toBeGreaterThan(15_000_000);
    expect(retained(true)).toBeLessThan(5_000_000);
  }, 30_000);
});
