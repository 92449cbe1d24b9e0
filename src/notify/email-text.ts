/**
 * The subject and plain-text body of a notification email, from the stored notification body:
 * the same ids, digests, counts and codes as the webhook's, one per line, plus a link to the
 * project when the operator set the UI's public URL.
 */

const TITLES: Record<string, string> = {
  'run.finished': 'run finished',
  'run.failed': 'run failed',
  'gate.failed': 'quality gate failed',
  'approval.requested': 'approval requested',
  'approval.given': 'approval given',
  promotion: 'promotion',
  'sync.lag': 'sync lag above threshold',
  'cutover.done': 'cutover done',
};

/** The page of the UI a notification is about, as a hash route. */
function linkPath(body: Record<string, unknown>, data: Record<string, unknown>): string {
  const project = `#/p/${encodeURIComponent(String(body.projectId))}`;
  if (typeof data.runId === 'string') return `${project}/runs/${encodeURIComponent(data.runId)}`;
  if (typeof data.syncId === 'string') return `${project}/syncs`;
  if (body.type === 'approval.given' || body.type === 'promotion') return `${project}/release`;
  return project;
}

/** Subject and text of the email for a notification body. */
export function emailText(body: Record<string, unknown>, subscriptionName: string, publicUrl?: string): { subject: string; text: string } {
  const type = String(body.type);
  const data = (body.data ?? {}) as Record<string, unknown>;
  const what = typeof data.runId === 'string' ? ` ${data.runId}` : typeof data.syncId === 'string' ? ` ${data.syncId}` : '';
  const subject = `[Ferry] ${TITLES[type] ?? type}${what} (project ${String(body.projectId)})`;
  const lines = [
    `Ferry notification: ${TITLES[type] ?? type}`,
    '',
    `event id:   ${String(body.id)}`,
    `event type: ${type}`,
    `time:       ${String(body.time)}`,
    `org id:     ${String(body.orgId)}`,
    `project id: ${String(body.projectId)}`,
    ...(body.auditSeq === null || body.auditSeq === undefined ? [] : [`audit seq:  ${String(body.auditSeq)} (${String(body.auditType)})`]),
    '',
    ...Object.entries(data).map(([k, v]) => `${k}: ${v === null ? '-' : String(v)}`),
    '',
    ...(publicUrl ? [`Open: ${publicUrl.replace(/\/+$/, '')}/${linkPath(body, data)}`, ''] : []),
    `You receive this through the subscription "${subscriptionName}" in the project's settings.`,
  ];
  return { subject, text: lines.join('\n') };
}
