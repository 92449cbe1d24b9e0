import { describe, expect, it } from 'vitest';
import { contractDigest } from '../../src/contract/canonical.js';
import { diffContracts } from '../../src/contract/diff.js';
import { documentContract } from '../../src/contract/document.js';
import { issuesOf, lines, loadText, VALID_TEXT, variant } from './fixtures.js';

// The valid fixture's patient mapping with a `sync:` block inserted before its fields.
const withSync = (block: string, ...more: Array<[string, string]>) => variant(['    source: PATIENT\n', `    source: PATIENT\n    sync:\n${block}`], ...more);

describe('mapping sync block (watermark sync)', () => {
  it('accepts a change column with a not-null marker and one with a marker value', async () => {
    const a = await loadText(withSync('      change_column: PAT_ID\n      delete_marker: { column: STATUS }\n'));
    expect(a.contract.mappings.patient.sync).toEqual({ change_column: 'PAT_ID', delete_marker: { column: 'STATUS' } });
    const b = await loadText(withSync("      change_column: DOB\n      delete_marker: { column: STATUS, deleted: 'Y' }\n"));
    expect(b.contract.mappings.patient.sync?.delete_marker?.deleted).toBe('Y');
  });

  it('leaves the digest of a contract without the block unchanged, and changes it with one', async () => {
    const plain = await loadText(VALID_TEXT);
    expect(plain.contract.mappings.patient.sync).toBeUndefined();
    // The fixture's digest as it was before `sync:` existed: the canonical form has no `sync` key.
    expect(JSON.stringify(plain.contract.mappings.patient)).not.toContain('sync');
    const synced = await loadText(withSync('      change_column: PAT_ID\n'));
    expect(contractDigest(synced)).not.toBe(contractDigest(plain));
  });

  it('shows a changed sync block in the contract diff', async () => {
    const a = await loadText(withSync('      change_column: PAT_ID\n'));
    const b = await loadText(withSync('      change_column: DOB\n'));
    const changes = diffContracts(a, b).changes.filter((c) => c.property === 'sync');
    expect(changes).toHaveLength(1);
    expect(changes[0].path).toBe('patient');
  });

  it('is described in the data migration specification, and absent from it without a block', async () => {
    const synced = await loadText(withSync("      change_column: DOB\n      delete_marker: { column: STATUS, deleted: 'Y' }\n"));
    expect(documentContract(synced, { format: 'md' })).toContain('polled by change column DOB; a row is deleted when STATUS is "Y"');
    expect(documentContract(await loadText(VALID_TEXT), { format: 'md' })).not.toContain('Incremental sync');
  });

  it('rejects an unknown change column with a positioned error', async () => {
    const issues = await issuesOf(loadText(withSync('      change_column: UPDATED_AT\n')));
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual(['contract.sync_column_unknown mappings.patient.sync.change_column']);
    expect(issues[0].message).toBe("change column 'UPDATED_AT' is not a column of source table PATIENT");
    expect(lines(issues)[0]).toMatch(/^contract\.yaml:52:22: /);
  });

  it('rejects an unknown delete marker column', async () => {
    const issues = await issuesOf(loadText(withSync('      change_column: PAT_ID\n      delete_marker: { column: STATU }\n')));
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual(['contract.sync_column_unknown mappings.patient.sync.delete_marker.column']);
    expect(issues[0].message).toBe("delete marker column 'STATU' is not a column of source table PATIENT (did you mean 'STATUS'?)");
    expect(issues[0].line).toBe(53);
  });

  it('rejects a change column of a type a watermark cannot order', async () => {
    const issues = await issuesOf(loadText(withSync('      change_column: FLAG\n', ['        STATUS: { type: text }\n', '        STATUS: { type: text }\n        FLAG: { type: boolean }\n'])));
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual(['contract.sync_change_column_type mappings.patient.sync.change_column']);
    expect(issues[0].message).toMatch(/^change column 'FLAG' is boolean; a watermark needs an integer, timestamp, date or text column/);
  });

  it('rejects unknown keys and a missing change column at the schema stage', async () => {
    const unknown = await issuesOf(loadText(withSync('      change_column: PAT_ID\n      poll: 5\n')));
    expect(unknown.map((i) => `${i.code} ${i.path}`)).toEqual(['contract.unknown_key mappings.patient.sync.poll']);
    const missing = await issuesOf(loadText(withSync('      delete_marker: { column: STATUS }\n')));
    expect(missing.map((i) => i.code)).toEqual(['contract.missing_key']);
    expect(missing[0].path).toBe('mappings.patient.sync.change_column');
  });
});
