/** Incremental syncs in a tier's target: state, live lag (refreshed every few seconds) and each cutover record. */
import { useEffect, useState } from 'react';
import { api, qs } from '../api';
import { useProject } from '../session';
import { TIERS, type SyncStatus, type Tier } from '../types';
import { ErrorText, Field, useLoad } from '../ui';

/** How often a streaming sync's lag is read again. */
const REFRESH_MS = 3000;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function Lag({ s }: { s: SyncStatus }) {
  if (!s.streaming) return <span className="hint">{s.state === 'streaming' ? 'no process is streaming it (resume with ferry sync start --resume)' : '–'}</span>;
  return (
    <span>
      {s.lag.seconds?.toFixed(1) ?? '?'} s, {s.lag.bytes?.toLocaleString('en-GB') ?? '?'} bytes, {s.lag.pendingTransactions ?? '?'} transaction(s) waiting
    </span>
  );
}

function Cutover({ c }: { c: NonNullable<SyncStatus['cutover']> }) {
  return (
    <section aria-label={`Cutover of ${c.syncId}`}>
      <h3>
        Cutover <span className={`tag tag-${c.matched ? 'pass' : 'fail'}`}>{c.matched ? 'matched' : 'did not match'}</span>
      </h3>
      <dl className="facts">
        <dt>Frozen</dt>
        <dd>{c.frozenAt}</dd>
        <dt>Drained</dt>
        <dd>{c.drainedAt}</dd>
        <dt>Window</dt>
        <dd>{seconds(c.windowMs)}</dd>
        <dt>Final position</dt>
        <dd>
          <code>{c.position}</code>
        </dd>
        <dt>Gates ({c.gate.tier})</dt>
        <dd>{c.gate.verdict}</dd>
        <dt>Reconciliation</dt>
        <dd>{c.reconciliation.status}</dd>
      </dl>
      {c.reconciliation.tables.some((t) => t.missing + t.extra + t.different > 0) ? (
        <table className="data">
          <caption>Tables that did not match</caption>
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col">Missing</th>
              <th scope="col">Extra</th>
              <th scope="col">Different</th>
            </tr>
          </thead>
          <tbody>
            {c.reconciliation.tables
              .filter((t) => t.missing + t.extra + t.different > 0)
              .map((t) => (
                <tr key={t.table}>
                  <th scope="row">{t.table}</th>
                  <td>{t.missing}</td>
                  <td>{t.extra}</td>
                  <td>{t.different}</td>
                </tr>
              ))}
          </tbody>
        </table>
      ) : null}
      <h4>Rows quarantined during the sync and never loaded since ({c.pending.length})</h4>
      {c.pending.length === 0 ? (
        <p>None: nothing needs manual re-entry.</p>
      ) : (
        <table className="data" data-testid="pending-rows">
          <caption className="sr-only">Rows pending manual re-entry: source key and reason code</caption>
          <thead>
            <tr>
              <th scope="col">Source table</th>
              <th scope="col">Source key</th>
              <th scope="col">Target table</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {c.pending.map((p) => (
              <tr key={`${p.sourceTable}|${p.sourceKey}|${p.targetTable}`}>
                <td>{p.sourceTable}</td>
                <td>
                  <code>{p.sourceKey}</code>
                </td>
                <td>{p.targetTable}</td>
                <td>
                  <code>{p.reasonCode}</code> ({p.rule})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Syncs() {
  const { project } = useProject();
  const [tier, setTier] = useState<Tier>('pre_production');
  const syncs = useLoad(() => api<SyncStatus[]>('GET', `/projects/${project.id}/syncs${qs({ tier })}`), [project.id, tier]);
  const live = (syncs.data ?? []).some((s) => s.streaming || s.state === 'cutting_over');
  useEffect(() => {
    if (!live) return;
    const t = setInterval(syncs.reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [live, syncs.reload]);
  return (
    <>
      <h1>Syncs</h1>
      <div className="filters">
        <Field label="Tier">
          {(p) => (
            <select {...p} value={tier} onChange={(e) => setTier(e.target.value as Tier)}>
              {TIERS.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorText error={syncs.error} />
      {syncs.data && syncs.data.length === 0 ? <p role="status">No sync of this project in the {tier} target. Start one with ferry sync start (docs/sync.md).</p> : null}
      {(syncs.data ?? []).map((s) => (
        <article key={s.syncId} className="card" aria-label={`Sync ${s.syncId}`}>
          <h2>
            <code>{s.syncId}</code> <span className={`tag tag-${s.state === 'failed' ? 'fail' : s.state === 'cut_over' ? 'pass' : 'warn'}`}>{s.state.replace('_', ' ')}</span>
          </h2>
          <dl className="facts">
            <dt>Method</dt>
            <dd>{s.method}</dd>
            <dt>Target</dt>
            <dd>{s.target}</dd>
            <dt>Live lag</dt>
            <dd aria-live="polite" data-testid="sync-lag">
              <Lag s={s} />
            </dd>
            <dt>Position</dt>
            <dd>
              <code>{s.position ?? '–'}</code>
            </dd>
            <dt>Applied</dt>
            <dd>
              {s.counts.transactions} transaction(s), {s.counts.changes} change(s)
            </dd>
          </dl>
          {Object.keys(s.counts.tables).length > 0 ? (
            <table className="data">
              <caption className="sr-only">Changes applied per table</caption>
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col">Upserted</th>
                  <th scope="col">Deleted</th>
                  <th scope="col">Quarantined</th>
                  <th scope="col">Excluded</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(s.counts.tables).map(([table, t]) => (
                  <tr key={table}>
                    <th scope="row">{table}</th>
                    <td>{t.upserted}</td>
                    <td>{t.deleted}</td>
                    <td>{t.quarantined}</td>
                    <td>{t.excluded}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {s.error ? (
            <p role="alert">
              <code>{s.error.code}</code>: {s.error.message}
            </p>
          ) : null}
          {s.cutover ? <Cutover c={s.cutover} /> : null}
        </article>
      ))}
    </>
  );
}
