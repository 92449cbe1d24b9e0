import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { loadReferenceList, REFERENCE_DIR, referenceListNames } from '../../src/reference/code-lists.js';

describe('shipped NHS Data Dictionary reference lists', () => {
  it('ships every list the contract authors need, and only those the index names', async () => {
    const files = (await readdir(REFERENCE_DIR)).filter((f) => f.endsWith('.csv')).map((f) => f.replace(/\.csv$/, ''));
    expect(files.sort()).toEqual([...referenceListNames()].sort());
    for (const name of ['person-stated-gender', 'ethnic-category', 'marital-status', 'admission-method', 'admission-source', 'discharge-method', 'discharge-destination', 'attendance-status'])
      expect(referenceListNames()).toContain(name);
  });

  it('gives every list unique, non-empty codes with displays', async () => {
    for (const name of referenceListNames()) {
      const list = await loadReferenceList(name);
      expect(list.codes.length, name).toBeGreaterThan(2);
      expect(new Set(list.codes.map((c) => c.code)).size, name).toBe(list.codes.length);
      for (const c of list.codes) {
        expect(c.code, name).toMatch(/^[0-9A-Z]{1,2}$/);
        expect(c.display.trim(), `${name} ${c.code}`).not.toBe('');
      }
    }
  });

  it('carries the national codes as published', async () => {
    const gender = await loadReferenceList('person-stated-gender');
    expect(gender.codes.map((c) => [c.code, c.display])).toEqual([
      ['1', 'Male'],
      ['2', 'Female'],
      ['9', 'Indeterminate (unable to be classified as either male or female)'],
      ['X', 'Not Known (not recorded)'],
    ]);
    const attendance = await loadReferenceList('attendance-status');
    expect(attendance.codes.map((c) => c.code)).toEqual(['5', '6', '7', '2', '3', '4', '0']);
    expect(attendance.codes.find((c) => c.code === '3')?.display).toBe('Did not attend - no advance warning given');
    const discharge = await loadReferenceList('discharge-method');
    // Code 2 is kept for Commissioning Data Set use alongside the MHSDS-only 6 and 7.
    expect(discharge.codes.map((c) => c.code).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const ethnic = await loadReferenceList('ethnic-category');
    expect(ethnic.codes.map((c) => c.code)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'Z', '99']);
  });

  it('refuses an unknown list name and suggests the closest', async () => {
    const err = await loadReferenceList('discharge-methods').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).kind).toBe('usage');
    expect((err as FerryError).message).toContain("did you mean 'discharge-method'");
  });
});
