import { describe, expect, it } from 'vitest';
import { REPORT_FORMAT, type RunStatus, type TableReport } from '../../src/engine/report.js';
import { createQualityCollector } from '../../src/quality/collector.js';
import { formatReport } from '../../src/run/format-report.js';
import { verdictOf } from '../../src/run/quality-verdict.js';
import { RECONCILIATION_PENDING, type RunReport } from '../../src/run/report.js';
import { baseContract, counts } from '../quality/helpers.js';

type Threshold = { kpi: 'completeness' | 'validity' | 'code_coverage'; fail_below: number };

/** A report of one patient table: `read` rows, `quarantined` of them quarantined, under the given thresholds. */
function report(o: { status?: RunStatus; thresholds?: Threshold[]; read?: number; quarantined?: number; warnings?: TableReport['warnings']; quality?: boolean }): RunReport {
  const read = o.read ?? 100;
  const quarantined = o.quarantined ?? 0;
  const loaded = baseContract({ quality: { thresholds: o.thresholds ?? [], checks: [], example_keys: 5 } });
  const quality = createQualityCollector(loaded, { tier: 'staging' }).result([counts('patient', read, read - quarantined, quarantined)]);
  const table: TableReport = {
    table: 'patient',
    source: 'PAT',
    read,
    loaded: read - quarantined,
    quarantined,
    excluded: 0,
    balanced: true,
    elapsedMs: 10,
    rowsPerSecond: null,
    quarantineReasons: quarantined ? [{ reasonCode: 'rule.nhs_number', rule: 'nhs_number: nhs_number', count: quarantined }] : [],
    warnings: o.warnings ?? [],
  };
  return {
    format: REPORT_FORMAT,
    runId: 'run-1',
    status: o.status ?? 'succeeded',
    dryRun: false,
    resumed: false,
    contract: { name: 'unit', version: '1.0.0', digest: 'a'.repeat(64) },
    source: 'csv:src',
    target: 'sqlite:t.db',
    pilot: null,
    startedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: '2026-11-25T10:00:01.000Z',
    elapsedMs: 1000,
    totals: { read, loaded: read - quarantined, quarantined, excluded: 0 },
    rowsPerSecond: null,
    tables: [table],
    quarantineReasons: table.quarantineReasons,
    ...(o.quality === false ? {} : { quality }),
  };
}

describe('the console summary states the quality gates as they are', () => {
  it('says no gates were declared, and shows heavy quarantine, instead of PASS', () => {
    const text = formatReport(report({ read: 100, quarantined: 59 }));
    expect(text).not.toMatch(/PASS/);
    expect(text).toContain('quality gates (staging): none declared in the contract for this tier');
    expect(text).toContain('59 of 100 rows read (59.00%) were quarantined and no gate judged that');
  });

  it('decides nothing for a run that failed or was cancelled before its load finished', () => {
    for (const status of ['failed', 'cancelled'] as const) {
      const gated = formatReport(report({ status, thresholds: [{ kpi: 'completeness', fail_below: 0.5 }] }));
      expect(gated).not.toMatch(/PASS/);
      expect(gated).toContain(`quality gates (staging): NOT DECIDED — the run ${status} before its load finished`);
      const unmeasured = formatReport(report({ status, quality: false }));
      expect(unmeasured).not.toMatch(/PASS/);
      expect(unmeasured).toContain('quality gates: not measured');
    }
  });

  it('still says PASS when declared gates passed', () => {
    expect(formatReport(report({ thresholds: [{ kpi: 'completeness', fail_below: 0.5 }] }))).toContain('quality gates (staging): PASS');
  });
});

describe('the JSON verdict says what the console says', () => {
  it('states the decision only when gates decided one, and why not otherwise', () => {
    const gate = [{ kpi: 'completeness' as const, fail_below: 0.5 }];
    expect(verdictOf(report({ thresholds: gate }))).toBe('pass');
    const failing = report({ thresholds: gate });
    failing.quality!.decision = 'fail';
    expect(verdictOf(failing)).toBe('fail');
    // The collector says pass when nothing was declared; the verdict does not.
    const undeclared = report({});
    expect(undeclared.quality?.decision).toBe('pass');
    expect(verdictOf(undeclared)).toBe('none_declared');
    for (const status of ['failed', 'cancelled'] as const) {
      expect(verdictOf(report({ status, thresholds: gate }))).toBe('not_decided');
      expect(verdictOf(report({ status, quality: false }))).toBe('not_measured');
    }
  });

  it('says the reconciliation, not the load, is what a run with a failed reconciliation did not finish', () => {
    const r = report({ status: 'failed', thresholds: [{ kpi: 'completeness', fail_below: 0.5 }] });
    r.error = { code: RECONCILIATION_PENDING.failed, message: 'the end-of-run reconciliation failed (…)' };
    expect(formatReport(r)).toContain('NOT DECIDED — the run failed before its reconciliation finished');
  });
});

describe('the console summary shows warnings', () => {
  it('per table where there are any, and in total', () => {
    const text = formatReport(
      report({
        warnings: [
          { reasonCode: 'rule.postcode', rule: 'postcode: postcode', count: 7 },
          { reasonCode: 'rule.age', rule: 'plausible_age', count: 2 },
        ],
      }),
    );
    expect(text).toContain('9 warning(s), rows loaded: 7 × rule.postcode (postcode: postcode), 2 × rule.age (plausible_age)');
    expect(text).toContain('warnings: 9 in total');
  });

  it('not at all when there are none', () => {
    expect(formatReport(report({}))).not.toContain('warning');
  });
});
