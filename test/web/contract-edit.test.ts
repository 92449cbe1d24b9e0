/**
 * The wizard's review applied to a real draft (profile → suggest → draft of synthetic PAS data,
 * as the server's suggest route makes it): accepted, changed and rejected fields, rationales,
 * crosswalks from codes mapped in place, thresholds per tier; the result must load with the
 * library's contract loader exactly as a submitted version would.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/connectors/registry.js';
import { loadContract } from '../../src/contract/load.js';
import { parseDdl } from '../../src/profile/ddl.js';
import { draftContractText } from '../../src/profile/draft.js';
import { profileSource } from '../../src/profile/profile.js';
import { suggestMappings } from '../../src/profile/suggest.js';
import { uniformRates } from '../../src/synth/defects.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { applyReview, mappingSources, thresholdError, type Thresholds } from '../../web/src/contract-edit.js';
import { tempDir } from '../helpers/tmp.js';

let dir: { dir: string; cleanup: () => Promise<void> };
let draft: string;
let suggestions: ReturnType<typeof suggestMappings>['suggestions'];

const NO_THRESHOLDS: Thresholds = { pre_production: {}, staging: {}, production: {} };

beforeAll(async () => {
  dir = await tempDir('ferry-contract-edit-');
  await generateToCsv({ seed: 3, patients: 40, rates: uniformRates(0), dir: path.join(dir.dir, 'pas') });
  const sql = await readFile(path.resolve('bench/automap/target-epr.sql'), 'utf8');
  const ddl = parseDdl(sql.slice(sql.indexOf('CREATE TABLE patient ('), sql.indexOf('CREATE TABLE gp_registration')));
  const source = await openSource(`csv:${path.join(dir.dir, 'pas')}`);
  try {
    const profile = await profileSource(source, { tables: ['PAT_MAST', 'PAT_ADDR'] });
    const result = suggestMappings(profile, ddl);
    suggestions = result.suggestions;
    draft = draftContractText(profile, ddl, result, 'draft');
  } finally {
    await source.close();
  }
});
afterAll(() => dir.cleanup());

/** Writes the reviewed contract and its crosswalks, and loads it as the server would. */
async function load(reviewed: { yaml: string; crosswalks: Record<string, string> }) {
  const at = path.join(dir.dir, `c-${Math.random().toString(36).slice(2)}`);
  await mkdir(path.join(at, 'crosswalks'), { recursive: true });
  for (const [file, text] of Object.entries(reviewed.crosswalks)) await writeFile(path.join(at, file), text);
  await writeFile(path.join(at, 'contract.yaml'), reviewed.yaml);
  return loadContract(path.join(at, 'contract.yaml'));
}

describe('applyReview', () => {
  it('applies accept, change and reject with rationales, a crosswalk and thresholds, and the result loads', async () => {
    const gender = suggestions.find((s) => s.target === 'patient.person_stated_gender')!;
    const crosswalk = (gender.transforms.find((t) => typeof t === 'object' && t !== null && 'crosswalk' in t) as { crosswalk: string }).crosswalk;
    const reviewed = applyReview(draft, {
      name: 'reviewed',
      version: '0.3.0',
      fields: {
        'patient.nhs_number': { decision: 'accept', rationale: '  National identifier.  ' },
        'patient.title': { decision: 'change', column: 'PAT_TITLE', rationale: 'Title as keyed.' },
        'patient.telephone': { decision: 'reject', rationale: 'Not migrated: held in the new system.' },
        'patient.family_name': { decision: 'accept', rationale: '   ' },
      },
      crosswalks: { [crosswalk]: { target: 'patient.person_stated_gender', codes: { M: '1', F: '2', 'X,Y': '9', U: '' } } },
      thresholds: { ...NO_THRESHOLDS, production: { validity: '99.9', uniqueness: '' }, pre_production: { code_coverage: '90' } },
    });
    const { contract, crosswalks } = await load(reviewed);
    expect(contract.metadata).toMatchObject({ name: 'reviewed', version: '0.3.0' });
    const fields = contract.mappings.patient.fields;
    expect(fields.nhs_number).toMatchObject({ status: 'accepted', rationale: 'National identifier.' });
    expect(fields.title).toMatchObject({ status: 'accepted', from: 'PAT_TITLE', steps: [] });
    expect(fields.telephone).toMatchObject({ status: 'rejected', rationale: 'Not migrated: held in the new system.' });
    // A blank rationale keeps the draft's (a contract rationale may never be blank).
    expect(fields.family_name.rationale).toMatch(/^Draft/);
    expect(fields.person_stated_gender.crosswalk).toBe(crosswalk);
    expect(JSON.stringify(fields.person_stated_gender.steps)).not.toContain('map');
    // Only mapped codes are written; a code with a comma is quoted in the CSV.
    expect(crosswalks[crosswalk].map((e) => [e.source_code, e.target_code])).toEqual([
      ['M', '1'],
      ['F', '2'],
      ['X,Y', '9'],
    ]);
    expect(reviewed.crosswalks[`crosswalks/${crosswalk}.csv`]).toContain('"X,Y",9');
    expect(contract.quality.thresholds.map((t) => [t.kpi, t.fail_below, t.tiers])).toEqual([
      ['code_coverage', 0.9, ['pre_production']],
      ['validity', 0.999, ['production']],
    ]);
  });

  it('leaves the draft’s empty map until at least one code is mapped, and ignores fields with no mapping', async () => {
    const gender = suggestions.find((s) => s.target === 'patient.person_stated_gender')!;
    const crosswalk = (gender.transforms.find((t) => typeof t === 'object' && t !== null && 'crosswalk' in t) as { crosswalk: string }).crosswalk;
    const reviewed = applyReview(draft, {
      name: 'draft',
      version: '0.1.0',
      fields: { 'nowhere.column': { decision: 'reject', rationale: 'x' } },
      crosswalks: { [crosswalk]: { target: 'patient.person_stated_gender', codes: { M: '', F: ' ' } } },
      thresholds: NO_THRESHOLDS,
    });
    expect(reviewed.crosswalks).toEqual({});
    const { contract } = await load(reviewed);
    expect(contract.crosswalks).toEqual({});
    expect(JSON.stringify(contract.mappings.patient.fields.person_stated_gender.steps)).toContain('map');
    expect(contract.mappings.nowhere).toBeUndefined();
  });

  it('reads each target table’s source table from the draft, and validates threshold inputs', () => {
    expect(mappingSources(draft)).toMatchObject({ patient: 'PAT_MAST', patient_address: 'PAT_ADDR' });
    expect(thresholdError('99.5')).toBeNull();
    expect(thresholdError('')).toBeNull();
    expect(thresholdError('101')).toMatch(/between 0 and 100/);
    expect(thresholdError('ninety')).toMatch(/between 0 and 100/);
  });
});
