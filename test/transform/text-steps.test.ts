import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { titleCase } from '../../src/transform/text-steps.js';
import { failure, run } from './harness.js';

const binary = Buffer.from([0x25, 0x50, 0x44, 0x46]);

describe('trim, upper, lower', () => {
  it('trims both sides by default and one side when asked', () => {
    expect(run(['trim'], '  Smith \t')).toBe('Smith');
    expect(run([{ trim: { side: 'left' } }], '  Smith  ')).toBe('Smith  ');
    expect(run([{ trim: { side: 'right' } }], '  Smith  ')).toBe('  Smith');
  });

  it('trims non-breaking spaces from legacy exports', () => {
    expect(run(['trim'], '\u00a0LS1 4AP\u00a0')).toBe('LS1 4AP');
  });

  it('turns blank text into empty text, not null', () => {
    expect(run(['trim'], '   ')).toBe('');
  });

  it('changes case without locale surprises', () => {
    expect(run(['upper'], 'ls1 4ap')).toBe('LS1 4AP');
    expect(run(['lower'], 'SMITH')).toBe('smith');
    expect(run(['upper'], 'istanbul')).toBe('ISTANBUL');
  });

  it('passes null through', () => {
    for (const step of ['trim', 'upper', 'lower', 'title']) expect(run([step], null)).toBeNull();
  });

  it('works on the string form of numbers', () => {
    expect(run(['trim'], 42)).toBe('42');
    expect(run(['upper'], 10n)).toBe('10');
  });

  it('fails with transform.type on binary data', () => {
    for (const step of ['trim', 'upper', 'lower', 'title']) {
      expect(run([step], binary, { name: 'scan' })).toMatchObject(failure(`scan.${step}`, 'transform.type'));
    }
  });
});

describe('title', () => {
  it('capitalises each part of hyphenated and apostrophe names', () => {
    expect(titleCase("o'brien-smith")).toBe("O'Brien-Smith");
    expect(titleCase('JOHN PAUL')).toBe('John Paul');
    expect(titleCase('mcdonald')).toBe('Mcdonald');
  });

  it('keeps accented letters inside words and capitalises accented initials', () => {
    expect(titleCase('ÉLODIE BRONTË')).toBe('Élodie Brontë');
    expect(titleCase('zoë')).toBe('Zoë');
  });

  it('does not capitalise after digits', () => {
    expect(titleCase('flat 3b')).toBe('Flat 3b');
  });

  it('leaves blank text blank', () => {
    expect(run(['title'], '  ')).toBe('  ');
  });
});

describe('substring', () => {
  it('takes code points from start for length', () => {
    expect(run([{ substring: { start: 0, length: 3 } }], 'LS14AP')).toBe('LS1');
    expect(run([{ substring: { start: 3 } }], 'LS14AP')).toBe('4AP');
  });

  it('counts characters outside the BMP as one', () => {
    expect(run([{ substring: { start: 1, length: 2 } }], 'a😀bc')).toBe('😀b');
  });

  it('returns empty text past the end and passes null through', () => {
    expect(run([{ substring: { start: 10, length: 2 } }], 'abc')).toBe('');
    expect(run([{ substring: { start: 0, length: 2 } }], '')).toBe('');
    expect(run([{ substring: { start: 0, length: 2 } }], null)).toBeNull();
  });

  it('fails on binary data', () => {
    expect(run([{ substring: { start: 0 } }], binary)).toMatchObject(failure('f.substring', 'transform.type'));
  });
});

describe('pad', () => {
  it('pads on the left with spaces by default', () => {
    expect(run([{ pad: { length: 5 } }], 'ab')).toBe('   ab');
  });

  it('zero-fills a number to a fixed-width code', () => {
    expect(run([{ pad: { length: 6, char: '0' } }], 42)).toBe('000042');
  });

  it('pads on the right and never truncates', () => {
    expect(run([{ pad: { length: 4, char: '.', side: 'right' } }], 'ab')).toBe('ab..');
    expect(run([{ pad: { length: 2, char: '0' } }], '12345')).toBe('12345');
  });

  it('counts code points, pads blank text and passes null through', () => {
    expect(run([{ pad: { length: 3, char: '-' } }], '😀')).toBe('--😀');
    expect(run([{ pad: { length: 2, char: '0' } }], '')).toBe('00');
    expect(run([{ pad: { length: 2 } }], null)).toBeNull();
  });
});

