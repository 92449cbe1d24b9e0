/**
 * The pack's hazard log and sampling review sections from their model (their loaders are wired
 * by the parts of Ferry that own them): every figure shown, every string escaped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { loadContract } from '../../src/contract/load.js';
import type { LoadedContract } from '../../src/contract/model.js';
import { failedStep, outcomeOf } from '../../src/rehearse/pack-data.js';
import { renderPackHtml } from '../../src/rehearse/pack-html.js';
import { PACK_FORMAT, type SignOffPack } from '../../src/rehearse/pack-model.js';

let loaded: LoadedContract;
beforeAll(async () => {
  loaded = await loadContract(EXAMPLE_CONTRACT);
});

function pack(over: Partial<SignOffPack>): SignOffPack {
  const full = failedStep('drift.schema', 'the source table PAT_MAST lost column PAT_SEX');
  return {
    format: PACK_FORMAT,
    generatedAt: '2026-01-02T03:04:05.000Z',
    loaded,
    contract: { name: 'c', version: '1', digest: 'd'.repeat(64) },
    tier: 'staging',
    ...outcomeOf(null, full),
    pilot: null,
    full,
    cascade: [],
    hazards: null,
    review: null,
    governance: { governed: false },
    ...over,
  };
}

describe('the sign-off pack in HTML', () => {
  it('renders the hazard log with its evidence and the sampling review with its strata, escaped', () => {
    const html = renderPackHtml(
      pack({
        hazards: [
          {
            id: 'HAZ-1',
            title: 'Allergy lost <script>alert(1)</script>',
            initialRisk: 'high',
            residualRisk: 'low',
            status: 'mitigated',
            openIssues: 1,
            resolvedIssues: 2,
            issues: [{ signal: 'kpi:completeness:allergy', detail: '3 rows without a reaction code', status: 'open' }],
          },
        ],
        review: {
          id: 'rev_1',
          runId: 'run_1',
          seed: 7,
          patients: 2,
          reviewed: 1,
          matches: 0,
          discrepanciesOpen: 1,
          discrepanciesResolved: 0,
          complete: false,
          strata: [{ stratum: 'quarantined', inRun: 5, patients: 2 }],
          sampled: [
            { number: 1, patientKey: '<k1>', stratum: 'quarantined', verdict: 'discrepancy', discrepancy: 'open' },
            { number: 2, patientKey: 'P2', stratum: 'quarantined', verdict: null, discrepancy: null },
          ],
        },
      }),
    );
    expect(html).toContain('Allergy lost &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<td>high</td><td>low</td><td>mitigated</td><td>1</td><td>2</td>');
    expect(html).toContain('<td><code>kpi:completeness:allergy</code></td><td>3 rows without a reaction code</td><td>open</td>');
    expect(html).toContain('1 of 2');
    expect(html).toContain('1 open · 0 resolved');
    expect(html).toContain('run <code>run_1</code>, seed 7');
    expect(html).toContain('<td>quarantined</td><td>5</td><td>2</td>');
    expect(html).toContain('<td>1</td><td><code>&lt;k1&gt;</code></td><td>quarantined</td><td>discrepancy</td><td>open</td>');
    expect(html).toContain('<td>2</td><td><code>P2</code></td><td>quarantined</td><td>not yet reviewed</td><td>–</td>');
  });

  it('leads with the failure when the run failed before its report, and says what is absent', () => {
    const html = renderPackHtml(pack({}));
    expect(html).toContain('class="banner bad"');
    expect(html).toContain('NOT READY FOR SIGN-OFF — the full run failed: the source table PAT_MAST lost column PAT_SEX.');
    expect(html).toContain('<b>drift.schema</b>');
    expect(html).toContain('No hazard log submitted for this project.');
    expect(html).toContain('No sampling review yet.');
    expect(html).toContain('Not governed');
  });
});
