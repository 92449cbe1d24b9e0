/**
 * A project's settings (project.settings): notification subscriptions (webhook or email) with
 * their delivery log, and the backup policy. A webhook's signing secret is shown once, right
 * after it is created; the server never returns it again.
 */
import { useState, type FormEvent } from 'react';
import { api, qs } from '../api';
import { useProject } from '../session';
import type { BackupPolicy, Delivery, NewSubscription, ProjectSettings as Settings, Subscription } from '../types';
import { ConfirmDialog, ErrorText, Field, Loading, useAction, useLoad, when } from '../ui';

const EVENT_LABELS: Record<string, string> = {
  'run.finished': 'Run finished',
  'run.failed': 'Run failed',
  'gate.failed': 'Quality gate failed',
  'approval.requested': 'Approval requested (contract version submitted)',
  'approval.given': 'Approval given',
  promotion: 'Promotion',
  'sync.lag': 'Sync lag above a threshold',
  'cutover.done': 'Cutover done',
};

function NewSubscriptionForm({ settings, onCreated }: { settings: Settings; onCreated: (s: NewSubscription) => void }) {
  const { project } = useProject();
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<'webhook' | 'email'>(settings.channels.webhook || !settings.channels.email ? 'webhook' : 'email');
  const [target, setTarget] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [lag, setLag] = useState('60');
  const create = useAction((body: unknown) => api<NewSubscription>('POST', `/projects/${project.id}/settings/subscriptions`, body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const made = await create.run({ name, channel, target, events, lagSeconds: events.includes('sync.lag') ? Number(lag) : null });
    if (made) {
      setName('');
      setTarget('');
      setEvents([]);
      onCreated(made);
    }
  };
  const offered = settings.channels.webhook || settings.channels.email;
  return (
    <form onSubmit={submit} aria-label="New subscription">
      <h3>New subscription</h3>
      {!offered ? <p className="hint">This server sends no notifications: the operator has configured neither a webhook host nor SMTP (docs/operations.md).</p> : null}
      <Field label="Name" hint="What the subscription is for, e.g. the team channel it feeds">
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />}
      </Field>
      <Field label="Channel">
        {(p) => (
          <select {...p} value={channel} onChange={(e) => setChannel(e.target.value as 'webhook' | 'email')}>
            <option value="webhook" disabled={!settings.channels.webhook}>
              Webhook (signed HTTPS POST)
            </option>
            <option value="email" disabled={!settings.channels.email}>
              Email
            </option>
          </select>
        )}
      </Field>
      <Field
        label={channel === 'webhook' ? 'Webhook URL' : 'Email address'}
        hint={channel === 'webhook' ? 'https, on a host the operator allows' : 'sent through the operator’s mail server, to the domains it allows'}
      >
        {(p) => <input {...p} type={channel === 'webhook' ? 'url' : 'email'} value={target} onChange={(e) => setTarget(e.target.value)} required maxLength={2000} />}
      </Field>
      <fieldset className="decision">
        <legend>Events</legend>
        {settings.events.map((ev) => (
          <label key={ev}>
            <input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))} /> {EVENT_LABELS[ev] ?? ev}
          </label>
        ))}
        {settings.unsupportedEvents.map((u) => (
          <p key={u.event} className="hint">
            <code>{u.event}</code> is not available yet: {u.reason}.
          </p>
        ))}
      </fieldset>
      {events.includes('sync.lag') ? (
        <Field label="Lag threshold (seconds)" hint="Notified once each time a sync's lag rises above it">
          {(p) => <input {...p} type="number" min={1} value={lag} onChange={(e) => setLag(e.target.value)} required />}
        </Field>
      ) : null}
      <ErrorText error={create.error} />
      <button type="submit" disabled={create.pending || !offered || events.length === 0}>
        Subscribe
      </button>
    </form>
  );
}

