/**
 * The event kinds a project may subscribe to (src/notify/kinds.ts derives them from the audit
 * trail), as plain data with no imports, so the web UI's types can read them too.
 */

/** Event kinds a subscription may name. */
export const EVENT_KINDS = ['run.finished', 'run.failed', 'gate.failed', 'approval.requested', 'approval.given', 'promotion', 'sync.lag', 'cutover.done'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Kinds of issue #21 Ferry cannot notify yet, with why; refused at subscription time. */
export const UNSUPPORTED_KINDS: Readonly<Record<string, string>> = {
  'review.discrepancy': 'sampling review discrepancies are not recorded yet (issue #20), so there is nothing to notify',
};
