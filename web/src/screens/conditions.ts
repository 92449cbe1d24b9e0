/** Release-gate condition codes (docs/control-plane.md) in plain words. */
export function conditionText(code: string): string | null {
  if (code === 'version_submitted') return 'the contract is not a submitted version of this project';
  if (code === 'version_approved') return 'the contract version has not been signed off by an integration lead';
  if (code === 'approval:independent') return "needs an approval from someone who neither wrote the contract version nor last changed this tier's approval policy";
  if (code === 'review:complete') return 'needs a completed clinician sampling review of a run of this contract version (every sampled patient given a verdict)';
  const [kind, arg, count] = code.split(':');
  if (kind === 'review' && arg === 'discrepancies') {
    const n = Number(count);
    return `${n} ${n === 1 ? 'discrepancy' : 'discrepancies'} found by the clinician sampling review ${n === 1 ? 'is' : 'are'} still open; resolve ${n === 1 ? 'it' : 'them'} on the review`;
  }
  if (kind === 'passed') return `no successful real run of this contract in ${arg} yet`;
  if (kind === 'approval') {
    const role = arg.replace(/_/g, ' ');
    return `needs an approval from ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} (not the contract's author)`;
  }
  if (kind === 'approvers') return `needs ${arg} more distinct approver(s)`;
  return null;
}
