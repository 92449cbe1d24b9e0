/**
 * One run: live per-table progress over Server-Sent Events (throughput, ETA), cancel while it
 * moves; once finished, its report (read/loaded/quarantined, reasons, KPI bars against the
 * thresholds, reconciliation side by side) and rollback behind a confirmation dialog.
 */
import { useEffect, useState } from 'react';
import { api, ApiError, apiText, followRun } from '../api';
import { runPermission, useProject } from '../session';
import type { Progress, RollbackReport, RunEventData, RunReport, RunView } from '../types';
import { asApiError, Bar, ConfirmDialog, download, duration, ErrorText, Field, Loading, num, useAction, useLoad, when } from '../ui';
import { statusTone } from './Runs';

const LIVE = new Set(['queued', 'running']);

export function RunDetail({ runId }: { runId: string }) {
  const { project } = useProject();
  const [run, setRun] = useState<RunView | null>(null);
  const [streamError, setStreamError] = useState<ApiError | null>(null);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    const abort = new AbortController();
    setRun(null);
    setEnded(false);
    followRun(
      `/projects/${project.id}/runs/${runId}/events`,
      (m) => {
        if (m.event === 'snapshot' || m.event === 'end') {
          setRun(m.data as RunView);
          if (m.event === 'end') setEnded(true);
          return;
        }
        // A live event carries the table's figures after it and the run's totals.
        setRun((r) => (r ? applyEvent(r, m.data as RunEventData) : r));
      },
      abort.signal,
    ).catch((err: unknown) => setStreamError(asApiError(err)));
    return () => abort.abort();
  }, [project.id, runId]);
  if (!run) return <Loading what="the run" error={streamError} />;
  const live = LIVE.has(run.status) && !ended;
  return (
    <>
      <h1>
        Run {run.runId}{' '}
        <span className={`tag tag-${statusTone(run.status)}`} data-testid="run-status">
          {run.status}
        </span>
      </h1>
      <p className="hint">
        {run.dryRun ? 'Dry run' : 'Load'} in {run.tier}, started {when(run.startedAt ?? run.queuedAt)} by {run.startedBy}
        {run.finishedAt ? `, finished ${when(run.finishedAt)}` : ''}.
      </p>
      {run.error ? <ErrorText error={new ApiError(0, run.error.code, run.error.message)} /> : null}
      <LiveProgress progress={run.progress} live={live} />
      {live ? <CancelRun run={run} /> : null}
      {!live && run.status !== 'queued' ? <FinishedReport run={run} /> : null}
    </>
  );
}

function applyEvent(run: RunView, data: RunEventData): RunView {
  const tables = [...run.progress.tables];
  if (data.table) {
    const at = tables.findIndex((t) => t.table === data.table!.table);
    if (at >= 0) tables[at] = data.table;
    else tables.push(data.table);
  }
  const status = run.status === 'queued' ? 'running' : run.status;
  return {
    ...run,
    status,
    progress: { ...run.progress, tables, totals: data.totals, rowsPerSecond: data.rowsPerSecond ?? run.progress.rowsPerSecond, etaSeconds: data.etaSeconds ?? run.progress.etaSeconds },
  };
}

function LiveProgress({ progress, live }: { progress: Progress; live: boolean }) {
  const t = progress.totals;
  return (
    <section className="card" aria-labelledby="progress-h">
      <h2 id="progress-h">{live ? 'Progress (live)' : 'Progress'}</h2>
      <dl className="stats">
        <div>
          <dt>Read</dt>
          <dd data-testid="total-read">
            {num(t.read)}
            {t.total ? ` of ${num(t.total)}` : ''}
          </dd>
        </div>
        <div>
          <dt>Loaded</dt>
          <dd>{num(t.loaded)}</dd>
        </div>
        <div>
          <dt>Quarantined</dt>
          <dd>{num(t.quarantined)}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd>{progress.rowsPerSecond ? `${num(Math.round(progress.rowsPerSecond))} rows/s` : '–'}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd>{live ? duration(progress.etaSeconds) : 'done'}</dd>
        </div>
      </dl>
      <div aria-live="polite" className="progress-list" data-testid="table-progress">
        {progress.tables.map((tp) => (
          <Bar
            key={tp.table}
            label={tp.table}
            value={tp.total ? tp.read / tp.total : tp.state === 'finished' ? 1 : 0}
            text={`${num(tp.read)}${tp.total ? ` / ${num(tp.total)}` : ''} rows · ${tp.state}${tp.rowsPerSecond ? ` · ${num(Math.round(tp.rowsPerSecond))}/s` : ''}${tp.state === 'running' && tp.etaSeconds !== null ? ` · ETA ${duration(tp.etaSeconds)}` : ''}`}
          />
        ))}
      </div>
    </section>
  );
}

