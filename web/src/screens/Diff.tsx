/** A contract version's field-by-field diff against the previous version (or one chosen). */
import { api, qs } from '../api';
import { useProject } from '../session';
import type { Diff, VersionSummary } from '../types';
import { Field, go, Loading, useLoad } from '../ui';

/** A before/after value: scalars inline; objects folded behind a one-line preview, so big diffs stay scannable. */
function Value({ v, side }: { v: unknown; side: string }) {
  if (v === undefined) return null;
  if (v === null || typeof v !== 'object') return <code className={side}>{typeof v === 'string' ? v : JSON.stringify(v)}</code>;
  const text = JSON.stringify(v);
  if (text.length <= 80) return <code className={side}>{text}</code>;
  return (
    <details>
      <summary>
        <code>{text.slice(0, 72)}…</code>
      </summary>
      <pre className={side}>{JSON.stringify(v, null, 2)}</pre>
    </details>
  );
}

export function DiffView({ versionId, from }: { versionId: string; from: string | null }) {
  const { project } = useProject();
  const versions = useLoad(() => api<VersionSummary[]>('GET', `/projects/${project.id}/contract-versions`), [project.id]);
  const diff = useLoad(() => api<Diff>('GET', `/projects/${project.id}/contract-versions/${versionId}/diff${qs({ from })}`), [project.id, versionId, from]);
  const to = versions.data?.find((v) => v.id === versionId);
  return (
    <>
      <h1>Contract diff{to ? `: v${to.number}` : ''}</h1>
      {versions.data ? (
        <Field label="Compare with">
          {(p) => (
            <select {...p} value={from ?? ''} onChange={(e) => go(`/p/${project.id}/v/${versionId}/diff${qs({ from: e.target.value })}`)}>
              <option value="">The previous version</option>
              {versions
                .data!.filter((v) => v.id !== versionId)
                .map((v) => (
                  <option key={v.id} value={v.id}>
                    v{v.number} {v.contractVersion}
                  </option>
                ))}
            </select>
          )}
        </Field>
      ) : null}
      {!diff.data ? (
        <Loading what="the diff" error={diff.error} />
      ) : diff.data.identical ? (
        <p>The two versions are identical.</p>
      ) : (
        <>
          <p className="hint">
            {diff.data.old.name} {diff.data.old.version} → {diff.data.new.name} {diff.data.new.version}: {diff.data.changes.length} change(s).
          </p>
          <table className="data diff">
            <thead>
              <tr>
                <th scope="col">Change</th>
                <th scope="col">Where</th>
                <th scope="col">What</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {diff.data.changes.map((c, i) => (
                <tr key={i} className={`op-${c.op}`}>
                  <td>
                    <span className={`tag tag-${c.op === 'added' ? 'pass' : c.op === 'removed' ? 'fail' : 'warn'}`}>{c.op}</span>
                  </td>
                  <td>
                    <code>{c.path}</code>
                  </td>
                  <td>{c.property ?? c.subject}</td>
                  <td>
                    <Value v={c.before} side="before" />
                  </td>
                  <td>
                    <Value v={c.after} side="after" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p>
        <a href={`#/p/${project.id}/v/${versionId}`}>Open this version in the workbench</a>
      </p>
    </>
  );
}
