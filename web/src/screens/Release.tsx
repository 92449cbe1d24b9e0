/**
 * The release board: the three tiers as columns, each with its contract version, its approval
 * policy, the approvals given and still needed (who, which role), the last run; approve and
 * promote where allowed, and (release.configure) change a tier's approval policy.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useProject, useSession } from '../session';
import { APPROVER_ROLES, type ReleaseStatus, type ReleaseTier, type Role, type Tier, type VersionSummary } from '../types';
import { ErrorText, Field, Loading, useAction, useLoad, when } from '../ui';
import { conditionText } from './conditions';
import { statusTone } from './Runs';

const TIER_NAMES: Record<Tier, string> = { pre_production: 'Pre-production', staging: 'Staging', production: 'Production' };

export function Release() {
  const { project } = useProject();
  const data = useLoad(() => Promise.all([api<ReleaseStatus>('GET', `/projects/${project.id}/release`), api<VersionSummary[]>('GET', `/projects/${project.id}/contract-versions`)]), [project.id]);
  if (!data.data) return <Loading what="the release board" error={data.error} />;
  const [status, versions] = data.data;
  return (
    <>
      <h1>Release board</h1>
      <div className="board">
        {status.tiers.map((t) => (
          <TierColumn key={t.tier} tier={t} versions={versions} reload={data.reload} />
        ))}
      </div>
    </>
  );
}

function versionLabel(versions: VersionSummary[], digest: string | null): string {
  if (!digest) return 'nothing yet';
  const v = versions.find((x) => x.digest === digest);
  return v ? `v${v.number} ${v.contractName} ${v.contractVersion}` : `digest ${digest.slice(0, 12)}`;
}

function TierColumn({ tier, versions, reload }: { tier: ReleaseTier; versions: VersionSummary[]; reload: () => void }) {
  const headingId = `tier-${tier.tier}`;
  return (
    <section className="card column" aria-labelledby={headingId} data-testid={`tier-${tier.tier}`}>
      <h2 id={headingId}>{TIER_NAMES[tier.tier]}</h2>
      <dl className="facts">
        <dt>Contract</dt>
        <dd>{versionLabel(versions, tier.digest)}</dd>
        <dt>Target</dt>
        <dd>{tier.connection ? <code>{tier.connection}</code> : 'no connection chosen'}</dd>
        <dt>Needs</dt>
        <dd>
          {tier.policy.requiredRoles.length ? tier.policy.requiredRoles.map((r) => r.replace(/_/g, ' ')).join(' and ') : 'a signed-off contract version'}
          {tier.policy.minApprovers > tier.policy.requiredRoles.length ? `, ${tier.policy.minApprovers} approvers` : ''}
          {tier.policy.excludeAuthor && tier.policy.requiredRoles.length ? ' (not the author)' : ''}
          {tier.tier === 'production' ? ', one of them neither the author nor the last policy editor' : ''}
        </dd>
        <dt>Clinician review</dt>
        <dd data-testid="review-policy">{tier.policy.requireReview ? 'Requires a completed clinician sampling review with no open discrepancies' : 'not required'}</dd>
        <dt>Policy changed</dt>
        <dd>
          {tier.policyChangedBy ? (
            <>
              by {tier.policyChangedBy} on {when(tier.policyChangedAt!)}
            </>
          ) : (
            'never (the default policy)'
          )}
        </dd>
        <dt>Last run</dt>
        <dd>
          {tier.lastRun ? (
            <>
              <span className={`tag tag-${statusTone(tier.lastRun.status)}`}>{tier.lastRun.status}</span> {tier.lastRun.dryRun ? 'dry run ' : ''}
              {when(tier.lastRun.recordedAt)}
            </>
          ) : (
            'none'
          )}
        </dd>
      </dl>
      <h3>Approvals given</h3>
      {tier.approvals.length === 0 ? (
        <p className="hint">None.</p>
      ) : (
        <ul className="plain" data-testid="approvals">
          {tier.approvals.map((a) => (
            <li key={`${a.approverId}${a.approvedAt}`}>
              <span className="tag tag-pass">{a.role.replace(/_/g, ' ')}</span> {a.approverId} on {when(a.approvedAt)}
              {a.comment ? `: “${a.comment}”` : ''}
            </li>
          ))}
        </ul>
      )}
      <h3>Still needed</h3>
      {tier.missing.length === 0 ? (
        <p className="ok">{tier.digest ? 'Every condition is met.' : 'Nothing is waiting.'}</p>
      ) : (
        <ul data-testid="missing">
          {tier.missing.map((m) => (
            <li key={m}>{conditionText(m) ?? m}</li>
          ))}
        </ul>
      )}
      {tier.tier !== 'pre_production' ? <TierActions tier={tier} versions={versions} reload={reload} /> : null}
      {tier.tier !== 'pre_production' ? <PolicyForm key={tier.policyChangedAt ?? 'default'} tier={tier} reload={reload} /> : null}
    </section>
  );
}

function TierActions({ tier, versions, reload }: { tier: ReleaseTier; versions: VersionSummary[]; reload: () => void }) {
  const { project, can } = useProject();
  const { actor } = useSession();
  const approved = versions.filter((v) => v.approval).sort((a, b) => b.number - a.number);
  const [digest, setDigest] = useState(tier.digest ?? approved[0]?.digest ?? '');
  const [comment, setComment] = useState('');
  const approve = useAction(() => api('POST', `/projects/${project.id}/release/tiers/${tier.tier}/approvals`, { digest, comment }));
  const promote = useAction(() => api('POST', `/projects/${project.id}/release/tiers/${tier.tier}/promote`, { digest }));
  const [done, setDone] = useState<string | null>(null);
  const mayApprove = can(`release.approve_${tier.tier}`);
  const mayPromote = can('release.promote');
  if ((!mayApprove && !mayPromote) || approved.length === 0) return null;
  const author = versions.find((v) => v.digest === digest)?.authorId === actor.userId;
  return (
    <div className="tier-actions">
      <Field label={`Contract version for ${TIER_NAMES[tier.tier].toLowerCase()}`}>
        {(p) => (
          <select {...p} value={digest} onChange={(e) => setDigest(e.target.value)}>
            {approved.map((v) => (
              <option key={v.id} value={v.digest}>
                v{v.number} {v.contractVersion}
              </option>
            ))}
          </select>
        )}
      </Field>
      {mayApprove && !author ? (
        <>
          <Field label="Approval comment">{(p) => <input {...p} value={comment} onChange={(e) => setComment(e.target.value)} />}</Field>
          <button
            type="button"
            disabled={approve.pending}
            onClick={async () => {
              if ((await approve.run()) === undefined) return;
              setDone(`Approved ${versionLabel(versions, digest)} for ${TIER_NAMES[tier.tier].toLowerCase()}.`);
              reload();
            }}
          >
            Approve for {TIER_NAMES[tier.tier].toLowerCase()}
          </button>
          <ErrorText error={approve.error} />
        </>
      ) : null}
      {done ? (
        <p role="status" className="ok">
          {done}
        </p>
      ) : null}
      {mayPromote ? (
        <>
          <button
            type="button"
            disabled={promote.pending}
            onClick={async () => {
              if ((await promote.run()) === undefined) return;
              setDone(`Promoted ${versionLabel(versions, digest)} to ${TIER_NAMES[tier.tier].toLowerCase()}.`);
              reload();
            }}
          >
            Promote to {TIER_NAMES[tier.tier].toLowerCase()}
          </button>
          <ErrorText error={promote.error} />
        </>
      ) : null}
    </div>
  );
}

const roleWords = (r: Role) => r.replace(/_/g, ' ');

/**
 * A tier's approval policy, for those holding release.configure (org_admin). Pre-production takes
 * no release approvals, so only staging and production have one; the server refuses a policy
 * nobody could meet or one below production's separation-of-duties floor, in words shown here.
 */
