/** A project's contract versions: open the workbench or the diff, submit a new version, approve one. */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useProject, useSession } from '../session';
import type { VersionCreated, VersionSummary } from '../types';
import { ErrorText, Field, Loading, useAction, useLoad, when } from '../ui';

export function Versions() {
  const { project, can } = useProject();
  const versions = useLoad(() => api<VersionSummary[]>('GET', `/projects/${project.id}/contract-versions`), [project.id]);
  return (
    <>
      <h1>Contract versions</h1>
      {versions.data ? <VersionTable versions={versions.data} reload={versions.reload} /> : <Loading what="contract versions" error={versions.error} />}
      {can('contract.submit') ? <SubmitVersion onSubmitted={versions.reload} /> : null}
    </>
  );
}

function VersionTable({ versions, reload }: { versions: VersionSummary[]; reload: () => void }) {
  const { project } = useProject();
  if (versions.length === 0) return <p>No contract version has been submitted yet.</p>;
  const newest = [...versions].sort((a, b) => b.number - a.number);
  return (
    <table className="data">
      <caption className="sr-only">Contract versions, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Contract</th>
          <th scope="col">Submitted</th>
          <th scope="col">Message</th>
          <th scope="col">Sign-off</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {newest.map((v) => (
          <tr key={v.id}>
            <th scope="row">v{v.number}</th>
            <td>
              {v.contractName} {v.contractVersion}
              <br />
              <code className="digest" title={v.digest}>
                {v.digest.slice(0, 12)}
              </code>
            </td>
            <td>
              {when(v.createdAt)}
              <br />
              <span className="hint">by {v.authorId}</span>
            </td>
            <td>{v.message}</td>
            <td>
              {v.approval ? (
                <span className="tag tag-pass">
                  Approved {when(v.approval.approvedAt)}
                  {v.approval.comment ? `: ${v.approval.comment}` : ''}
                </span>
              ) : (
                <span className="tag tag-warn">Awaiting sign-off</span>
              )}
            </td>
            <td className="actions-cell">
              <a href={`#/p/${project.id}/v/${v.id}`}>Workbench</a>
              {v.number > 1 ? <a href={`#/p/${project.id}/v/${v.id}/diff`}>Diff</a> : null}
              <Approve version={v} onApproved={reload} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Approve({ version, onApproved }: { version: VersionSummary; onApproved: () => void }) {
  const { project, can } = useProject();
  const { actor } = useSession();
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState('');
  const approve = useAction(() => api('POST', `/projects/${project.id}/contract-versions/${version.id}/approve`, { comment }));
  // Only an integration_lead who is not the author may sign off; nobody else sees the button.
  if (!can('contract.approve') || version.approval || version.authorId === actor.userId) return null;
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Approve v{version.number}
      </button>
    );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if ((await approve.run()) !== undefined) {
      setOpen(false);
      onApproved();
    }
  };
  return (
    <form onSubmit={submit} className="inline-form">
      <Field label={`Sign-off comment for v${version.number}`}>{(p) => <textarea {...p} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />}</Field>
      <ErrorText error={approve.error} />
      <button type="submit" disabled={approve.pending}>
        Sign off v{version.number}
      </button>
      <button type="button" className="secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

/** Submit a contract file (and the crosswalk CSVs it names) as a new version. */
function SubmitVersion({ onSubmitted }: { onSubmitted: () => void }) {
  const { project } = useProject();
  const [yaml, setYaml] = useState<{ name: string; text: string } | null>(null);
  const [crosswalks, setCrosswalks] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const submit = useAction(() => api<VersionCreated>('POST', `/projects/${project.id}/contract-versions`, { yaml: yaml?.text ?? '', crosswalks, message }));
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit.run();
    if (r) {
      setDone(r.created ? `Stored as v${r.version.number}.` : `This contract is already v${r.version.number}; nothing new was stored.`);
      onSubmitted();
    }
  };
  const fieldError = (name: string) =>
    submit.error?.issues
      .filter((i) => i.path.startsWith(name))
      .map((i) => i.message)
      .join('; ') || null;
  return (
    <section className="card" aria-labelledby="submit-h">
      <h2 id="submit-h">Submit a new version</h2>
      <form onSubmit={onSubmit} noValidate>
        <Field label="Contract file (YAML)" error={fieldError('yaml')}>
          {(p) => (
            <input
              {...p}
              type="file"
              accept=".yaml,.yml"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                setYaml(f ? { name: f.name, text: await f.text() } : null);
              }}
            />
          )}
        </Field>
        <Field label="Crosswalk files (CSV)" hint="Name them as the contract does, e.g. crosswalks/sex.csv: the file names are prefixed with crosswalks/.">
          {(p) => (
            <input
              {...p}
              type="file"
              accept=".csv"
              multiple
              onChange={async (e) => {
                const next: Record<string, string> = {};
                for (const f of Array.from(e.target.files ?? [])) next[`crosswalks/${f.name}`] = await f.text();
                setCrosswalks(next);
              }}
            />
          )}
        </Field>
        <Field label="What changed" error={fieldError('message')}>
          {(p) => <textarea {...p} rows={2} value={message} onChange={(e) => setMessage(e.target.value)} />}
        </Field>
        <ErrorText error={submit.error} />
        {done ? (
          <p role="status" className="ok">
            {done}
          </p>
        ) : null}
        <button type="submit" disabled={submit.pending || !yaml || !message}>
          Submit for review
        </button>
      </form>
    </section>
  );
}
