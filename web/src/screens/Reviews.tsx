/** The clinician sampling review queue: the project's reviews, their progress and open discrepancies, and each review's patients. */
import { api } from '../api';
import { useProject } from '../session';
import type { Review, ReviewSummary } from '../types';
import { Loading, useLoad, when } from '../ui';

/** The reviews of the project, newest first. */
export function Reviews() {
  const { project } = useProject();
  const list = useLoad(() => api<ReviewSummary[]>('GET', `/projects/${project.id}/reviews`), [project.id]);
  if (!list.data) return <Loading what="the reviews" error={list.error} />;
  return (
    <>
      <h1>Clinician sampling reviews</h1>
      <p className="hint">Draw a review of a run with ferry review sample or POST …/runs/RUN/reviews. Patient values are shown only in a patient’s view, and every view is audited.</p>
      {list.data.length === 0 ? (
        <p role="status">No reviews yet.</p>
      ) : (
        <table className="data">
          <caption>Reviews, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Review</th>
              <th scope="col">Run</th>
              <th scope="col">Tier</th>
              <th scope="col">Progress</th>
              <th scope="col">Open discrepancies</th>
              <th scope="col">Drawn</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <a href={`#/p/${project.id}/reviews/${r.id}`}>{r.id}</a>
                </th>
                <td>{r.runId}</td>
                <td>{r.tier}</td>
                <td>
                  {r.reviewed} of {r.patients} reviewed ({r.status})
                </td>
                <td>{r.openDiscrepancies}</td>
                <td>{when(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** One review's sampled patients: keys, strata and verdicts (no values). */
export function ReviewDetail({ reviewId }: { reviewId: string }) {
  const { project, can } = useProject();
  const review = useLoad(() => api<Review>('GET', `/projects/${project.id}/reviews/${reviewId}`), [project.id, reviewId]);
  if (!review.data) return <Loading what="the review" error={review.error} />;
  const r = review.data;
  return (
    <>
      <p className="crumbs">
        <a href={`#/p/${project.id}/reviews`}>Reviews</a> › <span>{r.id}</span>
      </p>
      <h1>Review of run {r.runId}</h1>
      <p>
        {r.reviewed} of {r.patients} patients reviewed, {r.openDiscrepancies} open discrepancy(ies); seed {r.seed}
        {r.stratify ? `, stratified by ${r.stratify}` : ''}.
      </p>
      <table className="data">
        <caption>Sampled patients</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Patient key</th>
            <th scope="col">Stratum</th>
            <th scope="col">Verdict</th>
            <th scope="col">Discrepancy</th>
          </tr>
        </thead>
        <tbody>
          {r.sampled.map((p) => (
            <tr key={p.position}>
              <td>{p.position + 1}</td>
              <th scope="row">
                {can('review.patient_data') ? (
                  <a href={`#/p/${project.id}/reviews/${r.id}/${p.position}`}>
                    {r.root} {p.patientKey}
                  </a>
                ) : (
                  `${r.root} ${p.patientKey}`
                )}
              </th>
              <td>{p.stratum}</td>
              <td>{p.verdict ?? 'not reviewed'}</td>
              <td>{p.discrepancyStatus ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