function Subscriptions({ settings, reload }: { settings: Settings; reload: () => void }) {
  const { project } = useProject();
  const [created, setCreated] = useState<NewSubscription | null>(null);
  const [removing, setRemoving] = useState<Subscription | null>(null);
  const remove = useAction((id: string) => api('DELETE', `/projects/${project.id}/settings/subscriptions/${id}`));
  return (
    <section aria-labelledby="subs-h">
      <h2 id="subs-h">Notifications</h2>
      {created?.secret ? (
        <div className="card" role="status" data-testid="new-secret">
          <p>
            <strong>Signing secret of “{created.subscription.name}”</strong>: copy it now, it is not shown again. Receivers check the <code>Ferry-Signature</code> header with it (HMAC-SHA256 of the
            timestamp, a dot and the body).
          </p>
          <p>
            <code>{created.secret}</code>
          </p>
        </div>
      ) : null}
      {settings.subscriptions.length === 0 ? (
        <p>No subscriptions yet.</p>
      ) : (
        <table className="data">
          <caption className="sr-only">Notification subscriptions</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Channel</th>
              <th scope="col">Target</th>
              <th scope="col">Events</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {settings.subscriptions.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.name}</th>
                <td>{s.channel}</td>
                <td>
                  <code>{s.target}</code>
                </td>
                <td>{s.events.map((e) => (e === 'sync.lag' ? `sync.lag (> ${s.lagSeconds} s)` : e)).join(', ')}</td>
                <td>{when(s.createdAt)}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => setRemoving(s)} aria-label={`Remove ${s.name}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorText error={remove.error} />
      <ConfirmDialog
        open={removing !== null}
        title="Remove subscription"
        confirmLabel="Remove"
        danger
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          const s = removing;
          setRemoving(null);
          if (s && (await remove.run(s.id)) !== undefined) reload();
        }}
      >
        <p>Notifications not yet sent to “{removing?.name}” are dropped; its delivery log stays.</p>
      </ConfirmDialog>
      <NewSubscriptionForm
        settings={settings}
        onCreated={(made) => {
          setCreated(made);
          reload();
        }}
      />
    </section>
  );
}

function Deliveries({ subscriptions }: { subscriptions: Subscription[] }) {
  const { project } = useProject();
  const log = useLoad(() => api<Delivery[]>('GET', `/projects/${project.id}/settings/deliveries${qs({ limit: 50 })}`), [project.id, subscriptions.length]);
  const names = new Map(subscriptions.map((s) => [s.id, s.name]));
  return (
    <section aria-labelledby="log-h">
      <h2 id="log-h">Delivery log</h2>
      {!log.data ? (
        <Loading what="the delivery log" error={log.error} />
      ) : log.data.length === 0 ? (
        <p>Nothing notified yet.</p>
      ) : (
        <table className="data" data-testid="delivery-log">
          <caption className="sr-only">The latest 50 notifications</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Subscription</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {log.data.map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.eventType}</code>
                </td>
                <td>{names.get(d.subscriptionId) ?? 'removed'}</td>
                <td>
                  <span className={`tag tag-${d.status === 'delivered' ? 'pass' : d.status === 'failed' ? 'fail' : 'warn'}`}>{d.status}</span>
                </td>
                <td>{d.attempts}</td>
                <td>{d.lastError ? <code>{d.lastError}</code> : (d.lastStatus ?? '–')}</td>
                <td>{d.nextAttemptAt ? when(d.nextAttemptAt) : '–'}</td>
                <td>{when(d.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="secondary" onClick={log.reload}>
        Refresh
      </button>
    </section>
  );
}

function BackupPolicyForm({ policy, reload }: { policy: BackupPolicy; reload: () => void }) {
  const { project } = useProject();
  const [required, setRequired] = useState(policy.required);
  const [keepLast, setKeepLast] = useState(policy.keepLast?.toString() ?? '');
  const [keepDays, setKeepDays] = useState(policy.keepDays?.toString() ?? '');
  const save = useAction((body: unknown) => api<BackupPolicy>('PUT', `/projects/${project.id}/settings/backup-policy`, body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const num = (v: string) => (v.trim() === '' ? null : Number(v));
    if (await save.run({ required, keepLast: num(keepLast), keepDays: num(keepDays) })) reload();
  };
  return (
    <section aria-labelledby="backup-h">
      <h2 id="backup-h">Backup policy</h2>
      <form onSubmit={submit} aria-label="Backup policy">
        <div className="field checkbox">
          <input id="backup-required" type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} />
          <label htmlFor="backup-required">Require a backup of the target tables before a run or a sync snapshot writes</label>
        </div>
        <Field label="Keep the last (backups)" hint="Empty: no count limit">
          {(p) => <input {...p} type="number" min={1} value={keepLast} onChange={(e) => setKeepLast(e.target.value)} />}
        </Field>
        <Field label="Keep for (days)" hint="Empty: no age limit">
          {(p) => <input {...p} type="number" min={1} value={keepDays} onChange={(e) => setKeepDays(e.target.value)} />}
        </Field>
        <ErrorText error={save.error} />
        <button type="submit" disabled={save.pending}>
          Save backup policy
        </button>
        {policy.updatedAt ? (
          <p className="hint" role="status">
            Last changed {when(policy.updatedAt)} by {policy.updatedBy}
          </p>
        ) : null}
      </form>
    </section>
  );
}

export function ProjectSettings() {
  const { project } = useProject();
  const settings = useLoad(() => api<Settings>('GET', `/projects/${project.id}/settings`), [project.id]);
  return (
    <>
      <h1>Settings</h1>
      {!settings.data ? (
        <Loading what="the project settings" error={settings.error} />
      ) : (
        <>
          <Subscriptions settings={settings.data} reload={settings.reload} />
          <Deliveries subscriptions={settings.data.subscriptions} />
          <BackupPolicyForm key={settings.data.backupPolicy.updatedAt ?? 'default'} policy={settings.data.backupPolicy} reload={settings.reload} />
        </>
      )}
    </>
  );
}
