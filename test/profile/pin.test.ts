import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { pinIntoYaml } from '../../src/profile/pin.js';
import type { PinnedTable } from '../../src/profile/pinned-schema.js';

const LONG = `Patient master index as exported by the legacy PAS every night, including merged and test records that the contract filters out before loading`;

const CONTRACT = `apiVersion: ferry/v1
metadata:
  name: pas_to_epr
  version: 1.0.0
  description: ${LONG}
  owner: >
    The data migration team, who answer questions about this contract
    and sign off each version before it reaches production.
source:
  kind: postgres
  tables:
    # the master index
    PAT_MAST:
      description: "${LONG}"
      primary_key: [PAT_ID]
      columns:
        PAT_ID: { type: integer }   # surrogate key

    ADMISSION:
      description: |
        Spells.
        One row per admission.
      columns:
        ADM_ID: { type: integer }
mappings: {}
`;

const pinned: PinnedTable = { primary_key: ['PAT_ID'], columns: { PAT_ID: { type: 'integer' }, NHS_NO: { type: 'text' } } };

describe('pinIntoYaml keeps the layout of what it does not change', () => {
  it('keeps a long description line and a folded paragraph byte for byte, and every other table as written', () => {
    const r = pinIntoYaml(CONTRACT, { PAT_MAST: pinned });
    const lines = r.text.split('\n');
    expect(lines).toContain(`  description: ${LONG}`);
    const start = CONTRACT.indexOf('    PAT_MAST:');
    const end = CONTRACT.indexOf('\n    ADMISSION:');
    // Everything before the replaced table and from the next table on is untouched.
    expect(r.text.startsWith(CONTRACT.slice(0, start))).toBe(true);
    expect(r.text.endsWith(CONTRACT.slice(end))).toBe(true);
    const doc = parseDocument(r.text).toJS() as { source: { tables: Record<string, { description?: string; columns: object }> } };
    expect(doc.source.tables.PAT_MAST!.description).toBe(LONG);
    expect(Object.keys(doc.source.tables.PAT_MAST!.columns)).toEqual(['PAT_ID', 'NHS_NO']);
    expect(r.replaced).toEqual(['PAT_MAST']);
  });

  it('appends a new table after the last one at the same indentation, leaving the rest unchanged', () => {
    const r = pinIntoYaml(CONTRACT, { WARD: { primary_key: [], columns: { WARD_CODE: { type: 'text' } } } });
    expect(r.added).toEqual(['WARD']);
    const at = CONTRACT.indexOf('mappings: {}');
    expect(r.text.slice(0, at)).toBe(CONTRACT.slice(0, at));
    expect(r.text.slice(at)).toBe('    WARD:\n      primary_key: []\n      columns:\n        WARD_CODE:\n          type: text\nmappings: {}\n');
    expect(r.kept).toEqual(['PAT_MAST', 'ADMISSION']);
  });
});
