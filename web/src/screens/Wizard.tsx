/**
 * The new-migration wizard: connect (and test) a source or upload CSV/JSON files, profile it,
 * review mapping suggestions (accept, change or reject each, with a rationale), map the local
 * codes the profile found into crosswalks, set quality thresholds per tier, then submit the
 * contract and dry-run it against seeded synthetic data.
 */
import { useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, followRun } from '../api';
import { applyReview, KPIS, mappingSources, thresholdError, type CrosswalkDraft, type Decision, type FieldReview, type Thresholds } from '../contract-edit';
import { useProject } from '../session';
import {
  TIERS,
  type Profile,
  type RunReport,
  type RunEventData,
  type RunView,
  type SourceRef,
  type SourceTable,
  type SourceTest,
  type Suggestion,
  type Suggestions,
  type UploadDeleted,
  type UploadedSource,
  type Uploads,
  type VersionCreated,
  type VersionSummary,
} from '../types';
import { asApiError, Bar, ErrorText, Field, Loading, num, useAction, useLoad, when } from '../ui';
import { useSources } from './Runs';

const STEPS = ['Source', 'Profile', 'Mappings', 'Crosswalks', 'Thresholds', 'Dry run'] as const;

const DEFAULT_THRESHOLDS: Thresholds = {
  pre_production: { validity: '90', code_coverage: '90' },
  staging: { validity: '99', referential_integrity: '99', code_coverage: '99' },
  production: { completeness: '99', validity: '99.5', referential_integrity: '99.9', code_coverage: '99.9', uniqueness: '99.9' },
};

