// Address columns told by position: a generic address of more lines than the target's holds its
// places in order after them (LINE3 the town, LINE4 the county), and a single unnumbered address
// column is the first line.
import { describe, expect, it } from 'vitest';
import { addressLineNumber, addressPositionSimilarity, ROLE_SIMILARITY } from '../../src/profile/evidence.js';
import { analyseName, resolveConcepts } from '../../src/profile/names.js';

const concepts = (name: string) => resolveConcepts(analyseName(name));
const places = [['town'], ['county']];

describe('address lines by position', () => {
  it('numbers a line whatever its spelling', () => {
    expect(addressLineNumber(concepts('LINE3'))).toBe(3);
    expect(addressLineNumber(concepts('address_line_4'))).toBe(4);
    expect(addressLineNumber(concepts('town'))).toBeNull();
  });

  it("reads the lines past the target's as its places, in order", () => {
    expect(addressPositionSimilarity(['town'], 2, places, concepts('LINE3'))).toBe(ROLE_SIMILARITY);
    expect(addressPositionSimilarity(['county'], 2, places, concepts('LINE4'))).toBe(ROLE_SIMILARITY);
    expect(addressPositionSimilarity(['county'], 2, places, concepts('LINE3'))).toBe(0);
    expect(addressPositionSimilarity(['town'], 2, places, concepts('LINE2'))).toBe(0);
  });

  it('takes a single unnumbered address for the first line only', () => {
    expect(addressPositionSimilarity(concepts('line1'), 2, places, concepts('ADDRESS'))).toBe(ROLE_SIMILARITY);
    expect(addressPositionSimilarity(concepts('line2'), 2, places, concepts('ADDRESS'))).toBe(0);
  });
});
