import { describe, expect, it } from 'vitest';
import type { CrosswalkEntry } from '../../src/contract/model.js';
import { checkCrosswalk } from '../../src/crosswalk/check.js';
import { loadReferenceList } from '../../src/reference/code-lists.js';

const e = (source_code: string, target_code: string, target_display: string): CrosswalkEntry => ({
  source_code,
  target_code,
  target_display,
  equivalence: 'equivalent',
  note: '',
});

describe('checkCrosswalk', () => {
  it('fails on target codes outside the national list, naming the source codes that use them', async () => {
    const list = await loadReferenceList('person-stated-gender');
    const r = checkCrosswalk([e('M', '1', 'Male'), e('F', '2', 'Female'), e('U', '0', 'Not known'), e('N', '0', 'Not known'), e('x', 'x', 'not known')], list);
    expect(r.ok).toBe(false);
    // National codes are case-sensitive: 'x' is not 'X'.
    expect(r.unknown_targets).toEqual([
      { target_code: '0', target_display: 'Not known', source_codes: ['U', 'N'] },
      { target_code: 'x', target_display: 'not known', source_codes: ['x'] },
    ]);
    expect(r.unused_reference_codes.map((c) => c.code)).toEqual(['9', 'X']);
  });

  it('passes with display mismatches as warnings, ignoring case and spacing differences', async () => {
    const list = await loadReferenceList('person-stated-gender');
    const r = checkCrosswalk([e('M', '1', 'MALE'), e('F', '2', ' Female  '), e('I', '9', 'Indeterminate'), e('U', 'X', 'Not  known (not recorded)')], list);
    expect(r.ok).toBe(true);
    expect(r.unknown_targets).toEqual([]);
    expect(r.display_mismatches).toEqual([
      { source_code: 'I', target_code: '9', target_display: 'Indeterminate', reference_display: 'Indeterminate (unable to be classified as either male or female)' },
    ]);
    expect(r.unused_reference_codes).toEqual([]);
  });
});