describe('split', () => {
  it('returns the indexed part', () => {
    expect(run([{ split: { separator: '^', index: 0 } }], 'SMITH^JOHN^A')).toBe('SMITH');
    expect(run([{ split: { separator: '^', index: 2 } }], 'SMITH^JOHN^A')).toBe('A');
    expect(run([{ split: { separator: ', ', index: 1 } }], 'Smith, John')).toBe('John');
  });

  it('returns null for a missing part, and the whole text for index 0 without a separator', () => {
    expect(run([{ split: { separator: '^', index: 3 } }], 'SMITH^JOHN^A')).toBeNull();
    expect(run([{ split: { separator: '^', index: 0 } }], 'SMITH')).toBe('SMITH');
    expect(run([{ split: { separator: '^', index: 1 } }], '')).toBeNull();
  });

  it('keeps empty parts between adjacent separators', () => {
    expect(run([{ split: { separator: '^', index: 1 } }], 'SMITH^^A')).toBe('');
  });

  it('passes null through', () => {
    expect(run([{ split: { separator: '^', index: 0 } }], null)).toBeNull();
  });
});

describe('regex_replace', () => {
  it('replaces every match by default and supports groups', () => {
    expect(run([{ regex_replace: { pattern: '\\s+', replacement: '' } }], 'LS1 4 AP')).toBe('LS14AP');
    expect(run([{ regex_replace: { pattern: '^(\\d{3})(\\d{3})(\\d{4})$', replacement: '$1 $2 $3' } }], '9434765919')).toBe('943 476 5919');
  });

  it('honours flags and is stable across rows despite the global flag', () => {
    const steps = [{ regex_replace: { pattern: 'mr\\.?\\s', replacement: '', flags: 'gi' } }];
    expect(run(steps, 'MR. SMITH')).toBe('SMITH');
    expect(run(steps, 'Mr Jones')).toBe('Jones');
  });

  it('leaves text without a match and blank text as they are, and passes null through', () => {
    const steps = [{ regex_replace: { pattern: 'x', replacement: 'y' } }];
    expect(run(steps, 'abc')).toBe('abc');
    expect(run(steps, '  ')).toBe('  ');
    expect(run(steps, null)).toBeNull();
  });

  it('rejects an invalid pattern when compiling, naming the step', () => {
    expect(() => run([{ regex_replace: { pattern: '(', replacement: '' } }], 'a', { name: 'postcode' })).toThrowError(
      expect.objectContaining({ code: 'contract.bad_regex', message: expect.stringContaining('postcode.regex_replace') }),
    );
    expect(() => run([{ regex_replace: { pattern: '(', replacement: '' } }], 'a')).toThrow(FerryError);
  });
});

describe('concat', () => {
  it('joins the current value and the columns with the separator', () => {
    expect(run([{ concat: { columns: ['B', 'C'] } }], 'John', { rest: ['Paul', 'Smith'] })).toBe('John Paul Smith');
    expect(run([{ concat: { columns: ['P.NAME'], separator: ', ' } }], 'Smith', { rest: [null, null, null, 'Leeds'] })).toBe('Smith, Leeds');
  });

  it('skips nulls and blanks wherever they are', () => {
    expect(run([{ concat: { columns: ['B', 'C'] } }], null, { rest: ['Paul', 'Smith'] })).toBe('Paul Smith');
    expect(run([{ concat: { columns: ['B', 'C'] } }], 'John', { rest: ['  ', 'Smith'] })).toBe('John Smith');
    expect(run([{ concat: { columns: ['B', 'C'] } }], '', { rest: [null, 'Smith'] })).toBe('Smith');
  });

  it('is null when every part is null or blank', () => {
    expect(run([{ concat: { columns: ['B', 'C'] } }], null, { rest: [null, ' '] })).toBeNull();
  });

  it('uses the string form of numbers and fails on binary data', () => {
    expect(run([{ concat: { columns: ['B'], separator: '-' } }], 'Flat', { rest: [3] })).toBe('Flat-3');
    expect(run([{ concat: { columns: ['B'] } }], 'x', { rest: [binary] })).toMatchObject(failure('f.concat', 'transform.type'));
  });
});
