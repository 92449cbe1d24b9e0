import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract/load.js';
import { ruleParts, stepParts } from '../../src/contract/model.js';
import { applyThresholds } from '../../src/quality/thresholds.js';
import { TIERS } from '../../src/contract/model.js';
import { hazardFor, hazardLogDigest, parseHazardLog, patternScore, riskRating, RISK_MATRIX, type SignalKey } from '../../src/control/hazard-log.js';
import { type FerryError } from '../../src/errors.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/legacy-pas');

const hazard = (id: string, evidence: string[]) =>
  `  - id: ${id}\n    title: T ${id}\n    description: d\n    cause: c\n    effect: e\n    severity: 4\n    likelihood: 2\n    residual: { severity: 4, likelihood: 1 }\n    owner: CSO\n    status: open\n    evidence: [${evidence.map((e) => `'${e}'`).join(', ')}]\n`;
const log = (...hazards: string[]) => `format: ferry.hazards/v1\nhazards:\n${hazards.join('')}`;

function parseError(text: string, file = 'h.yaml'): FerryError {
  try {
    parseHazardLog(text, file);
  } catch (e) {
    return e as FerryError;
  }
  throw new Error('parsed');
}

describe('the DCB0129 risk matrix', () => {
  // Rows: likelihood very low → very high; columns: severity minor → catastrophic (DCB0129 guidance).
  const expected: Array<[likelihood: number, ratings: number[]]> = [
    [1, [1, 1, 2, 2, 3]],
    [2, [1, 2, 2, 3, 4]],
    [3, [2, 2, 3, 3, 4]],
    [4, [2, 3, 3, 4, 5]],
    [5, [3, 4, 4, 5, 5]],
  ];
  const cells = expected.flatMap(([likelihood, row]) => row.map((rating, i) => [i + 1, likelihood, rating] as const));
  it.each(cells)('severity %i, likelihood %i rates %i', (severity, likelihood, rating) => {
    expect(riskRating(severity, likelihood)).toBe(rating);
  });
  it('has 25 cells and refuses levels outside 1..5', () => {
    expect(RISK_MATRIX.flat()).toHaveLength(25);
    expect(() => riskRating(0, 3)).toThrow(/1 to 5/);
    expect(() => riskRating(3, 6)).toThrow(/1 to 5/);
  });
});

describe('parseHazardLog', () => {
  it('parses a log and digests its meaning, not its layout', () => {
    const a = parseHazardLog(log(hazard('H-001', ['gate:*'])));
    expect(a.hazards[0]).toMatchObject({ id: 'H-001', severity: 4, controls: [], evidence: ['gate:*'] });
    const b = parseHazardLog(`# comment\n${log(hazard('H-001', ['gate:*'])).replace('severity: 4\n', 'severity:   4 # four\n')}`);
    expect(hazardLogDigest(b)).toBe(hazardLogDigest(a));
    expect(hazardLogDigest(parseHazardLog(log(hazard('H-001', ['gate:x']))))).not.toBe(hazardLogDigest(a));
  });

  it('reports schema problems with file, line and column', () => {
    const text = log(hazard('H-001', ['gate:*']), hazard('H-002', ['gate:*']).replace('severity: 4', 'severity: 7').replace("'gate:*'", "'magic:*'"));
    const e = parseError(text);
    expect(e.code).toBe('hazards.invalid');
    const lines = text.split('\n');
    const sev = e.issues.find((i) => i.path === 'hazards[1].severity');
    expect(sev).toMatchObject({ file: 'h.yaml', code: 'hazards.too_big' });
    expect(lines[(sev?.line ?? 0) - 1]).toContain('severity: 7');
    const ev = e.issues.find((i) => i.path === 'hazards[1].evidence[0]');
    expect(ev?.message).toContain('kind:name[@table]');
    expect(lines[(ev?.line ?? 0) - 1]).toContain('magic:*');
  });

  it('reports YAML syntax, unknown keys and duplicate ids at their positions', () => {
    expect(parseError('format: ferry.hazards/v1\nhazards: [\n').issues[0]).toMatchObject({ code: 'hazards.yaml_syntax', file: 'h.yaml' });
    const unknown = parseError(log(hazard('H-001', []).replace('    owner: CSO\n', '    owner: CSO\n    ownr: x\n')));
    expect(unknown.issues[0]).toMatchObject({ code: 'hazards.unknown_key', line: 12, column: 5 });
    const dup = parseError(log(hazard('H-001', []), hazard('H-001', [])));
    expect(dup.issues[0]).toMatchObject({ code: 'hazards.duplicate_id', path: 'hazards[1].id', line: 14 });
  });
});

describe('a hostile hazard log', () => {
  it('refuses a YAML alias bomb at its position without expanding it', () => {
    let text = 'format: ferry.hazards/v1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    text += 'hazards: *a8\n';
    const err = parseError(text, 'bomb.yaml');
    expect(err.code).toBe('hazards.invalid');
    expect(err.issues[0]).toMatchObject({ code: 'hazards.yaml_syntax', file: 'bomb.yaml', line: 1 });
    expect(err.issues[0].message).toContain('alias');
  });
});