export function Wizard() {
  const { project } = useProject();
  const [step, setStep] = useState(0);
  const [source, setSource] = useState<string | null>(null);
  const [profile, setProfile] = useState<Profile | null>(null);
  const [suggested, setSuggested] = useState<Suggestions | null>(null);
  const [reviews, setReviews] = useState<Record<string, FieldReview>>({});
  const [codes, setCodes] = useState<Record<string, CrosswalkDraft>>({});
  const [thresholds, setThresholds] = useState<Thresholds>(DEFAULT_THRESHOLDS);
  const heading = useRef<HTMLHeadingElement>(null);
  const reached = [true, !!source, !!profile, !!suggested, !!suggested, !!suggested];
  useEffect(() => heading.current?.focus(), [step]);
  return (
    <>
      <h1>New migration</h1>
      <nav aria-label="Wizard steps">
        <ol className="steps">
          {STEPS.map((s, i) => (
            <li key={s}>
              <button type="button" className="step" aria-current={i === step ? 'step' : undefined} disabled={!reached[i]} onClick={() => setStep(i)}>
                <span className="step-n">{i + 1}</span> {s}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <h2 ref={heading} tabIndex={-1} className="step-title">
        Step {step + 1} of {STEPS.length}: {STEPS[step]}
      </h2>
      {step === 0 ? (
        <SourceStep
          projectId={project.id}
          source={source}
          onSource={(s) => {
            setSource(s);
            setProfile(null);
            setSuggested(null);
          }}
          next={() => setStep(1)}
        />
      ) : null}
      {step === 1 && source ? <ProfileStep projectId={project.id} source={source} profile={profile} onProfile={setProfile} next={() => setStep(2)} /> : null}
      {step === 2 && source && profile ? (
        <MappingStep
          projectId={project.id}
          source={source}
          profile={profile}
          suggested={suggested}
          onSuggested={(s) => {
            setSuggested(s);
            setReviews(Object.fromEntries(s.suggestions.map((x) => [x.target, { decision: 'accept' as Decision, rationale: x.reason }])));
            setCodes(initialCrosswalks(s.suggestions, profile));
          }}
          reviews={reviews}
          onReviews={setReviews}
          next={() => setStep(3)}
        />
      ) : null}
      {step === 3 && suggested ? <CrosswalkStep codes={codes} onCodes={setCodes} reviews={reviews} next={() => setStep(4)} /> : null}
      {step === 4 ? <ThresholdStep thresholds={thresholds} onThresholds={setThresholds} next={() => setStep(5)} /> : null}
      {step === 5 && suggested ? <DryRunStep projectId={project.id} draft={suggested.contractYaml} reviews={reviews} codes={codes} thresholds={thresholds} /> : null}
    </>
  );
}

/** The button to the next step (with an optional note before it). */
function NextStep({ label, onClick, disabled, children }: { label: string; onClick: () => void; disabled?: boolean; children?: ReactNode }) {
  return (
    <p className="next">
      {children}
      {children ? ' ' : null}
      <button type="button" disabled={disabled} onClick={onClick}>
        {label}
      </button>
    </p>
  );
}

// ---------------------------------------------------------------- 1. source

function SourceStep({ projectId, source, onSource, next }: { projectId: string; source: string | null; onSource: (s: string | null) => void; next: () => void }) {
  const sources = useSources(projectId);
  const uploads = useLoad(() => api<Uploads>('GET', `/projects/${projectId}/uploads`), [projectId]);
  const [ref, setRef] = useState('');
  const [result, setResult] = useState<SourceTest | null>(null);
  const test = useAction((r: string) => api<SourceTest>('POST', `/projects/${projectId}/sources/test`, { source: r }));
  const chosen = ref || sources.data?.[0]?.ref || '';
  const runTest = async (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    const r = await test.run(chosen);
    if (r) {
      setResult(r);
      if (r.ok) onSource(chosen);
    }
  };
  const failed = result && !result.ok ? result.message : (test.error?.issues.find((i) => i.path === 'source')?.message ?? null);
  return (
    <>
      <section className="card" aria-labelledby="connect-h">
        <h3 id="connect-h">Connect a source</h3>
        <form onSubmit={runTest}>
          <Field label="Source" hint="A database your operator configured on the server, an earlier upload, or seeded synthetic data." error={failed}>
            {(p) =>
              sources.data ? (
                <select {...p} value={chosen} onChange={(e) => (setRef(e.target.value), setResult(null))}>
                  {sources.data.map((s: SourceRef) => (
                    <option key={s.ref} value={s.ref}>
                      {s.label} ({s.ref})
                    </option>
                  ))}
                </select>
              ) : sources.error ? (
                <input {...p} value={ref} onChange={(e) => setRef(e.target.value)} />
              ) : (
                <p className="hint">Loading the sources…</p>
              )
            }
          </Field>
          {sources.error ? <ErrorText error={sources.error} /> : null}
          {test.error && !failed ? <ErrorText error={test.error} /> : null}
          <button type="submit" disabled={test.pending || !chosen}>
            {test.pending ? 'Testing…' : 'Test connection'}
          </button>
        </form>
        {result?.ok ? <TablesFound tables={result.tables} /> : null}
      </section>
      <Upload projectId={projectId} onUploaded={(s, tables) => (onSource(s), setResult({ ok: true, tables }), uploads.reload(), sources.reload())} />
      <UploadList
        projectId={projectId}
        uploads={uploads}
        onDeleted={(ref) => {
          uploads.reload();
          sources.reload();
          if (ref === source || ref === chosen) {
            onSource(null);
            setRef('');
            setResult(null);
          }
        }}
      />
      {source ? (
        <NextStep label="Next: profile the source" onClick={next}>
          Using <code>{source}</code>.
        </NextStep>
      ) : null}
    </>
  );
}

function TablesFound({ tables }: { tables: SourceTable[] }) {
  return (
    <div role="status" className="ok" data-testid="source-ok">
      <p>
        <strong>Connected.</strong> {tables.length} table(s):{' '}
        {tables
          .slice(0, 12)
          .map((t) => `${t.name} (${t.columns} columns${t.rows !== undefined ? `, ${num(t.rows)} rows` : ''})`)
          .join(', ')}
        {tables.length > 12 ? ', …' : ''}
      </p>
    </div>
  );
}

function Upload({ projectId, onUploaded }: { projectId: string; onUploaded: (source: string, tables: SourceTable[]) => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [over, setOver] = useState(false);
  const upload = useAction(async () => {
    const payload = await Promise.all(files.map(async (f) => ({ name: f.name, content: await f.text() })));
    return api<UploadedSource>('POST', `/projects/${projectId}/uploads`, { files: payload });
  });
  const add = (list: FileList | null) => setFiles((prev) => [...prev.filter((p) => !Array.from(list ?? []).some((f) => f.name === p.name)), ...Array.from(list ?? [])]);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    add(e.dataTransfer.files);
  };
  return (
    <section className="card" aria-labelledby="upload-h">
      <h3 id="upload-h">Or upload files</h3>
      <div className={`dropzone${over ? ' over' : ''}`} data-testid="dropzone" onDragOver={(e) => (e.preventDefault(), setOver(true))} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <p>Drag CSV files (with a header row) or JSON files here: one file per table, named after it (PAT_MAST.csv).</p>
        <Field label="Choose files">{(p) => <input {...p} type="file" multiple accept=".csv,.json,.ndjson" onChange={(e) => add(e.target.files)} />}</Field>
      </div>
      {files.length ? (
        <ul className="plain" aria-label="Files to upload">
          {files.map((f) => (
            <li key={f.name}>
              {f.name} <span className="hint">({num(f.size)} bytes)</span>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorText error={upload.error} />
      <button
        type="button"
        disabled={upload.pending || files.length === 0}
        onClick={async () => {
          const r = await upload.run();
          if (r) onUploaded(r.source, r.tables);
        }}
      >
        {upload.pending ? 'Uploading…' : `Upload ${files.length || ''} file(s)`}
      </button>
    </section>
  );
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The project's uploads with their size and expiry; each can be deleted to free the quota. */
function UploadList({ projectId, uploads, onDeleted }: { projectId: string; uploads: { data: Uploads | null; error: ApiError | null }; onDeleted: (ref: string) => void }) {
  const { can } = useProject();
  const remove = useAction((id: string) => api<UploadDeleted>('DELETE', `/projects/${projectId}/uploads/${id}`));
  if (!uploads.data) return uploads.error ? <ErrorText error={uploads.error} /> : null;
  const { usage, quota, retentionDays } = uploads.data;
  return (
    <section className="card" aria-labelledby="uploads-h">
      <h3 id="uploads-h">Uploaded files</h3>
      <p className="hint" data-testid="upload-usage">
        {usage.uploads} of {quota.uploads} uploads, {mib(usage.bytes)} of {mib(quota.bytes)}. Uploads are removed {retentionDays} days after they were made.
      </p>
      {uploads.data.uploads.length ? (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Upload</th>
              <th scope="col">Tables</th>
              <th scope="col" className="n">
                Size
              </th>
              <th scope="col">Uploaded</th>
              <th scope="col">Removed on</th>
              {can('contract.submit') ? <th scope="col">Delete</th> : null}
            </tr>
          </thead>
          <tbody>
            {uploads.data.uploads.map((u) => (
              <tr key={u.id}>
                <th scope="row">
                  <code>{u.id}</code>
                </th>
                <td>{u.tables.join(', ')}</td>
                <td className="n">{mib(u.bytes)}</td>
                <td>{when(u.createdAt)}</td>
                <td>{when(u.expiresAt)}</td>
                {can('contract.submit') ? (
                  <td>
                    <button
                      type="button"
                      aria-label={`Delete upload ${u.id}`}
                      disabled={remove.pending}
                      onClick={async () => {
                        if (!window.confirm(`Delete upload ${u.id} (${u.tables.join(', ')})? Contracts and runs that use upload:${u.id} will no longer find it.`)) return;
                        const r = await remove.run(u.id);
                        if (r) onDeleted(u.source);
                      }}
                    >
                      Delete
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No uploads yet.</p>
      )}
      <ErrorText error={remove.error} />
    </section>
  );
}

// ---------------------------------------------------------------- 2. profile

function ProfileStep({ projectId, source, profile, onProfile, next }: { projectId: string; source: string; profile: Profile | null; onProfile: (p: Profile) => void; next: () => void }) {
  const run = useAction(() => api<Profile>('POST', `/projects/${projectId}/profile`, { source }));
  useEffect(() => {
    if (!profile) run.run().then((p) => p && onProfile(p));
  }, [source]);
  if (!profile) return <Loading what={`the profile of ${source} (one pass over every table)`} error={run.error} />;
  return (
    <>
      <p>
        {profile.tables.length} table(s), {num(profile.tables.reduce((n, t) => n + t.columns.length, 0))} column(s). Top values are hidden for codes seen fewer than 5 times.
      </p>
      <div data-testid="profile">
        {profile.tables.map((t) => (
          <details key={t.name} className="card">
            <summary>
              <strong>{t.name}</strong>: {num(t.rows)} rows, {t.columns.length} columns; key {t.candidate_keys[0]?.columns.join(' + ') ?? 'none found'}
            </summary>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Inferred type</th>
                  <th scope="col" className="n">
                    Null rate
                  </th>
                  <th scope="col" className="n">
                    Distinct
                  </th>
                  <th scope="col">Pattern</th>
                </tr>
              </thead>
              <tbody>
                {t.columns.map((c) => (
                  <tr key={c.name}>
                    <th scope="row">{c.name}</th>
                    <td>
                      {c.inferred_type}
                      {c.date_format ? ` (${c.date_format.format})` : ''}
                    </td>
                    <td className="n">{((c.null_rate + c.empty_rate) * 100).toFixed(1)}%</td>
                    <td className="n">
                      {num(c.distinct.count)}
                      {c.distinct.estimated ? ' (est.)' : ''}
                    </td>
                    <td>{c.dominant_pattern ?? c.patterns?.[0]?.class ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {t.foreign_keys?.length ? (
              <p className="hint">References: {t.foreign_keys.map((f) => `${f.columns.join('+')} → ${f.references.table}.${f.references.columns.join('+')}`).join('; ')}</p>
            ) : null}
          </details>
        ))}
      </div>
      <NextStep label="Next: suggest mappings" onClick={next} />
    </>
  );
}

// ---------------------------------------------------------------- 3. mappings

function MappingStep({
  projectId,
  source,
  profile,
  suggested,
  onSuggested,
  reviews,
  onReviews,
  next,
}: {
  projectId: string;
  source: string;
  profile: Profile;
  suggested: Suggestions | null;
  onSuggested: (s: Suggestions) => void;
  reviews: Record<string, FieldReview>;
  onReviews: (r: Record<string, FieldReview>) => void;
  next: () => void;
}) {
  const [ddl, setDdl] = useState('');
  const suggest = useAction(() => api<Suggestions>('POST', `/projects/${projectId}/suggest`, { source, targetDdl: ddl }));
  const sourceOf = useMemo(() => (suggested ? mappingSources(suggested.contractYaml) : {}), [suggested]);
  const columnsOf = (table: string) => profile.tables.find((t) => t.name === table)?.columns.map((c) => c.name) ?? [];
  const set = (target: string, patch: Partial<FieldReview>) => onReviews({ ...reviews, [target]: { ...reviews[target], ...patch } });
  const ddlError = suggest.error?.issues.find((i) => i.path.startsWith('targetDdl'))?.message ?? (suggest.error?.code.startsWith('ddl') ? suggest.error.message : null);
  return (
    <>
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await suggest.run();
          if (r) onSuggested(r);
        }}
      >
        <Field label="Target schema (DDL)" hint="CREATE TABLE statements of the new system's load tables; paste them or choose a .sql file." error={ddlError}>
          {(p) => <textarea {...p} rows={6} className="mono" value={ddl} onChange={(e) => setDdl(e.target.value)} />}
        </Field>
        <Field label="Or read the DDL from a file">
          {(p) => (
            <input
              {...p}
              type="file"
              accept=".sql,.ddl,.txt"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (f) setDdl(await f.text());
              }}
            />
          )}
        </Field>
        {!ddlError ? <ErrorText error={suggest.error} /> : null}
        <button type="submit" disabled={suggest.pending || !ddl.trim()}>
          {suggest.pending ? 'Suggesting…' : 'Suggest mappings'}
        </button>
      </form>
      {suggested ? (
        <>
          <p role="status">
            {suggested.suggestions.length} target column(s): {suggested.suggestions.filter((s) => s.source).length} with a suggested source. Review each: accept it, change the source column, or reject
            it, and say why.
          </p>
          <table className="data review" data-testid="suggestions">
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Suggested source</th>
                <th scope="col" className="n">
                  Confidence
                </th>
                <th scope="col">Decision</th>
                <th scope="col">Rationale</th>
              </tr>
            </thead>
            <tbody>
              {suggested.suggestions.map((s) => {
                const table = s.target.split('.')[0];
                const mappedFrom = sourceOf[table];
                const r = reviews[s.target];
                const label = s.target;
                return (
                  <tr key={s.target} data-target={s.target}>
                    <th scope="row">{s.target}</th>
                    <td>
                      {s.source ? <code>{s.source}</code> : <span className="hint">none fits</span>}
                      <p className="hint reason">{s.reason}</p>
                    </td>
                    <td className="n">{Math.round(s.confidence * 100)}%</td>
                    <td>
                      {mappedFrom ? (
                        <fieldset className="decision">
                          <legend className="sr-only">Decision for {label}</legend>
                          {(['accept', 'change', 'reject'] as Decision[]).map((d) => (
                            <label key={d}>
                              <input type="radio" name={`d-${s.target}`} value={d} checked={r?.decision === d} onChange={() => set(s.target, { decision: d })} /> {d}
                            </label>
                          ))}
                          {r?.decision === 'change' ? (
                            <Field label={`Source column for ${label}`}>
                              {(p) => (
                                <select {...p} value={r.column ?? ''} onChange={(e) => set(s.target, { column: e.target.value })}>
                                  <option value="">Choose a column of {mappedFrom}</option>
                                  {columnsOf(mappedFrom).map((c) => (
                                    <option key={c}>{c}</option>
                                  ))}
                                </select>
                              )}
                            </Field>
                          ) : null}
                        </fieldset>
                      ) : (
                        <span className="hint">no source table for {table}</span>
                      )}
                    </td>
                    <td>
                      <label className="sr-only" htmlFor={`why-${s.target}`}>
                        Rationale for {label}
                      </label>
                      <textarea
                        id={`why-${s.target}`}
                        rows={2}
                        value={r?.rationale ?? ''}
                        onChange={(e) => set(s.target, { rationale: e.target.value })}
                        aria-invalid={r && !r.rationale.trim() ? true : undefined}
                      />
                      {r && !r.rationale.trim() ? <p className="error-inline">A rationale is required: say why this mapping is right.</p> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <NextStep label="Next: crosswalks" onClick={next} />
        </>
      ) : null}
    </>
  );
}

// ---------------------------------------------------------------- 4. crosswalks

function crosswalkName(t: unknown): string | null {
  return t && typeof t === 'object' && 'crosswalk' in t && typeof (t as { crosswalk: unknown }).crosswalk === 'string' ? (t as { crosswalk: string }).crosswalk : null;
}

/** The crosswalks the suggestions call for, with the profile's codes (trimmed) largest first. */
function initialCrosswalks(suggestions: Suggestion[], profile: Profile): Record<string, CrosswalkDraft> {
  const out: Record<string, CrosswalkDraft> = {};
  for (const s of suggestions) {
    const name = s.transforms.map(crosswalkName).find(Boolean);
    if (!name || !s.source) continue;
    const [table, column] = s.source.split('.');
    const col = profile.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
    const counts = new Map<string, number>();
    for (const v of col?.top_values ?? []) {
      const code = v.value.trim();
      if (code) counts.set(code, (counts.get(code) ?? 0) + v.count);
    }
    out[name] = { target: s.target, codes: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([c]) => [c, ''])) };
    (out[name] as CrosswalkDraft & { rows?: Record<string, number> }).rows = Object.fromEntries(counts);
  }
  return out;
}

function CrosswalkStep({
  codes,
  onCodes,
  reviews,
  next,
}: {
  codes: Record<string, CrosswalkDraft>;
  onCodes: (c: Record<string, CrosswalkDraft>) => void;
  reviews: Record<string, FieldReview>;
  next: () => void;
}) {
  const names = Object.keys(codes).filter((n) => reviews[codes[n].target]?.decision !== 'reject');
  return (
    <>
      {names.length === 0 ? (
        <p>No field needs a crosswalk: no suggested source holds local codes.</p>
      ) : (
        <p>Local codes the profile found, the most frequent first. Map each to the target code; a code left empty stays unmapped and its rows are quarantined.</p>
      )}
      {names.map((name) => {
        const cw = codes[name] as CrosswalkDraft & { rows?: Record<string, number> };
        const entries = Object.keys(cw.codes);
        return (
          <section key={name} className="card" aria-labelledby={`cw-${name}`} data-crosswalk={name}>
            <h3 id={`cw-${name}`}>
              {name} <span className="hint">for {cw.target}</span>
            </h3>
            {entries.length === 0 ? (
              <p className="hint">The profile showed no code often enough to list (codes seen fewer than 5 times are hidden).</p>
            ) : (
              <table className="data compact">
                <thead>
                  <tr>
                    <th scope="col">Legacy code</th>
                    <th scope="col" className="n">
                      Rows
                    </th>
                    <th scope="col">Target code</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((code) => (
                    <tr key={code}>
                      <th scope="row">
                        <code>{code}</code>
                      </th>
                      <td className="n">{num(cw.rows?.[code] ?? null)}</td>
                      <td>
                        <label className="sr-only" htmlFor={`cw-${name}-${code}`}>
                          Target code for {code} in {name}
                        </label>
                        <input
                          id={`cw-${name}-${code}`}
                          className="short"
                          value={cw.codes[code]}
                          onChange={(e) => onCodes({ ...codes, [name]: { ...cw, codes: { ...cw.codes, [code]: e.target.value } } })}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
      <NextStep label="Next: quality thresholds" onClick={next} />
    </>
  );
}

// ---------------------------------------------------------------- 5. thresholds

function ThresholdStep({ thresholds, onThresholds, next }: { thresholds: Thresholds; onThresholds: (t: Thresholds) => void; next: () => void }) {
  const bad = TIERS.some((t) => KPIS.some((k) => thresholdError(thresholds[t][k])));
  return (
    <>
      <p>The run fails its quality gate when a KPI falls below the figure for the run's tier. Leave a cell empty for no gate.</p>
      <table className="data thresholds">
        <thead>
          <tr>
            <th scope="col">KPI (fail below, %)</th>
            {TIERS.map((t) => (
              <th key={t} scope="col">
                {t}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {KPIS.map((k) => (
            <tr key={k}>
              <th scope="row">{k.replace(/_/g, ' ')}</th>
              {TIERS.map((t) => {
                const err = thresholdError(thresholds[t][k]);
                const id = `th-${t}-${k}`;
                return (
                  <td key={t}>
                    <label className="sr-only" htmlFor={id}>
                      {k.replace(/_/g, ' ')} fail threshold in {t}
                    </label>
                    <input
                      id={id}
                      className="short"
                      inputMode="decimal"
                      value={thresholds[t][k] ?? ''}
                      aria-invalid={err ? true : undefined}
                      aria-describedby={err ? `${id}-e` : undefined}
                      onChange={(e) => onThresholds({ ...thresholds, [t]: { ...thresholds[t], [k]: e.target.value } })}
                    />
                    {err ? (
                      <p className="error-inline" id={`${id}-e`}>
                        {err}
                      </p>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <NextStep label="Next: dry run" disabled={bad} onClick={next} />
    </>
  );
}

// ---------------------------------------------------------------- 6. submit and dry run

function DryRunStep({
  projectId,
  draft,
  reviews,
  codes,
  thresholds,
}: {
  projectId: string;
  draft: string;
  reviews: Record<string, FieldReview>;
  codes: Record<string, CrosswalkDraft>;
  thresholds: Thresholds;
}) {
  const sources = useSources(projectId);
  const [name, setName] = useState('legacy_to_epr');
  const [version, setVersion] = useState('0.1.0');
  const [message, setMessage] = useState('First draft from the wizard');
  const [synth, setSynth] = useState('synth:42:200');
  const [submitted, setSubmitted] = useState<VersionSummary | null>(null);
  const [run, setRun] = useState<RunView | null>(null);
  const [report, setReport] = useState<RunReport | null>(null);
  const [followError, setFollowError] = useState<ReturnType<typeof asApiError> | null>(null);
  const missingRationale = Object.entries(reviews)
    .filter(([, r]) => !r.rationale.trim())
    .map(([t]) => t);
  const go = useAction(async () => {
    const contract = applyReview(draft, { name, version, fields: reviews, crosswalks: codes, thresholds });
    const stored = await api<VersionCreated>('POST', `/projects/${projectId}/contract-versions`, { yaml: contract.yaml, crosswalks: contract.crosswalks, message });
    setSubmitted(stored.version);
    const started = await api<RunView>('POST', `/projects/${projectId}/runs`, { versionId: stored.version.id, tier: 'pre_production', source: synth, dryRun: true });
    setRun(started);
    return started;
  });
  useEffect(() => {
    if (!run) return;
    const abort = new AbortController();
    followRun(
      `/projects/${projectId}/runs/${run.runId}/events`,
      (m) => {
        if (m.event === 'snapshot' || m.event === 'end') setRun(m.data as RunView);
        else {
          const data = m.data as RunEventData;
          if (data?.totals) setRun((r) => (r ? { ...r, status: 'running', progress: { ...r.progress, totals: data.totals, rowsPerSecond: data.rowsPerSecond } } : r));
        }
        if (m.event === 'end') api<RunReport>('GET', `/projects/${projectId}/runs/${run.runId}/report`).then(setReport, (e) => setFollowError(asApiError(e)));
      },
      abort.signal,
    ).catch((e) => setFollowError(asApiError(e)));
    return () => abort.abort();
  }, [run?.runId]);
  const synthRefs = (sources.data ?? []).filter((s) => s.kind === 'synth');
  const contractErrors = go.error?.code === 'contract.invalid' ? go.error : null;
  return (
    <>
      <form
        className="card grid-form"
        onSubmit={(e) => {
          e.preventDefault();
          setReport(null);
          go.run();
        }}
      >
        <Field label="Contract name" error={contractErrors?.issues.find((i) => i.path.includes('metadata.name'))?.message}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Contract version">{(p) => <input {...p} value={version} onChange={(e) => setVersion(e.target.value)} />}</Field>
        <Field label="What this version is">{(p) => <input {...p} value={message} onChange={(e) => setMessage(e.target.value)} />}</Field>
        <Field label="Synthetic data to dry-run against" hint="synth:SEED:PATIENTS: the same seed always gives the same rows.">
          {(p) => <input {...p} value={synth} list="synth-refs" onChange={(e) => setSynth(e.target.value)} />}
        </Field>
        <datalist id="synth-refs">
          {synthRefs.map((s) => (
            <option key={s.ref} value={s.ref} />
          ))}
        </datalist>
        {missingRationale.length ? <p className="error-inline">Write a rationale for {missingRationale.join(', ')} first (step 3).</p> : null}
        <ErrorText error={go.error} />
        <button type="submit" disabled={go.pending || missingRationale.length > 0 || (run !== null && (run.status === 'queued' || run.status === 'running'))}>
          Submit the contract and start the dry run
        </button>
      </form>
      {submitted ? (
        <p role="status">
          Submitted as v{submitted.number}. <a href={`#/p/${projectId}/v/${submitted.id}`}>Open it in the workbench</a>
        </p>
      ) : null}
      {run ? (
        <section className="card" aria-labelledby="dry-h" data-testid="dry-run">
          <h3 id="dry-h">
            Dry run {run.runId}: <span data-testid="dry-run-status">{run.status}</span>
          </h3>
          <Bar
            label="Rows read"
            value={run.progress.totals.total ? run.progress.totals.read / run.progress.totals.total : run.status === 'succeeded' ? 1 : 0}
            text={`${num(run.progress.totals.read)} read`}
          />
          {run.error ? <ErrorText error={new ApiError(0, run.error.code, run.error.message)} /> : null}
          {report ? (
            <div data-testid="dry-run-result">
              <p>
                <strong>Result:</strong> {num(report.totals.read)} read, {num(report.totals.loaded)} would load, {num(report.totals.quarantined)} quarantined, {num(report.totals.excluded)} excluded
                {report.quality?.decision ? `; quality gate ${report.quality.decision}` : ''}.
              </p>
              {report.quarantineReasons.length ? (
                <ul>
                  {report.quarantineReasons.slice(0, 8).map((q) => (
                    <li key={`${q.reasonCode}${q.rule}`}>
                      <code>{q.reasonCode}</code> {q.rule}: {num(q.count)} row(s)
                    </li>
                  ))}
                </ul>
              ) : null}
              <a href={`#/p/${projectId}/runs/${run.runId}`}>See the full report</a>
            </div>
          ) : null}
          <ErrorText error={followError} />
        </section>
      ) : null}
    </>
  );
}
