/**
 * One sampled patient side by side (review.patient_data): every legacy row linked to the
 * patient next to the target row it became, field by field with steps and crosswalk, and
 * quarantined rows with their reasons; then the verdict form. Every load of this screen is
 * audited by the server. Previous and next buttons move through the sample by keyboard too.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { useProject } from '../session';
import type { Review, ReviewPatientView } from '../types';
import { ErrorText, Field, go, Loading, useAction, useLoad } from '../ui';

const text = (v: string | number | boolean | null) => (v === null ? '(empty)' : String(v));

export function ReviewPatient({ reviewId, position }: { reviewId: string; position: number }) {
  const { project } = useProject();
  const base = `/projects/${project.id}/reviews/${reviewId}/patients/${position}`;
  const view = useLoad(() => api<ReviewPatientView>('GET', base), [base]);
  const previous = useRef<HTMLButtonElement>(null);
  const next = useRef<HTMLButtonElement>(null);
  if (!view.data) return <Loading what="the patient" error={view.error} />;
  // While the next patient loads the last one's view is still held: never show it (nor take a verdict) under this patient's number.
  const current = view.data.patient.position === position ? view.data : null;
  const { review } = view.data;
  const to = (p: number) => {
    // The button that can no longer act is about to be disabled, which would drop keyboard focus: hand it to the other one.
    if (p === 0) next.current?.focus();
    if (p + 1 >= review.patients) previous.current?.focus();
    go(`/p/${project.id}/reviews/${reviewId}/${p}`);
  };
  return (
    <>
      <p className="crumbs">
        <a href={`#/p/${project.id}/reviews`}>Reviews</a> › <a href={`#/p/${project.id}/reviews/${reviewId}`}>{reviewId}</a> › <span>patient {position + 1}</span>
      </p>
      <h1>
        Patient {position + 1} of {review.patients}
        {current ? `: ${current.view.root} ${current.view.patientKey}` : ''}
      </h1>
      <nav aria-label="Sampled patients" className="pager">
        <button type="button" ref={previous} className="secondary" disabled={position === 0} onClick={() => to(position - 1)}>
          Previous patient
        </button>{' '}
        <button type="button" ref={next} className="secondary" disabled={position + 1 >= review.patients} onClick={() => to(position + 1)}>
          Next patient
        </button>
      </nav>
      {current ? <PatientView key={position} data={current} base={base} reload={view.reload} /> : <Loading what="the patient" error={null} />}
    </>
  );
}

/** The patient's rows side by side and the forms; keyed by position, so a half-made verdict or comment never carries over to another patient. */
function PatientView({ data, base, reload }: { data: ReviewPatientView; base: string; reload: () => void }) {
  const { can } = useProject();
  const ids = useId();
  const { patient, view: v } = data;
  return (
    <>
      <p>
        Stratum: {patient.stratum}. Verdict: {patient.verdict ?? 'not reviewed'}
        {patient.discrepancyStatus ? ` (discrepancy ${patient.discrepancyStatus})` : ''}.
      </p>
      {v.rows.map((r, n) => (
        <section key={`${r.table}:${r.key}`} className="card" aria-labelledby={`${ids}-row-${n}`}>
          <h2 id={`${ids}-row-${n}`}>
            Legacy {r.table} {r.key}
          </h2>
          {r.outcomes.length === 0 ? <p>No lineage in this run (not mapped, or the run kept no lineage).</p> : null}
          {r.outcomes.map((o, i) =>
            o.outcome === 'loaded' ? (
              <table className="data" key={i}>
                <caption>
                  Loaded into {o.targetTable} {o.targetKey ?? ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Target field</th>
                    <th scope="col">Target value</th>
                    <th scope="col">Legacy column</th>
                    <th scope="col">Legacy value</th>
                    <th scope="col">Steps</th>
                    <th scope="col">Crosswalk</th>
                  </tr>
                </thead>
                <tbody>
                  {(o.fields ?? []).map((f) => (
                    <tr key={f.field}>
                      <th scope="row">{f.field}</th>
                      <td>{text(f.targetValue)}</td>
                      <td>{f.from.join(', ') || 'constant'}</td>
                      <td>{f.sourceValues.map(text).join(', ') || '–'}</td>
                      <td>{f.steps.join(' → ') || '–'}</td>
                      <td>{f.crosswalk ? `${f.crosswalk.name} ${f.crosswalk.version ?? ''}` : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <div key={i}>
                <p>
                  <span className={`tag tag-${o.outcome === 'quarantined' ? 'fail' : 'warn'}`}>{o.outcome}</span> for {o.targetTable}:{' '}
                  {o.reasons.map((q) => `${q.code}${q.rule ? ` (${q.rule})` : ''}`).join(', ')}
                </p>
                <table className="data">
                  <caption>Legacy values</caption>
                  <thead>
                    <tr>
                      <th scope="col">Column</th>
                      <th scope="col">Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.values.map((c) => (
                      <tr key={c.column}>
                        <th scope="row">{c.column}</th>
                        <td>{text(c.value)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ),
          )}
        </section>
      ))}
      {patient.verdict === null && can('review.patient_data') ? <VerdictForm base={base} reload={reload} /> : null}
      {patient.discrepancyStatus === 'open' && can('review.manage') ? <ResolveForm base={base} reload={reload} /> : null}
    </>
  );
}

/** Records the reviewer's verdict; a discrepancy needs a comment saying what differs. */
function VerdictForm({ base, reload }: { base: string; reload: () => void }) {
  const [verdict, setVerdict] = useState<'matches' | 'discrepancy' | ''>('');
  const [comment, setComment] = useState('');
  const mark = useAction(() => api<Review>('POST', `${base}/verdict`, { verdict, comment: comment || undefined }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await mark.run()) reload();
  };
  return (
    <form onSubmit={submit} className="card">
      <fieldset>
        <legend>Verdict</legend>
        <label>
          <input type="radio" name="verdict" value="matches" checked={verdict === 'matches'} onChange={() => setVerdict('matches')} /> Matches
        </label>
        <label>
          <input type="radio" name="verdict" value="discrepancy" checked={verdict === 'discrepancy'} onChange={() => setVerdict('discrepancy')} /> Discrepancy
        </label>
      </fieldset>
      <Field label="Comment" hint="Required for a discrepancy: say what differs">
        {(p) => <textarea {...p} value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
      <ErrorText error={mark.error} />
      <button type="submit" disabled={mark.pending || verdict === '' || (verdict === 'discrepancy' && !comment.trim())}>
        Record verdict
      </button>
    </form>
  );
}

/** Resolves an open discrepancy with its own comment (never the reviewer's verdict comment). */
function ResolveForm({ base, reload }: { base: string; reload: () => void }) {
  const [comment, setComment] = useState('');
  const resolve = useAction(() => api<Review>('POST', `${base}/resolve`, { comment }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await resolve.run()) reload();
  };
  return (
    <form onSubmit={submit} className="card">
      <Field label="How was the discrepancy resolved?">{(p) => <textarea {...p} value={comment} onChange={(e) => setComment(e.target.value)} />}</Field>
      <ErrorText error={resolve.error} />
      <button type="submit" disabled={resolve.pending || !comment.trim()}>
        Resolve discrepancy
      </button>
    </form>
  );
}
