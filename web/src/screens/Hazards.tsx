/**
 * The project's DCB0129 hazard log (safety.read): each hazard's initial and residual risk (in
 * words, never colour alone), status and open issues; a hazard's detail with its controls and
 * the issues runs raised against it; resolving or accepting an issue and editing the log's YAML
 * for those with safety.manage, with each problem's line and column.
 */
import { useState, type FormEvent } from 'react';
import { api, qs, type ApiError } from '../api';
import { useProject } from '../session';
import type { HazardIssue, HazardLog, HazardView, SubmittedHazardLog } from '../types';
import { ErrorText, Field, Loading, useAction, useLoad, when } from '../ui';

const risk = (r: { rating: number; name: string }) => `${r.rating} – ${r.name}`;

function Issues({ issues, canManage, onChanged, label }: { issues: HazardIssue[]; canManage: boolean; onChanged: () => void; label: string }) {
  const { project } = useProject();
  const [open, setOpen] = useState<HazardIssue | null>(null);
  const [status, setStatus] = useState<'resolved' | 'accepted'>('resolved');
  const [comment, setComment] = useState('');
  const resolve = useAction((id: string, body: unknown) => api<HazardIssue>('POST', `/projects/${project.id}/hazard-issues/${id}/resolve`, body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!open) return;
    if (await resolve.run(open.id, { status, comment })) {
      setOpen(null);
      setComment('');
      onChanged();
    }
  };
  if (issues.length === 0) return <p>No issues.</p>;
  return (
    <>
      <table className="data">
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col">Signal</th>
            <th scope="col">Status</th>
            <th scope="col">What was seen</th>
            <th scope="col" className="n">
              Times
            </th>
            <th scope="col">Last seen</th>
            {canManage ? (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {issues.map((i) => (
            <tr key={i.id}>
              <th scope="row">
                <code>{i.signal}</code>
              </th>
              <td>
                {i.status}
                {i.resolutionComment ? <span className="hint"> — {i.resolutionComment}</span> : null}
              </td>
              <td>{i.detail}</td>
              <td className="n">{i.occurrences}</td>
              <td>
                {when(i.lastSeenAt)}
                {i.lastRunId ? <span className="hint"> ({i.lastRunId})</span> : null}
              </td>
              {canManage ? (
                <td>
                  {i.status === 'open' ? (
                    <button type="button" className="secondary" onClick={() => setOpen(i)} aria-label={`Resolve or accept ${i.signal}`}>
                      Resolve…
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {open ? (
        <form onSubmit={submit} aria-label="Resolve issue" className="card">
          <h4>
            Issue <code>{open.signal}</code>
          </h4>
          <fieldset className="decision">
            <legend>Outcome</legend>
            <label>
              <input type="radio" name="outcome" checked={status === 'resolved'} onChange={() => setStatus('resolved')} /> Resolved (fixed; re-opens if it fires again)
            </label>
            <label>
              <input type="radio" name="outcome" checked={status === 'accepted'} onChange={() => setStatus('accepted')} /> Risk accepted
            </label>
          </fieldset>
          <Field label="Comment" hint="Why: what was fixed, or why the risk is acceptable">
            {(p) => <textarea {...p} value={comment} onChange={(e) => setComment(e.target.value)} required maxLength={10000} rows={3} />}
          </Field>
          <ErrorText error={resolve.error} />
          <button type="submit" disabled={resolve.pending}>
            Save outcome
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setOpen(null)}>
            Cancel
          </button>
        </form>
      ) : null}
    </>
  );
}

function Detail({ hazard, issues, canManage, onChanged }: { hazard: HazardView; issues: HazardIssue[]; canManage: boolean; onChanged: () => void }) {
  return (
    <section aria-labelledby="hazard-detail-h" className="card">
      <h2 id="hazard-detail-h">
        {hazard.id}: {hazard.title}
      </h2>
      <dl>
        <dt>Description</dt>
        <dd>{hazard.description}</dd>
        <dt>Cause</dt>
        <dd>{hazard.cause}</dd>
        <dt>Effect</dt>
        <dd>{hazard.effect}</dd>
        <dt>Initial risk</dt>
        <dd>
          {risk(hazard.initialRisk)} (severity {hazard.initialRisk.severity}, likelihood {hazard.initialRisk.likelihood})
        </dd>
        <dt>Residual risk</dt>
        <dd>
          {risk(hazard.residualRisk)} (severity {hazard.residualRisk.severity}, likelihood {hazard.residualRisk.likelihood})
        </dd>
        <dt>Owner</dt>
        <dd>{hazard.owner}</dd>
        <dt>Evidence</dt>
        <dd>{hazard.evidence.length ? hazard.evidence.map((e) => <code key={e}>{e} </code>) : 'none'}</dd>
      </dl>
      <h3>Controls</h3>
      {hazard.controls.length ? (
        <ul>
          {hazard.controls.map((c, n) => (
            <li key={n}>{c}</li>
          ))}
        </ul>
      ) : (
        <p>None recorded.</p>
      )}
      <h3>Issues</h3>
      <Issues issues={issues} canManage={canManage} onChanged={onChanged} label={`Issues of ${hazard.id}`} />
    </section>
  );
}

function PositionedErrors({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <p>
        <strong>{error.message}</strong>
      </p>
      <ul>
        {error.issues.map((i, n) => (
          <li key={n}>
            {i.line ? `Line ${i.line}, column ${i.column ?? 1}: ` : ''}
            {i.path ? <code>{i.path}</code> : null} {i.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Editor({ current, onSaved }: { current: string; onSaved: () => void }) {
  const { project } = useProject();
  const [text, setText] = useState(current);
  const [comment, setComment] = useState('');
  const [saved, setSaved] = useState<SubmittedHazardLog | null>(null);
  const submit = useAction((body: unknown) => api<SubmittedHazardLog>('PUT', `/projects/${project.id}/hazards`, body));
  const send = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit.run({ text, comment });
    if (r) {
      setSaved(r);
      onSaved();
    }
  };
  return (
    <form onSubmit={send} aria-label="Hazard log YAML">
      <h2>Edit the hazard log</h2>
      <p className="hint">
        YAML in the format <code>ferry.hazards/v1</code> (docs/clinical-safety.md). Each save is a new, audited version.
      </p>
      <Field label="Load a YAML file" hint="Replaces the text below; nothing is saved until you save">
        {(p) => <input {...p} type="file" accept=".yaml,.yml,text/yaml" onChange={(e) => void e.target.files?.[0]?.text().then(setText)} />}
      </Field>
      <Field label="Hazard log (YAML)" hint="The whole log: a new version replaces the current one">
        {(p) => <textarea {...p} value={text} onChange={(e) => setText(e.target.value)} rows={16} spellCheck={false} required />}
      </Field>
      <Field label="Comment" hint="Why this version">
        {(p) => <input {...p} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={10000} />}
      </Field>
      <PositionedErrors error={submit.error} />
      {saved ? <p role="status">{saved.created ? `Saved as version ${saved.version.version}.` : `Unchanged: it means the same as version ${saved.version.version}.`}</p> : null}
      <button type="submit" disabled={submit.pending}>
        Save version
      </button>
    </form>
  );
}

const TEMPLATE = `format: ferry.hazards/v1
hazards:
  - id: H-001
    title: Wrong date of birth
    description: A patient's date of birth is wrong after migration.
    cause: Ambiguous legacy date formats.
    effect: Wrong age-based dosing and patient identification.
    severity: 4
    likelihood: 3
    controls: [Dates are parsed with one format; anything else is quarantined]
    residual: { severity: 4, likelihood: 1 }
    owner: Clinical Safety Officer
    status: open
    evidence: ['quarantine:rule.date@patient']
`;

/** The Hazard log screen. */
export function Hazards() {
  const { project, can } = useProject();
  const canManage = can('safety.manage');
  const data = useLoad(() => Promise.all([api<HazardLog>('GET', `/projects/${project.id}/hazards`), api<HazardIssue[]>('GET', `/projects/${project.id}/hazard-issues${qs({})}`)]), [project.id]);
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  if (!data.data) return <Loading what="the hazard log" error={data.error} />;
  const [log, issues] = data.data;
  const hazard = log.hazards.find((h) => h.id === selected) ?? null;
  const unassigned = issues.filter((i) => i.hazardId === null || !log.hazards.some((h) => h.id === i.hazardId));
  return (
    <>
      <h1>Hazard log</h1>
      {log.version ? (
        <p className="hint">
          Version {log.version.version} by {log.version.authorId}, {when(log.version.createdAt)}
          {log.version.comment ? ` — ${log.version.comment}` : ''}. Risk ratings follow the DCB0129 matrix: 1 very low … 5 very high.
        </p>
      ) : (
        <p>This project has no hazard log yet{canManage ? '; start one below (the example ships a starter log for PAS migrations).' : '.'}</p>
      )}
      {log.hazards.length > 0 ? (
        <table className="data">
          <caption className="sr-only">Hazards</caption>
          <thead>
            <tr>
              <th scope="col">Hazard</th>
              <th scope="col">Initial risk</th>
              <th scope="col">Residual risk</th>
              <th scope="col">Status</th>
              <th scope="col" className="n">
                Open issues
              </th>
            </tr>
          </thead>
          <tbody>
            {log.hazards.map((h) => (
              <tr key={h.id} aria-selected={h.id === selected ? true : undefined}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => setSelected(h.id === selected ? null : h.id)} aria-expanded={h.id === selected} aria-controls="hazard-detail">
                    {h.id}: {h.title}
                  </button>
                </th>
                <td>{risk(h.initialRisk)}</td>
                <td>{risk(h.residualRisk)}</td>
                <td>{h.status}</td>
                <td className="n">{h.openIssues}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div id="hazard-detail">{hazard ? <Detail hazard={hazard} issues={issues.filter((i) => i.hazardId === hazard.id)} canManage={canManage} onChanged={data.reload} /> : null}</div>
      {unassigned.length > 0 ? (
        <section aria-labelledby="unassigned-h">
          <h2 id="unassigned-h">Unassigned issues</h2>
          <p className="hint">Evidence no hazard names: add a hazard, or a pattern to an existing one.</p>
          <Issues issues={unassigned} canManage={canManage} onChanged={data.reload} label="Unassigned issues" />
        </section>
      ) : null}
      {canManage ? (
        editing ? (
          <Editor current={log.version ? '' : TEMPLATE} onSaved={data.reload} />
        ) : (
          <button type="button" onClick={() => setEditing(true)}>
            {log.version ? 'Submit a new version…' : 'Start a hazard log…'}
          </button>
        )
      ) : null}
    </>
  );
}
