/**
 * The UI's words for release-gate condition codes (web/src/screens/conditions.ts): every code
 * the gate (src/control/gates.ts) produces reads as words, never as the code, including the
 * clinician sampling review's `review:complete` and `review:discrepancies:<n>`.
 */
import { describe, expect, it } from 'vitest';
import { INDEPENDENT_APPROVAL, REVIEW_COMPLETE } from '../../src/control/gates.js';
import { conditionText } from '../../web/src/screens/conditions.js';

describe('release condition words', () => {
  it('describes every gate code in words', () => {
    const codes = ['version_submitted', 'version_approved', 'passed:staging', 'approval:integration_lead', 'approvers:2', INDEPENDENT_APPROVAL, REVIEW_COMPLETE, 'review:discrepancies:3'];
    for (const code of codes) {
      const text = conditionText(code);
      expect(text, code).toBeTruthy();
      expect(text, code).not.toContain(code);
    }
    expect(conditionText(REVIEW_COMPLETE)).toMatch(/completed clinician sampling review/);
    expect(conditionText('unknown:code')).toBeNull();
  });

  it('counts open review discrepancies in singular and plural', () => {
    expect(conditionText('review:discrepancies:1')).toBe('1 discrepancy found by the clinician sampling review is still open; resolve it on the review');
    expect(conditionText('review:discrepancies:2')).toBe('2 discrepancies found by the clinician sampling review are still open; resolve them on the review');
  });
});
