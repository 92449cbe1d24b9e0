import { describe, expect, it } from 'vitest';
import { REPORT_FORMAT } from '../../src/engine/report.js';
import type { RunReport } from '../../src/run/report.js';
import { createQualityCollector } from '../../src/quality/collector.js';
import { axisMin, kpiChart } from '../../src/quality/html-charts.js';
import { esc } from '../../src/quality/html-escape.js';
import { renderQualityHtml } from '../../src/run/html-report.js';
import { baseContract, counts, feed, outcome } from '../quality/helpers.js';

function report(): RunReport {
  const loaded = baseContract({ quality: { thresholds: [{ kpi: 'code_coverage', fail_below: 0.9 }], checks: [], example_keys: 5 } });
  const c = createQualityCollector(loaded, { tier: 'staging' });
  const obs = c.forTable('patient');
  obs.seen('sex', '<img src=x onerror=alert(1)>', false);
  obs.seen('sex', 'M', true);
  feed(c, outcome(loaded, 'patient', [], [], [{ sourceKey: 'K<1>&"', rule: 'sex.crosswalk', reasonCode: 'crosswalk.unmapped' }]));
  const quality = c.result([counts('patient', 2, 1, 1)]);
  return {
    format: REPORT_FORMAT,
    runId: 'run-1',
    status: 'failed_gate',
    dryRun: true,
    resumed: false,
    contract: { name: 'unit', version: '1.0.0', digest: 'a'.repeat(64) },
    source: 'csv:/data/<export>',
    target: null,
    pilot: null,
    startedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: '2026-11-25T10:00:01.000Z',
    elapsedMs: 1000,
    totals: { read: 2, loaded: 1, quarantined: 1, excluded: 0 },
    rowsPerSecond: 2,
    tables: [
      {
        table: 'patient',
        source: 'PAT',
        read: 2,
        loaded: 1,
        quarantined: 1,
        excluded: 0,
        balanced: true,
        elapsedMs: 1,
        rowsPerSecond: 2,
        quarantineReasons: [{ reasonCode: 'crosswalk.unmapped', rule: 'sex.crosswalk', count: 1 }],
        warnings: [],
      },
    ],
    quarantineReasons: [{ reasonCode: 'crosswalk.unmapped', rule: 'sex.crosswalk', count: 1 }],
    quality,
    error: { code: 'run.failed_gate', message: 'code_coverage patient 50.00% < 90.00%' },
  };
}

describe('the HTML quality report', () => {
  it('claims no pass the gates did not make: none declared, or a run that stopped before its load finished', () => {
    const r = report();
    const quality = r.quality!;
    const ungated = renderQualityHtml({ ...r, status: 'succeeded', error: undefined, quality: { ...quality, decision: 'pass', gates: [], checks: [] } });
    expect(ungated).toContain('quality decision <span class="muted">no gates declared for this tier</span>');
    const failed = renderQualityHtml({ ...r, status: 'failed', quality: { ...quality, decision: 'pass' } });
    expect(failed).toContain('not decided: the run failed before its load finished');
    expect(renderQualityHtml({ ...r, status: 'failed', quality: undefined })).toContain('quality decision <span class="muted">not measured</span>');
    expect(renderQualityHtml(r)).toMatch(/quality decision <span class="badge"[^>]*>fail<\/span>/);
  });

  it('escapes every code, key and URL it shows', () => {
    const html = renderQualityHtml(report());
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('K&lt;1&gt;&amp;&quot;');
    expect(html).toContain('csv:/data/&lt;export&gt;');
  });

  it('shows the failing gate with its threshold and example keys', () => {
    const html = renderQualityHtml(report());
    expect(html).toContain('Failing and warning gates');
    expect(html).toMatch(/Code coverage<\/td><td>patient<\/td><td class="n">50\.00%<\/td>/);
    expect(html).toContain('90.00%');
    expect(html).toContain('PAT:K&lt;1&gt;&amp;&quot;');
  });

  it('renders a report without a quality section (a run that stopped before measuring)', () => {
    const r = report();
    delete r.quality;
    const html = renderQualityHtml(r);
    expect(html).toContain('not measured');
    expect(html).not.toContain('KPIs per table');
  });
});

describe('KPI charts', () => {
  it('start the axis only as low as the figures and thresholds need', () => {
    expect(axisMin([{ label: 'a', value: 0.97, failBelow: 0.95, warnBelow: 0.99, decision: 'pass' }])).toBe(0.8);
    expect(axisMin([{ label: 'a', value: 0.42, failBelow: 0.9, warnBelow: null, decision: 'fail' }])).toBe(0.3);
    expect(axisMin([{ label: 'a', value: 0.01, failBelow: null, warnBelow: null, decision: 'ungated' }])).toBe(0);
  });

  it('label a not-applicable figure instead of drawing a full bar', () => {
    const svg = kpiChart('Validity', [{ label: 'empty', value: null, failBelow: 0.9, warnBelow: null, decision: 'not_applicable' }]);
    expect(svg).toContain('not applicable');
    expect(svg).toContain('n/a');
  });

  it('escape text', () => {
    expect(esc(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  });
});

describe('the HTML quality report with hostile names', () => {
  const SCRIPT = '<script>alert(1)</script>';
  const ATTR = '"><svg onload=alert(1)>';
  const QUOTE = "' onmouseover='alert(1)";

  it('escapes table, column, crosswalk and contract names so no tag or handler can run', () => {
    const r = report();
    r.contract = { ...r.contract, name: SCRIPT, version: ATTR };
    r.runId = QUOTE;
    r.tables = r.tables.map((t) => ({ ...t, table: SCRIPT, source: ATTR }));
    r.quarantineReasons = [{ reasonCode: SCRIPT, rule: `${ATTR}.crosswalk`, count: 1 }];
    r.tables[0].quarantineReasons = r.quarantineReasons;
    const q = r.quality!;
    r.quality = {
      ...q,
      tables: q.tables.map((t) => ({ ...t, table: SCRIPT, missingByField: [{ field: ATTR, rows: 1 }] })),
      gates: q.gates.map((g) => ({ ...g, table: SCRIPT })),
      crosswalks: q.crosswalks.map((c) => ({ ...c, crosswalk: ATTR, table: SCRIPT, unmapped: [{ code: QUOTE, rows: 1 }] })),
      references: [{ table: SCRIPT, columns: [ATTR], references: { table: QUOTE, columns: [SCRIPT] }, rows: 2, resolved: 1, status: 'not_checked', reason: ATTR }],
    };
    const html = renderQualityHtml(r);
    // The only elements are the report's own; no script element and no event-handler attribute.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<svg[^>]*\son\w+=/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    expect(html).toContain(esc(SCRIPT));
    expect(html).toContain(esc(ATTR));
    expect(html).toContain(esc(QUOTE));
    // Each hostile name shows up escaped in the tables, the charts and the title.
    expect(html.split(esc(SCRIPT)).length).toBeGreaterThan(5);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  });
});
