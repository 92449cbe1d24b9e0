/**
 * The notifier: the audit trail is its outbox. Each tick it (1) reads the audit events after
 * its stored cursor, derives notices from them (kinds.ts) and records one pending delivery per
 * matching subscription and notice key, moving the cursor in the same transaction; (2) every
 * `syncPollMs`, asks the project's tier targets for their syncs and records sync-lag crossings
 * and cutovers (sync-watch.ts); (3) sends the deliveries that are due, each claimed by a lease
 * first, and stores every attempt's outcome with its next attempt (exponential back-off) or
 * gives up after `maxAttempts` (audited as `notify:gave_up`). All state is in the control
 * store, so runs recorded by the CLI are notified, a restart resumes retries and two servers
 * sharing a store deliver each notification once.
 *
 * Logs carry error codes only: never a URL, a host, an address, a secret or a body.
 */
import type { AuditRecord } from '../audit/chain.js';
import { fromRow, type AuditLog } from '../audit/log.js';
import type { ConnectionHost } from '../control/connections.js';
import { advanceCursor, claimDelivery, dueDeliveries, enqueueDelivery, projectSubscriptions, readCursor, recordAttempt, subscriptionOf } from '../control/notify-outbox.js';
import type { ControlPlane } from '../control/plane.js';
import { systemResolver, vetEmail, vetWebhook, type NotifyPolicy, type Resolver } from '../control/webhook-guard.js';
import { FerryError } from '../errors.js';
import type { Store } from '../store/db.js';
import type { NotifyDeliveryRow, NotifySubscriptionRow } from '../store/schema.js';
import type { Mailer } from './email.js';
import { emailText } from './email-text.js';
import { NEEDS_RELATED, noticeBody, noticesOf, type Notice, type RunRelated } from './kinds.js';
import { watchSyncs } from './sync-watch.js';
import { postWebhook } from './webhook.js';

/** The default retry delays after the 1st, 2nd, … failed attempt: 30 s, 2 min, 10 min, 1 h, 6 h. */
export const DEFAULT_BACKOFF_MS = [30_000, 120_000, 600_000, 3_600_000, 21_600_000] as const;

export interface NotifierOptions {
  store: Store;
  audit: AuditLog;
  policy: NotifyPolicy;
  /** The operator's SMTP server, when configured. */
  mailer?: Mailer;
  /** The UI's public base URL, for links in emails. */
  publicUrl?: string;
  /** For the sync watcher: opens a tier's target connection. */
  plane?: ControlPlane;
  connectionHost?: ConnectionHost;
  resolve?: Resolver;
  /** Retry delays; the last repeats. */
  backoffMs?: readonly number[];
  /** Attempts before a delivery is given up (default 6: the first and five retries). */
  maxAttempts?: number;
  /** One webhook or email attempt's limit (default 10 s). */
  timeoutMs?: number;
  /** Deliveries attempted at once (default 4). */
  concurrency?: number;
  /** How often the outbox is read and deliveries sent (default 2 s). */
  pollMs?: number;
  /** How often tier targets are asked for sync lag and cutovers (default 30 s). */
  syncPollMs?: number;
  clock?: () => Date;
  /** Told the stable code of every problem the notifier recovers from. */
  onError?: (code: string, where: string) => void;
}

const AUDIT_PAGE = 500;
const DELIVERY_PAGE = 50;

export class Notifier {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private lastSyncPoll = 0;
  private readonly clock: () => Date;

  constructor(private readonly o: NotifierOptions) {
    this.clock = o.clock ?? (() => new Date());
  }

  /** Starts ticking every `pollMs`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: unknown) => this.report(err, 'tick'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.o.pollMs ?? 2_000);
        });
    };
    loop();
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.o.mailer?.close();
  }

  /** One round: match new audit events, watch syncs when due, send due deliveries. */
  async tick(): Promise<void> {
    while ((await this.fanOut()) === AUDIT_PAGE);
    const now = this.clock().getTime();
    if (this.o.plane && now - this.lastSyncPoll >= (this.o.syncPollMs ?? 30_000)) {
      this.lastSyncPoll = now;
      await watchSyncs({
        store: this.o.store,
        plane: this.o.plane,
        host: this.o.connectionHost ?? { env: {} },
        now: () => this.clock().toISOString(),
        onError: (code) => this.o.onError?.(code, 'sync-watch'),
      });
    }
    await this.deliverDue();
  }