describe('signal patterns', () => {
  it('matches exact names, trailing * prefixes and an optional @table', () => {
    const q: SignalKey = { signal: 'quarantine:rule.nhs_number', table: 'patient' };
    expect(patternScore('quarantine:rule.nhs_number', q)).not.toBeNull();
    expect(patternScore('quarantine:*', q)).not.toBeNull();
    expect(patternScore('quarantine:*@patient', q)).not.toBeNull();
    expect(patternScore('quarantine:*@pat*', q)).not.toBeNull();
    expect(patternScore('quarantine:*@allergy', q)).toBeNull();
    expect(patternScore('quarantine:rule.date', q)).toBeNull();
    expect(patternScore('gate:*', q)).toBeNull();
    expect(patternScore('gate:patient.*', { signal: 'gate:patient.validity' })).not.toBeNull();
    expect(patternScore('gate:*@patient', { signal: 'gate:patient.validity' })).toBeNull();
  });

  it('assigns a signal to the hazard naming it most specifically, then to the earlier hazard', () => {
    const doc = parseHazardLog(
      log(hazard('H-001', ['quarantine:*']), hazard('H-002', ['quarantine:rule.*@patient']), hazard('H-003', ['quarantine:rule.nhs_number']), hazard('H-004', ['quarantine:*'])),
    );
    expect(hazardFor(doc, { signal: 'quarantine:rule.nhs_number', table: 'patient' })?.id).toBe('H-003');
    expect(hazardFor(doc, { signal: 'quarantine:rule.date', table: 'patient' })?.id).toBe('H-002');
    expect(hazardFor(doc, { signal: 'quarantine:rule.date', table: 'allergy' })?.id).toBe('H-001');
    expect(hazardFor(doc, { signal: 'gate:overall.validity' })).toBeNull();
  });
});

/** Every signal the example contract can raise (signalsFromReport's names over its tables, rules, steps, crosswalks and thresholds). */
async function exampleSignals(): Promise<SignalKey[]> {
  const { contract } = await loadContract(path.join(EXAMPLE, 'contract.yaml'));
  const out: SignalKey[] = [];
  const tables = Object.keys(contract.mappings);
  for (const tier of TIERS) for (const a of applyThresholds(contract.quality.thresholds, tier, tables)) out.push({ signal: `gate:${a.table ?? 'overall'}.${a.threshold.kpi}` });
  for (const [table, m] of Object.entries(contract.mappings)) {
    out.push({ signal: `reconciliation:${table}` });
    const codes = new Set(['parent.quarantined', 'target.not_null', 'target.too_long', 'target.type']);
    for (const f of Object.values(m.fields)) {
      for (const r of f.rules ?? []) codes.add(`rule.${ruleParts(r).name}`);
      for (const s of f.steps ?? []) codes.add(stepParts(s).name === 'lookup' ? 'transform.lookup_missing' : `transform.${stepParts(s).name}`);
      if (f.crosswalk) {
        codes.add('crosswalk.unmapped');
        out.push({ signal: `crosswalk:${f.crosswalk}`, table });
      }
    }
    for (const r of m.row_rules ?? []) codes.add(`row_rule.${r.name}`);
    for (const code of codes) out.push({ signal: `quarantine:${code}`, table });
  }
  for (const b of contract.reconciliation) out.push({ signal: `reconciliation:${b.name}` });
  for (const c of contract.quality.checks) {
    out.push({ signal: `check:${c.name}` });
    out.push({ signal: 'quarantine:check.allergy_conflict', table: c.allergy_conflict.medication.table });
  }
  out.push({ signal: 'review:discrepancy' });
  return out;
}

describe('the starter hazard log of the example', () => {
  it('is a valid log whose every evidence pattern names a signal the example contract can raise', async () => {
    const doc = parseHazardLog(await readFile(path.join(EXAMPLE, 'hazards.yaml'), 'utf8'), 'hazards.yaml');
    expect(doc.hazards.length).toBeGreaterThanOrEqual(10);
    const signals = await exampleSignals();
    const dead = doc.hazards.flatMap((h) => h.evidence.filter((p) => !signals.some((s) => patternScore(p, s) !== null)).map((p) => `${h.id} ${p}`));
    expect(dead).toEqual([]);
    expect(hazardFor(doc, { signal: 'quarantine:rule.nhs_number', table: 'patient' })?.id).toBe('H-003');
    expect(hazardFor(doc, { signal: 'reconciliation:allergies_per_substance' })?.id).toBe('H-004');
    expect(hazardFor(doc, { signal: 'check:allergy_medication_conflict' })?.id).toBe('H-005');
    expect(hazardFor(doc, { signal: 'review:discrepancy' })?.id).toBe('H-014');
  });
});