function CancelRun({ run }: { run: RunView }) {
  const { project, can } = useProject();
  const cancel = useAction(() => api('POST', `/projects/${project.id}/runs/${run.runId}/cancel`));
  if (!can(runPermission(run.tier))) return null;
  return (
    <div>
      <button type="button" className="danger" disabled={cancel.pending} onClick={() => cancel.run()}>
        Cancel run
      </button>
      <ErrorText error={cancel.error} />
    </div>
  );
}

function FinishedReport({ run }: { run: RunView }) {
  const { project } = useProject();
  const report = useLoad(() => api<RunReport>('GET', `/projects/${project.id}/runs/${run.runId}/report`), [project.id, run.runId, run.status]);
  const html = useAction(() => apiText(`/projects/${project.id}/runs/${run.runId}/quality.html`));
  const pack = useAction(() => apiText(`/projects/${project.id}/runs/${run.runId}/pack`));
  if (!report.data) return <Loading what="the report" error={report.error} />;
  const r = report.data;
  const gates = r.quality?.gates ?? [];
  return (
    <>
      <section className="card" aria-labelledby="tables-h">
        <h2 id="tables-h">Rows per table</h2>
        <table className="data" data-testid="report-tables">
          <thead>
            <tr>
              <th scope="col">Target table</th>
              <th scope="col">Source</th>
              <th scope="col" className="n">
                Read
              </th>
              <th scope="col" className="n">
                Loaded
              </th>
              <th scope="col" className="n">
                Quarantined
              </th>
              <th scope="col" className="n">
                Excluded
              </th>
              <th scope="col">Top quarantine reasons</th>
            </tr>
          </thead>
          <tbody>
            {r.tables.map((t) => (
              <tr key={t.table}>
                <th scope="row">{t.table}</th>
                <td>{t.source}</td>
                <td className="n">{num(t.read)}</td>
                <td className="n">{num(t.loaded)}</td>
                <td className="n">{num(t.quarantined)}</td>
                <td className="n">{num(t.excluded)}</td>
                <td>
                  {t.quarantineReasons
                    .slice(0, 3)
                    .map((q) => `${q.reasonCode} (${num(q.count)})`)
                    .join(', ') || '–'}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All tables</th>
              <td />
              <td className="n">{num(r.totals.read)}</td>
              <td className="n">{num(r.totals.loaded)}</td>
              <td className="n">{num(r.totals.quarantined)}</td>
              <td className="n">{num(r.totals.excluded)}</td>
              <td />
            </tr>
          </tfoot>
        </table>
      </section>
      <div className="two-col">
        <section className="card" aria-labelledby="reasons-h">
          <h2 id="reasons-h">Quarantine reasons</h2>
          {r.quarantineReasons.length === 0 ? (
            <p>No row was quarantined.</p>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Reason</th>
                  <th scope="col">Rule or step</th>
                  <th scope="col" className="n">
                    Rows
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.quarantineReasons.map((q) => (
                  <tr key={`${q.reasonCode}|${q.rule}`}>
                    <td>
                      <code>{q.reasonCode}</code>
                    </td>
                    <td>{q.rule}</td>
                    <td className="n">{num(q.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="kpi-h">
          <h2 id="kpi-h">
            Quality KPIs{' '}
            {r.verdict ? (
              // The verdict, not quality.decision: that says pass when no gate was declared or the run stopped early.
              <span className={`tag tag-${r.verdict === 'pass' ? 'pass' : r.verdict === 'fail' ? 'fail' : 'warn'}`}>gate: {r.verdict.replace(/_/g, ' ')}</span>
            ) : r.quality?.decision ? (
              <span className={`tag tag-${r.quality.decision === 'pass' ? 'pass' : r.quality.decision === 'warn' ? 'warn' : 'fail'}`}>gate: {r.quality.decision}</span>
            ) : null}
          </h2>
          <p className="hint">Solid mark: fail threshold; dashed mark: warn threshold.</p>
          {Object.entries(r.quality?.overall ?? {}).map(([kpi, k]) => {
            const gate = gates.find((g) => g.kpi === kpi && g.table === null);
            return <Bar key={kpi} label={kpi.replace(/_/g, ' ')} value={k.value} fail={gate?.threshold.failBelow} warn={gate?.threshold.warnBelow} />;
          })}
          {gates
            .filter((g) => g.table !== null && g.decision !== 'pass')
            .map((g, i) => (
              <Bar key={i} label={`${g.kpi.replace(/_/g, ' ')} (${g.table})`} value={g.value} fail={g.threshold.failBelow} warn={g.threshold.warnBelow} />
            ))}
        </section>
      </div>
      <Reconciliation report={r} />
      <p>
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            const text = await html.run();
            if (text) download(`${run.runId}-quality.html`, text, 'text/html');
          }}
        >
          Download the HTML quality report
        </button>{' '}
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            const text = await pack.run();
            if (text) download(`signoff-pack-${run.runId}.html`, text, 'text/html');
          }}
        >
          Download the sign-off pack
        </button>
      </p>
      <ErrorText error={html.error} />
      <ErrorText error={pack.error} />
      {!run.dryRun && run.status !== 'cancelled' ? <Rollback run={run} /> : null}
    </>
  );
}

function Reconciliation({ report }: { report: RunReport }) {
  const rec = report.reconciliation;
  return (
    <section className="card" aria-labelledby="rec-h">
      <h2 id="rec-h">Reconciliation: source and target side by side</h2>
      {!rec ? (
        <p className="hint">{report.dryRun ? 'A dry run loads nothing, so there is nothing to reconcile.' : 'This report carries no reconciliation.'}</p>
      ) : (
        <>
          <p>
            Result: <span className={`tag tag-${rec.status === 'match' ? 'pass' : 'fail'}`}>{rec.status}</span>
          </p>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col" className="n">
                  Expected (source)
                </th>
                <th scope="col" className="n">
                  Matched (target)
                </th>
                <th scope="col" className="n">
                  Missing
                </th>
                <th scope="col" className="n">
                  Extra
                </th>
                <th scope="col" className="n">
                  Different
                </th>
              </tr>
            </thead>
            <tbody>
              {rec.tables.map((t) => (
                <tr key={t.table}>
                  <th scope="row">{t.table}</th>
                  <td className="n">{num(t.expected)}</td>
                  <td className="n">{num(t.matched)}</td>
                  <td className="n">{num(t.missing)}</td>
                  <td className="n">{num(t.extra)}</td>
                  <td className="n">{num(t.different)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rec.business?.length ? (
            <ul>
              {rec.business.map((b) => (
                <li key={b.name}>
                  {b.name}: <span className={`tag tag-${b.pass ? 'pass' : 'fail'}`}>{b.pass ? 'agrees' : 'differs'}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </section>
  );
}

function Rollback({ run }: { run: RunView }) {
  const { project, can } = useProject();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const rollback = useAction(() => api<RollbackReport>('POST', `/projects/${project.id}/runs/${run.runId}/rollback`, { confirm: typed }));
  const [done, setDone] = useState<RollbackReport | null>(null);
  if (!can(runPermission(run.tier))) return null;
  return (
    <section className="card" aria-labelledby="rollback-h">
      <h2 id="rollback-h">Roll back this run</h2>
      <p>Removes the rows this run inserted from the {run.tier} target and puts back the rows it updated.</p>
      {done ? (
        <p role="status" className="ok">
          Rolled back: {num(done.totals.deleted)} row(s) removed, {num(done.totals.restored)} restored.
        </p>
      ) : (
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          Roll back…
        </button>
      )}
      <ErrorText error={rollback.error} />
      <ConfirmDialog
        open={open}
        danger
        title={`Roll back run ${run.runId}?`}
        confirmLabel="Roll back now"
        onClose={() => setOpen(false)}
        onConfirm={async () => {
          setOpen(false);
          const r = await rollback.run();
          if (r) setDone(r);
        }}
      >
        <p>This changes the {run.tier} target. Later runs must be rolled back first. Type the run id to confirm.</p>
        <Field label="Run id">{(p) => <input {...p} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}</Field>
      </ConfirmDialog>
    </section>
  );
}
