/**
 * The mapping workbench: every target field of a contract version in one target-centric table
 * (source, transforms, crosswalk, rules, rationale, status), filterable and searchable, and
 * virtualised so a programme-sized contract (880 target / 5,387 source fields) renders at once.
 */
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { api, apiImmutable } from '../api';
import { useProject } from '../session';
import type { FieldRow, TargetFields, VersionSummary } from '../types';
import { Field, Loading, useLoad, VirtualTable, type Column } from '../ui';

const COLUMNS: Column<FieldRow>[] = [
  {
    key: 'target',
    header: 'Target field',
    width: 'minmax(12rem, 1.3fr)',
    render: (r) => (
      <>
        <strong>
          {r.table}.{r.field}
        </strong>{' '}
        <span className="hint">
          {r.type}
          {r.nullable ? '' : ', required'}
        </span>
      </>
    ),
  },
  {
    key: 'source',
    header: 'Source',
    width: 'minmax(10rem, 1.2fr)',
    render: (r) => (r.source.length ? <code>{(r.sourceTable ? `${r.sourceTable}: ` : '') + r.source.join(', ')}</code> : <span className="tag tag-fail">unmapped</span>),
  },
  { key: 'steps', header: 'Transforms', width: 'minmax(8rem, 1fr)', render: (r) => r.steps.join(' → ') || '–' },
  { key: 'crosswalk', header: 'Crosswalk', width: 'minmax(6rem, 0.7fr)', render: (r) => r.crosswalk ?? '–' },
  { key: 'rules', header: 'Rules', width: 'minmax(6rem, 0.8fr)', render: (r) => r.rules.join(', ') || '–' },
  { key: 'rationale', header: 'Rationale', width: 'minmax(12rem, 2fr)', render: (r) => <span title={r.rationale ?? ''}>{r.rationale || '–'}</span> },
  { key: 'status', header: 'Status', width: '7rem', render: (r) => <span className={`tag tag-${r.status === 'accepted' ? 'pass' : r.status === 'suggested' ? 'warn' : 'fail'}`}>{r.status}</span> },
];

export function Workbench({ versionId }: { versionId: string }) {
  const { project } = useProject();
  const data = useLoad(
    () =>
      Promise.all([apiImmutable<TargetFields>(`/projects/${project.id}/contract-versions/${versionId}/fields`), api<VersionSummary[]>('GET', `/projects/${project.id}/contract-versions`)]).then(
        (r) => {
          performance.mark('ferry:workbench-loaded');
          return r;
        },
      ),
    [project.id, versionId],
  );
  const [search, setSearch] = useState('');
  const [table, setTable] = useState('');
  const [status, setStatus] = useState('');
  const [unmappedOnly, setUnmappedOnly] = useState(false);
  const query = useDeferredValue(search.trim().toLowerCase());
  const fields = data.data?.[0].fields ?? [];
  const tables = useMemo(() => [...new Set(fields.map((f) => f.table))].sort(), [fields]);
  const statuses = useMemo(() => [...new Set(fields.map((f) => f.status))].sort(), [fields]);
  // Lower-cased search text per row, built once per version rather than on every keystroke.
  const haystack = useMemo(
    () => fields.map((f) => [f.table, f.field, f.sourceTable ?? '', ...f.source, ...f.steps, f.crosswalk ?? '', ...f.rules, f.rationale ?? ''].join(' ').toLowerCase()),
    [fields],
  );
  const shown = useMemo(
    () => fields.filter((f, i) => (!table || f.table === table) && (!status || f.status === status) && (!unmappedOnly || f.status === 'unmapped') && (!query || haystack[i].includes(query))),
    [fields, haystack, table, status, unmappedOnly, query],
  );
  const onRendered = useCallback(() => {
    if (fields.length) {
      document.body.dataset.workbench = 'ready';
      performance.mark('ferry:workbench-rendered');
    }
  }, [fields]);
  if (!data.data) return <Loading what="the contract's fields" error={data.error} />;
  const version = data.data[1].find((v) => v.id === versionId);
  return (
    <>
      <h1>Mapping workbench{version ? `: v${version.number} ${version.contractName} ${version.contractVersion}` : ''}</h1>
      <p className="hint">
        {tables.length} target tables, {fields.length.toLocaleString('en-GB')} target fields.{' '}
        {version && version.number > 1 ? <a href={`#/p/${project.id}/v/${versionId}/diff`}>Compare with the previous version</a> : null}
      </p>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search fields">{(p) => <input {...p} type="search" value={search} placeholder="field, source column, rule, rationale…" onChange={(e) => setSearch(e.target.value)} />}</Field>
        <Field label="Target table">
          {(p) => (
            <select {...p} value={table} onChange={(e) => setTable(e.target.value)}>
              <option value="">All tables</option>
              {tables.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status">
          {(p) => (
            <select {...p} value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">Any status</option>
              {statuses.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
        <div className="field checkbox">
          <input id="unmapped-only" type="checkbox" checked={unmappedOnly} onChange={(e) => setUnmappedOnly(e.target.checked)} />
          <label htmlFor="unmapped-only">Unmapped only</label>
        </div>
      </form>
      <p role="status" className="count" data-testid="field-count">
        Showing {shown.length.toLocaleString('en-GB')} of {fields.length.toLocaleString('en-GB')} fields
      </p>
      <VirtualTable rows={shown} columns={COLUMNS} label="Target fields" rowKey={(r) => `${r.table}.${r.field}`} onRendered={onRendered} />
    </>
  );
}
