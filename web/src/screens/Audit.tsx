/** The audit explorer: filter events by type, actor, run and time; verify the hash chain; export for a regulator. */
import { useState, type FormEvent } from 'react';
import { api, qs } from '../api';
import { useProject, useSession } from '../session';
import type { AuditEvent, AuditExport, User, VerifyResult } from '../types';
import { download, ErrorText, Field, Loading, useAction, useLoad, when } from '../ui';

interface Filters {
  type: string;
  actor: string;
  runId: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { type: '', actor: '', runId: '', from: '', to: '' };
const PAGE = 50;

/** A datetime-local value as an ISO time the API takes. */
function iso(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

export function Audit() {
  const { project, can } = useProject();
  const session = useSession();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [limit, setLimit] = useState(PAGE);
  const users = useLoad(() => (session.permissions.has('user.read') ? api<User[]>('GET', '/users') : Promise.resolve([] as User[])), []);
  const events = useLoad(
    () =>
      api<AuditEvent[]>('GET', `/audit/events${qs({ projectId: project.id, type: filters.type, actor: filters.actor, runId: filters.runId, from: iso(filters.from), to: iso(filters.to), limit })}`),
    [project.id, filters, limit],
  );
  const name = (id: string) => users.data?.find((u) => u.id === id)?.username ?? id;
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setLimit(PAGE);
  };
  const fieldError = (k: string) => events.error?.issues.find((i) => i.path === k)?.message ?? null;
  return (
    <>
      <h1>Audit explorer</h1>
      <VerifyChain />
      <form className="filters" onSubmit={apply} aria-label="Filter audit events">
        <Field label="Event type" hint="e.g. run:started, release:approved" error={fieldError('type')}>
          {(p) => <input {...p} value={draft.type} onChange={set('type')} />}
        </Field>
        <Field label="Actor" error={fieldError('actor')}>
          {(p) =>
            users.data && users.data.length ? (
              <select {...p} value={draft.actor} onChange={set('actor')}>
                <option value="">Anyone</option>
                {users.data.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.username}
                  </option>
                ))}
              </select>
            ) : (
              <input {...p} value={draft.actor} placeholder="usr_…" onChange={set('actor')} />
            )
          }
        </Field>
        <Field label="Run id" error={fieldError('runId')}>
          {(p) => <input {...p} value={draft.runId} onChange={set('runId')} />}
        </Field>
        <Field label="From" error={fieldError('from')}>
          {(p) => <input {...p} type="datetime-local" value={draft.from} onChange={set('from')} />}
        </Field>
        <Field label="To" error={fieldError('to')}>
          {(p) => <input {...p} type="datetime-local" value={draft.to} onChange={set('to')} />}
        </Field>
        <div className="field">
          <button type="submit">Apply filters</button>
        </div>
      </form>
      {!events.data ? (
        <Loading what="audit events" error={events.error} />
      ) : (
        <>
          <p role="status" className="count">
            {events.data.length} event(s), newest first{events.data.length === limit ? ' (there may be more)' : ''}.
          </p>
          <table className="data" data-testid="audit-events">
            <thead>
              <tr>
                <th scope="col" className="n">
                  Seq
                </th>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Actor</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.data.map((e) => (
                <tr key={e.seq}>
                  <td className="n">{e.seq}</td>
                  <td>{when(e.time)}</td>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>{name(e.actor)}</td>
                  <td className="payload">
                    <code>{JSON.stringify(e.payload)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {events.data.length === limit && limit < 1000 ? (
            <button type="button" className="secondary" onClick={() => setLimit(Math.min(1000, limit + PAGE))}>
              Show {PAGE} more
            </button>
          ) : null}
        </>
      )}
      {can('audit.export') ? <ExportAudit /> : null}
    </>
  );
}

function VerifyChain() {
  const verify = useAction(() => api<VerifyResult>('POST', '/audit/verify'));
  const [result, setResult] = useState<VerifyResult | null>(null);
  return (
    <section className="card" aria-labelledby="verify-h">
      <h2 id="verify-h">Hash chain</h2>
      <button
        type="button"
        disabled={verify.pending}
        onClick={async () => {
          const r = await verify.run();
          if (r) setResult(r);
        }}
      >
        {verify.pending ? 'Verifying…' : 'Verify the chain'}
      </button>
      <ErrorText error={verify.error} />
      {result ? (
        <div role="status" data-testid="verify-result" className={result.ok ? 'ok' : 'error'}>
          <p>
            <strong>{result.ok ? 'Intact' : 'Broken'}</strong>: {result.orgEvents.toLocaleString('en-GB')} event(s) of your organisation checked in {result.elapsedMs} ms.
          </p>
          {result.brokenElsewhere ? <p>The chain is broken outside your organisation’s events: ask the operator to run ferry audit verify.</p> : null}
          {result.problems.length > 0 ? (
            <ul>
              {result.problems.map((p) => (
                <li key={p.seq}>
                  Event {p.seq}: {p.message} (<code>{p.code}</code>)
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function ExportAudit() {
  const { project } = useProject();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const exp = useAction(() => api<AuditExport>('POST', `/projects/${project.id}/audit/export`, { from: iso(from) ?? '', to: iso(to) ?? '' }));
  const [files, setFiles] = useState<Array<{ name: string; text: string }> | null>(null);
  return (
    <section className="card" aria-labelledby="export-h">
      <h2 id="export-h">Export for the regulator</h2>
      <form
        className="filters"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await exp.run();
          if (r) setFiles(r.files);
        }}
      >
        <Field label="Export from" error={exp.error?.issues.find((i) => i.path === 'from')?.message}>
          {(p) => <input {...p} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />}
        </Field>
        <Field label="Export to" error={exp.error?.issues.find((i) => i.path === 'to')?.message}>
          {(p) => <input {...p} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />}
        </Field>
        <div className="field">
          <button type="submit" disabled={exp.pending || !from || !to}>
            Export
          </button>
        </div>
      </form>
      <ErrorText error={exp.error} />
      {files ? (
        <ul className="plain" role="status">
          {files.map((f) => (
            <li key={f.name}>
              <button type="button" className="link" onClick={() => download(f.name, f.text)}>
                Download {f.name}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