function PolicyForm({ tier, reload }: { tier: ReleaseTier; reload: () => void }) {
  const { project, can } = useProject();
  const [roles, setRoles] = useState<Role[]>(tier.policy.requiredRoles);
  const [minApprovers, setMinApprovers] = useState(String(tier.policy.minApprovers));
  const [excludeAuthor, setExcludeAuthor] = useState(tier.policy.excludeAuthor);
  const [requireReview, setRequireReview] = useState(tier.policy.requireReview);
  const save = useAction((body: unknown) => api('PUT', `/projects/${project.id}/release/tiers/${tier.tier}`, body));
  if (!can('release.configure') || tier.tier === 'pre_production') return null;
  const name = TIER_NAMES[tier.tier].toLowerCase();
  const id = `policy-${tier.tier}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Only the policy: the target connection is left as it is.
    if ((await save.run({ policy: { requiredRoles: roles, minApprovers: Number(minApprovers), excludeAuthor, requireReview } })) !== undefined) reload();
  };
  return (
    <form className="tier-actions" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Approval policy for {name}</h3>
      <fieldset className="decision">
        <legend>Required approver roles</legend>
        {APPROVER_ROLES[tier.tier].map((r) => (
          <label key={r}>
            <input type="checkbox" checked={roles.includes(r)} onChange={(e) => setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))} /> {roleWords(r)}
          </label>
        ))}
      </fieldset>
      <Field label="Distinct approvers needed" hint="At least one per required role">
        {(p) => <input {...p} type="number" min={0} max={10} value={minApprovers} onChange={(e) => setMinApprovers(e.target.value)} />}
      </Field>
      <div className="field checkbox">
        <input id={`${id}-author`} type="checkbox" checked={excludeAuthor} onChange={(e) => setExcludeAuthor(e.target.checked)} />
        <label htmlFor={`${id}-author`}>The contract's author never counts as an approver</label>
      </div>
      <div className="field checkbox">
        <input id={`${id}-review`} type="checkbox" checked={requireReview} onChange={(e) => setRequireReview(e.target.checked)} />
        <label htmlFor={`${id}-review`}>Require a completed clinician sampling review with no open discrepancies</label>
      </div>
      <ErrorText error={save.error} />
      <button type="submit" disabled={save.pending}>
        Save the {name} policy
      </button>
    </form>
  );
}
