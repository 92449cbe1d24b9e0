/** Lineage lookup: enter a target or source key and see its path through the runs. */
import { useState, type FormEvent } from 'react';
import { api, qs } from '../api';
import { useProject } from '../session';
import { TIERS, type Lineage, type Tier, type VersionSummary } from '../types';
import { ErrorText, Field, useAction, useLoad } from '../ui';

export function LineageLookup() {
  const { project } = useProject();
  const versions = useLoad(() => api<VersionSummary[]>('GET', `/projects/${project.id}/contract-versions`), [project.id]);
  const [tier, setTier] = useState<Tier>('pre_production');
  const [by, setBy] = useState<'target' | 'source'>('target');
  const [table, setTable] = useState('');
  const [key, setKey] = useState('');
  const [versionId, setVersionId] = useState('');
  const look = useAction(() => api<Lineage>('GET', `/projects/${project.id}/lineage${qs({ tier, by, table, key, versionId })}`));
  const [result, setResult] = useState<Lineage | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await look.run();
    setResult(r ?? null);
  };
  const issue = (k: string) => look.error?.issues.find((i) => i.path === k)?.message ?? null;
  return (
    <>
      <h1>Lineage lookup</h1>
      <form onSubmit={submit} className="filters">
        <Field label="Tier">
          {(p) => (
            <select {...p} value={tier} onChange={(e) => setTier(e.target.value as Tier)}>
              {TIERS.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Look up by">
          {(p) => (
            <select {...p} value={by} onChange={(e) => setBy(e.target.value as 'target' | 'source')}>
              <option value="target">Target key (where did it come from?)</option>
              <option value="source">Source key (what became of it?)</option>
            </select>
          )}
        </Field>
        <Field label={by === 'target' ? 'Target table' : 'Source table'} error={issue('table')}>
          {(p) => <input {...p} value={table} onChange={(e) => setTable(e.target.value)} />}
        </Field>
        <Field label="Key" hint="Composite keys joined with |" error={issue('key')}>
          {(p) => <input {...p} value={key} onChange={(e) => setKey(e.target.value)} />}
        </Field>
        <Field label="Explain with contract version">
          {(p) => (
            <select {...p} value={versionId} onChange={(e) => setVersionId(e.target.value)}>
              <option value="">None</option>
              {(versions.data ?? []).map((v) => (
                <option key={v.id} value={v.id}>
                  v{v.number} {v.contractVersion}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field">
          <button type="submit" disabled={look.pending || !table || !key}>
            Look up
          </button>
        </div>
      </form>
      <ErrorText error={look.error} />
      {result ? (
        result.entries.length === 0 ? (
          <p role="status">No run recorded that key in the {tier} target.</p>
        ) : (
          <ol className="lineage" role="status">
            {result.entries.map((e, i) => (
              <li key={i} className="card">
                <p>
                  <code>
                    {e.sourceTable} {e.sourceKey}
                  </code>{' '}
                  → <span className={`tag tag-${e.outcome === 'loaded' ? 'pass' : e.outcome === 'quarantined' ? 'fail' : 'warn'}`}>{e.outcome}</span>{' '}
                  <code>
                    {e.targetTable} {e.targetKey ?? ''}
                  </code>
                  {e.reasonCode ? (
                    <>
                      {' '}
                      because <code>{e.reasonCode}</code>
                    </>
                  ) : null}
                </p>
                <p className="hint">
                  Engine run {e.runId} ({e.runStatus}), contract digest {e.contractDigest.slice(0, 12)}
                  {e.contractMatches === false ? ' — differs from the chosen version' : ''}
                </p>
                {e.fields?.length ? (
                  <table className="data">
                    <thead>
                      <tr>
                        <th scope="col">Field</th>
                        <th scope="col">From</th>
                        <th scope="col">Steps</th>
                        <th scope="col">Crosswalk</th>
                        <th scope="col">Rules</th>
                      </tr>
                    </thead>
                    <tbody>
                      {e.fields.map((f) => (
                        <tr key={f.field}>
                          <th scope="row">{f.field}</th>
                          <td>{f.constant ? 'constant' : f.from.join(', ')}</td>
                          <td>{f.steps.join(' → ') || '–'}</td>
                          <td>{f.crosswalk ?? '–'}</td>
                          <td>{f.rules.join(', ') || '–'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
              </li>
            ))}
          </ol>
        )
      ) : null}
    </>
  );
}