  /** Matches up to one page of new audit events to subscriptions; returns how many events it read. */
  async fanOut(): Promise<number> {
    const { store } = this.o;
    const from = await readCursor(store.db);
    const records: AuditRecord[] = [];
    for await (const row of this.o.audit.scan({ first: from + 1, last: from + AUDIT_PAGE, pageSize: AUDIT_PAGE })) records.push(fromRow(row));
    if (records.length === 0) return 0;
    const now = this.clock().toISOString();
    const notices: Notice[] = [];
    for (const r of records) notices.push(...noticesOf(r, NEEDS_RELATED.has(r.type) ? await this.related(r) : {}));
    await store.writeTransaction(async (trx) => {
      const subs = new Map<string, NotifySubscriptionRow[]>();
      for (const n of notices) {
        const k = `${n.orgId}/${n.projectId}`;
        if (!subs.has(k)) subs.set(k, await projectSubscriptions(trx, n.orgId, n.projectId));
        for (const s of subs.get(k)!) {
          // A subscription hears of what happens after it was made, not the backlog before it.
          if (!(JSON.parse(s.events) as string[]).includes(n.kind) || (n.auditSeq ?? 0) <= Number(s.since_seq)) continue;
          await enqueueDelivery(trx, { subscription: s, key: n.key, eventType: n.kind, auditSeq: n.auditSeq, payload: (id) => JSON.stringify(noticeBody(id, n)), now });
        }
      }
      // Another notifier got here first: its rows are these rows (unique keys), nothing to undo.
      await advanceCursor(trx, from, records[records.length - 1].seq);
    });
    return records.length;
  }

  /** The latest `run:finished` and `gate:failed` of the run `r` records, from its project, before `r`. */
  private async related(r: AuditRecord): Promise<RunRelated> {
    const runId = (r.payload as { runId?: unknown }).runId;
    if (typeof runId !== 'string' || r.projectId === null) return {};
    const earlier = (await this.o.audit.list({ runId, projectId: r.projectId, order: 'desc', limit: 1000 })).filter((e) => e.seq < r.seq && e.orgId === r.orgId);
    return { finished: earlier.find((e) => e.type === 'run:finished'), gateFailed: earlier.find((e) => e.type === 'gate:failed') };
  }

  /** Sends every delivery that is due now; returns how many attempts were made. */
  async deliverDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const now = this.clock();
      const due = await dueDeliveries(this.o.store.db, now.toISOString(), DELIVERY_PAGE);
      if (due.length === 0) return attempts;
      let sent = 0;
      // A few at a time: one slow receiver (up to the timeout) does not hold up every other.
      let next = 0;
      const worker = async () => {
        while (next < due.length) {
          const d = due[next++];
          const lease = new Date(this.clock().getTime() + (this.o.timeoutMs ?? 10_000) + 60_000).toISOString();
          if (!(await claimDelivery(this.o.store, d, lease))) continue;
          await this.attempt(d).catch((err: unknown) => this.report(err, 'delivery'));
          sent++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 4, due.length) }, worker));
      attempts += sent;
      if (sent === 0 || due.length < DELIVERY_PAGE) return attempts;
    }
  }

  private async attempt(d: NotifyDeliveryRow): Promise<void> {
    const sub = await subscriptionOf(this.o.store.db, d);
    let result: { ok: boolean; status: number | null; error: string | null };
    if (!sub || sub.removed_at !== null) result = { ok: false, status: null, error: 'subscription_removed' };
    else if (sub.channel === 'webhook') result = await this.sendWebhook(sub, d);
    else result = await this.sendEmail(sub, d);
    const at = this.clock();
    const attempts = Number(d.attempts) + 1;
    const final = result.ok || result.error === 'subscription_removed' || attempts >= (this.o.maxAttempts ?? 6);
    const backoff = this.o.backoffMs ?? DEFAULT_BACKOFF_MS;
    const delay = backoff[Math.min(attempts - 1, backoff.length - 1)];
    if (!result.ok) this.o.onError?.(result.error ?? 'unknown', 'delivery');
    await recordAttempt(this.o.store, this.o.audit, d, {
      at: at.toISOString(),
      ok: result.ok,
      status: result.status,
      error: result.error,
      retryAt: final ? null : new Date(at.getTime() + delay).toISOString(),
    });
  }

  private async sendWebhook(sub: NotifySubscriptionRow, d: NotifyDeliveryRow) {
    try {
      // Checked again at every attempt: the allowlist or the host's DNS may have changed.
      const target = await vetWebhook(sub.target, this.o.policy, this.o.resolve ?? systemResolver);
      return await postWebhook(target, { body: d.payload, secret: sub.secret ?? '', eventId: d.id, timeoutMs: this.o.timeoutMs ?? 10_000, now: this.clock });
    } catch (err) {
      return { ok: false, status: null, error: err instanceof FerryError ? err.code : 'webhook.error' };
    }
  }

  private async sendEmail(sub: NotifySubscriptionRow, d: NotifyDeliveryRow) {
    if (!this.o.mailer) return { ok: false, status: null, error: 'notify.no_smtp' };
    try {
      const to = vetEmail(sub.target, this.o.policy);
      const { subject, text } = emailText(JSON.parse(d.payload) as Record<string, unknown>, sub.name, this.o.publicUrl);
      return await this.o.mailer.send(to, subject, text);
    } catch (err) {
      return { ok: false, status: null, error: err instanceof FerryError ? err.code : 'email.error' };
    }
  }

  private report(err: unknown, where: string): void {
    this.o.onError?.(err instanceof FerryError ? err.code : err instanceof Error ? err.name : 'unknown', where);
  }
}
