import { describe, expect, it } from 'vitest';
import type { CrosswalkEntry } from '../../src/contract/model.js';
import { diffCrosswalks } from '../../src/crosswalk/diff.js';

const e = (source_code: string, target_code: string, target_display: string, equivalence = 'equivalent', note = ''): CrosswalkEntry => ({
  source_code,
  target_code,
  target_display,
  equivalence,
  note,
});

describe('diffCrosswalks', () => {
  const before = [e('M', '1', 'Male'), e('F', '2', 'Female'), e('U', '0', 'Not known'), e('I', '9', 'Indeterminate'), e('O', '9', 'Other')];
  const after = [
    e('M', '1', 'Male', 'equivalent', 'note edits are not changes'),
    e('F', '2', 'Female', 'wider'),
    e('U', 'X', 'Not Known (not recorded)'),
    e('I', '9', 'Indeterminate (unable to be classified as either male or female)', 'narrower'),
    e('N', 'X', 'Not Known (not recorded)'),
  ];

  it('sorts every code into added, removed, target, display and equivalence changes', () => {
    const d = diffCrosswalks(before, after);
    expect(d.added.map((x) => x.source_code)).toEqual(['N']);
    expect(d.removed.map((x) => x.source_code)).toEqual(['O']);
    expect(d.target_changed).toEqual([{ source_code: 'U', old: before[2], new: after[2] }]);
    expect(d.display_changed.map((c) => c.source_code)).toEqual(['I']);
    expect(d.equivalence_changed.map((c) => c.source_code)).toEqual(['F', 'I']);
    expect(d.unchanged).toBe(1);
    expect(d.identical).toBe(false);
  });

  it('reports a re-cased code as unchanged when codes are compared ignoring case, and as removed plus added otherwise', () => {
    const lower = [e('m', '1', 'Male')];
    const upper = [e(' M', '1', 'Male')];
    expect(diffCrosswalks(lower, upper)).toMatchObject({ identical: true, unchanged: 1 });
    const exact = diffCrosswalks(lower, upper, { caseInsensitive: false });
    expect(exact.added.map((x) => x.source_code)).toEqual([' M']);
    expect(exact.removed.map((x) => x.source_code)).toEqual(['m']);
  });

  it('is identical for the same entries in another order', () => {
    expect(diffCrosswalks(before, [...before].reverse())).toMatchObject({ identical: true, unchanged: 5 });
  });
});
