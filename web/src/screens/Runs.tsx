/** Runs of a project: start one for a tier (refusals list what is missing), and every run so far. */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { runPermission, useProject } from '../session';
import { TIERS, type RunSummary, type RunView, type Sources, type Tier, type VersionSummary } from '../types';
import { ErrorText, Field, go, Loading, useAction, useLoad, when } from '../ui';
import { conditionText } from './conditions';

/** The project's source references (GET …/sources). */
export function useSources(projectId: string) {
  return useLoad(() => api<Sources>('GET', `/projects/${projectId}/sources`).then((r) => r.sources), [projectId]);
}

export function Runs() {
  const { project, can } = useProject();
  const runs = useLoad(() => api<RunSummary[]>('GET', `/projects/${project.id}/runs`), [project.id]);
  const tiers = TIERS.filter((t) => can(runPermission(t)));
  return (
    <>
      <h1>Runs</h1>
      {tiers.length > 0 ? <StartRun tiers={tiers} /> : null}
      <h2>All runs</h2>
      {!runs.data ? (
        <Loading what="runs" error={runs.error} />
      ) : runs.data.length === 0 ? (
        <p>No run yet.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Tier</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Gate</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.runId}>
                <th scope="row">
                  <a href={`#/p/${project.id}/runs/${r.runId}`}>{r.runId}</a>
                </th>
                <td>{r.tier}</td>
                <td>{r.dryRun ? 'dry run' : 'load'}</td>
                <td>
                  <span className={`tag tag-${statusTone(r.status)}`}>{r.status}</span>
                </td>
                <td>{r.gateDecision ?? '–'}</td>
                <td>{when(r.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The tag colour of a run status. */
export function statusTone(status: string): 'pass' | 'warn' | 'fail' | 'info' {
  if (status === 'succeeded') return 'pass';
  if (status === 'queued' || status === 'running') return 'info';
  if (status === 'cancelled') return 'warn';
  return 'fail';
}

function StartRun({ tiers }: { tiers: Tier[] }) {
  const { project } = useProject();
  const versions = useLoad(() => api<VersionSummary[]>('GET', `/projects/${project.id}/contract-versions`).then((vs) => vs.sort((a, b) => a.number - b.number)), [project.id]);
  const sources = useSources(project.id);
  const [versionId, setVersionId] = useState('');
  const [tier, setTier] = useState<Tier>(tiers[0]);
  const [source, setSource] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const start = useAction(() => api<RunView>('POST', `/projects/${project.id}/runs`, { versionId: versionId || versions.data?.at(-1)?.id, tier, source: source || sources.data?.[0]?.ref, dryRun }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const run = await start.run();
    if (run) go(`/p/${project.id}/runs/${run.runId}`);
  };
  const refused = start.error?.code === 'release.gate_refused';
  return (
    <section className="card" aria-labelledby="start-h">
      <h2 id="start-h">Start a run</h2>
      {!versions.data ? (
        <Loading what="versions" error={versions.error} />
      ) : versions.data.length === 0 ? (
        <p>Submit a contract version first.</p>
      ) : (
        <form onSubmit={submit} className="grid-form">
          <Field label="Contract version">
            {(p) => (
              <select {...p} value={versionId || versions.data!.at(-1)!.id} onChange={(e) => setVersionId(e.target.value)}>
                {[...versions.data!].reverse().map((v) => (
                  <option key={v.id} value={v.id}>
                    v{v.number} {v.contractName} {v.contractVersion}
                    {v.approval ? ' (approved)' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Tier">
            {(p) => (
              <select {...p} value={tier} onChange={(e) => setTier(e.target.value as Tier)}>
                {tiers.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Source"
            hint="A source the server knows: an upload, synthetic data, or a connection the operator configured."
            error={start.error?.issues.find((i) => i.path === 'source')?.message}
          >
            {(p) =>
              sources.data ? (
                <select {...p} value={source || sources.data[0]?.ref || ''} onChange={(e) => setSource(e.target.value)}>
                  {sources.data.map((s) => (
                    <option key={s.ref} value={s.ref}>
                      {s.label} ({s.ref})
                    </option>
                  ))}
                </select>
              ) : sources.error ? (
                <input {...p} value={source} placeholder="synth:42:200" onChange={(e) => setSource(e.target.value)} />
              ) : (
                <p className="hint">Loading the sources…</p>
              )
            }
          </Field>
          <div className="field checkbox">
            <input id="dry-run" type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
            <label htmlFor="dry-run">Dry run (writes nothing, needs no approval)</label>
          </div>
          {refused ? (
            <div className="error" role="alert">
              <p>
                <strong>The release gate refused this run.</strong> {start.error!.message}
              </p>
              <p>Still missing:</p>
              <ul data-testid="missing-conditions">
                {start.error!.issues.map((i) => (
                  <li key={i.path}>
                    <code>{i.path}</code>: {conditionText(i.path) ?? i.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <ErrorText error={start.error} />
          )}
          <button type="submit" disabled={start.pending}>
            {dryRun ? 'Start dry run' : 'Start run'}
          </button>
        </form>
      )}
    </section>
  );
}
