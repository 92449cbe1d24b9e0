/**
 * One valid request per route (by operationId), built against tenant A's objects, with any
 * fresh state it needs created first. The role matrix and cross-tenant tests replay these with
 * different callers; a test checks every route in the table has a fixture, so a new route
 * cannot skip either test.
 */
import type { Role } from '../../src/control/roles.js';
import { extraUser, fixtureContract, loginAs } from '../control/world.js';
import { writeSyncs } from '../helpers/sync-records.js';
import { PASSWORD } from './harness.js';
import { SCENARIO_WEBHOOK, uniqueProbe, type Scenario } from './scenario.js';

export interface Call {
  method: string;
  path: string;
  body?: unknown;
  /** Use this token instead of the caller's (e.g. a fresh session for logout). */
  token?: string;
  /** The tier a `run.{tier}` / `release.approve_{tier}` route is called for. */
  tier?: 'pre_production' | 'staging' | 'production';
  /** Undo anything left running after the call. */
  cleanup?: () => Promise<void>;
}

export type Fixture = (s: Scenario, caller: { role: Role; tenant: 'a' | 'b' }) => Promise<Call>;

let n = 0;
const unique = (p: string) => `${p}-${Date.now().toString(36)}-${++n}`;

async function victim(s: Scenario) {
  return s.world.plane.createUser(s.world.a.admin, { username: unique('victim'), password: PASSWORD });
}

async function slowRun(s: Scenario): Promise<{ runId: string; cleanup: () => Promise<void> }> {
  const r = await s.client.request('POST', `/projects/${s.projectId}/runs`, {
    token: s.a.token.migration_analyst,
    body: { versionId: s.v1.id, tier: 'pre_production', source: 'connection:slow', dryRun: true },
  });
  if (r.status !== 202) throw new Error(`slow run refused: ${r.text}`);
  const runId = r.body.runId as string;
  return {
    runId,
    cleanup: async () => {
      s.app.worker.cancel(runId);
      await s.app.worker.waitFor(runId);
    },
  };
}

/** A new real pre_production run of v1 that has finished (the newest, so it can be rolled back). */
async function finishedRealRun(s: Scenario): Promise<string> {
  const r = await s.client.request('POST', `/projects/${s.projectId}/runs`, { token: s.a.token.migration_analyst, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe' } });
  if (r.status !== 202) throw new Error(`run refused: ${r.text}`);
  const done = await s.app.worker.waitFor(r.body.runId);
  if (done?.status !== 'succeeded') throw new Error(`run ended ${done?.status}`);
  return r.body.runId as string;
}

/** A digest that meets every staging condition except the promotion itself. */
async function promotable(s: Scenario): Promise<string> {
  const { plane } = s.world;
  const A = s.world.a;
  const v = await s.newVersion();
  await plane.approveVersion(A.as.integration_lead, v.id, 'ok');
  await plane.recordRun(A.as.migration_analyst, s.projectId, { digest: v.digest, tier: 'pre_production', runId: unique('run'), status: 'succeeded', gateDecision: 'pass', dryRun: false });
  await plane.approveRelease(A.as.integration_lead, s.projectId, v.digest, 'staging', 'ok');
  return v.digest;
}

/** A fresh sampling review of the scenario's finished run (two probe patients), drawn over the API by an integration_lead. */
async function freshReview(s: Scenario): Promise<string> {
  const r = await s.client.request('POST', `/projects/${s.projectId}/runs/${s.finishedRunId}/reviews`, { token: s.a.token.integration_lead, body: { source: 'probe', patients: 2, seed: 1 } });
  if (r.status !== 201) throw new Error(`review refused: ${r.text}`);
  return r.body.id as string;
}

const syncsWritten = new WeakMap<Scenario, Promise<string>>();

/** The id of a streaming sync of v1 in the pre_production target, written there once per scenario. */
function scenarioSync(s: Scenario): Promise<string> {
  if (!syncsWritten.has(s)) {
    const syncId = 'sync-fixture-1';
    syncsWritten.set(
      s,
      writeSyncs(`sqlite:${s.preTarget}`, [{ syncId, contractDigest: s.v1.digest, kind: 'streaming', startedAt: new Date().toISOString() }]).then(() => syncId),
    );
  }
  return syncsWritten.get(s)!;
}

const P = (s: Scenario) => `/projects/${s.projectId}`;

export const FIXTURES: Record<string, Fixture> = {
  health: async () => ({ method: 'GET', path: '/healthz' }),
  ready: async () => ({ method: 'GET', path: '/readyz' }),
  openapi: async () => ({ method: 'GET', path: '/openapi.json' }),
  login: async (s, c) => ({ method: 'POST', path: '/auth/login', body: { org: s.world[c.tenant].slug, username: s.world[c.tenant].usernames[c.role], password: PASSWORD } }),
  logout: async (s, c) => ({ method: 'POST', path: '/auth/logout', token: (await loginAs(s.world.plane, s.world[c.tenant], c.role)).token }),
  changePassword: async (s, c) => {
    // A throwaway user holding the caller's role, so changing its password disturbs no other test.
    const u = await extraUser(s.world.plane, s.world[c.tenant], unique('pwchange'), [c.role]);
    const token = (await s.world.plane.login(s.world[c.tenant].slug, (await s.world.plane.getUser(u, u.userId)).username, PASSWORD)).token;
    return { method: 'POST', path: '/auth/password', token, body: { currentPassword: PASSWORD, newPassword: 'an entirely new passphrase' } };
  },
  me: async () => ({ method: 'GET', path: '/auth/me' }),
  projectPermissions: async (s) => ({ method: 'GET', path: `${P(s)}/permissions` }),
  getOrg: async () => ({ method: 'GET', path: '/org' }),
  listWorkspaces: async () => ({ method: 'GET', path: '/workspaces' }),
  createWorkspace: async () => ({ method: 'POST', path: '/workspaces', body: { name: unique('ws') } }),
  getWorkspace: async (s) => ({ method: 'GET', path: `/workspaces/${s.world.a.workspace.id}` }),
  createProject: async (s) => ({ method: 'POST', path: `/workspaces/${s.world.a.workspace.id}/projects`, body: { name: unique('prj') } }),
  listProjects: async () => ({ method: 'GET', path: '/projects' }),
  getProject: async (s) => ({ method: 'GET', path: P(s) }),
  listUsers: async () => ({ method: 'GET', path: '/users' }),
  createUser: async () => ({ method: 'POST', path: '/users', body: { username: unique('new'), password: PASSWORD } }),
  getUser: async (s) => ({ method: 'GET', path: `/users/${(await victim(s)).id}` }),
  lockUser: async (s) => ({ method: 'POST', path: `/users/${(await victim(s)).id}/lock` }),
  unlockUser: async (s) => {
    const v = await victim(s);
    await s.world.plane.lockUser(s.world.a.admin, v.id);
    return { method: 'POST', path: `/users/${v.id}/unlock` };
  },
  resetSessions: async (s) => ({ method: 'POST', path: `/users/${(await victim(s)).id}/sessions/reset?tokens=true` }),
  resetPassword: async (s) => ({ method: 'POST', path: `/users/${(await victim(s)).id}/password`, body: { newPassword: 'an entirely new passphrase' } }),
  grantRole: async (s) => ({ method: 'POST', path: `/users/${(await victim(s)).id}/roles`, body: { role: 'viewer', projectId: s.projectId } }),
  revokeRole: async (s) => {
    const v = await victim(s);
    await s.world.plane.grantRole(s.world.a.admin, v.id, 'viewer', null);
    return { method: 'POST', path: `/users/${v.id}/roles/revoke`, body: { role: 'viewer', projectId: null } };
  },
  listUserTokens: async (s) => ({ method: 'GET', path: `/users/${(await victim(s)).id}/tokens` }),
  listTokens: async () => ({ method: 'GET', path: '/tokens' }),
  createToken: async () => ({ method: 'POST', path: '/tokens', body: { name: unique('tok') } }),
  revokeToken: async (s, c) => {
    // A token of tenant A's user with the caller's role: the caller's own in the matrix test.
    const t = await s.world.plane.createToken(s.world.a.as[c.role], { name: unique('tok') });
    return { method: 'POST', path: `/tokens/${t.info.id}/revoke` };
  },
  listVersions: async (s) => ({ method: 'GET', path: `${P(s)}/contract-versions` }),
  submitVersion: async (s) => ({ method: 'POST', path: `${P(s)}/contract-versions`, body: await uniqueProbe('http') }),
  getVersion: async (s) => ({ method: 'GET', path: `${P(s)}/contract-versions/${s.v1.id}` }),
  diffVersion: async (s) => ({ method: 'GET', path: `${P(s)}/contract-versions/${s.v2.id}/diff?from=${s.v1.id}` }),
  approveVersion: async (s) => ({ method: 'POST', path: `${P(s)}/contract-versions/${(await s.newVersion()).id}/approve`, body: { comment: 'reviewed' } }),
  listCrosswalks: async (s) => ({ method: 'GET', path: `${P(s)}/contract-versions/${s.v1.id}/crosswalks` }),
  getCrosswalk: async (s) => {
    const { plane } = s.world;
    const withCrosswalk = await plane.submitVersion(s.world.a.as.migration_analyst, s.projectId, await crosswalkContract());
    return { method: 'GET', path: `${P(s)}/contract-versions/${withCrosswalk.version.id}/crosswalks/sex` };
  },
  crosswalkCoverage: async (s) => ({ method: 'POST', path: `${P(s)}/contract-versions/${s.v1.id}/crosswalk-coverage`, body: { source: 'probe' }, tier: 'pre_production' }),
  startRun: async (s) => ({ method: 'POST', path: `${P(s)}/runs`, body: { versionId: s.v1.id, tier: 'pre_production', source: 'probe', dryRun: true }, tier: 'pre_production' }),
  listRuns: async (s) => ({ method: 'GET', path: `${P(s)}/runs` }),
  getRun: async (s) => ({ method: 'GET', path: `${P(s)}/runs/${s.finishedRunId}` }),
  cancelRun: async (s) => {
    const run = await slowRun(s);
    return { method: 'POST', path: `${P(s)}/runs/${run.runId}/cancel`, tier: 'pre_production', cleanup: run.cleanup };
  },
  getRunReport: async (s) => ({ method: 'GET', path: `${P(s)}/runs/${s.finishedRunId}/report` }),
  getQualityHtml: async (s) => ({ method: 'GET', path: `${P(s)}/runs/${s.finishedRunId}/quality.html` }),
  getSignOffPack: async (s) => ({ method: 'GET', path: `${P(s)}/runs/${s.finishedRunId}/pack` }),
  runEvents: async (s) => ({ method: 'GET', path: `${P(s)}/runs/${s.finishedRunId}/events` }),
  releaseStatus: async (s) => ({ method: 'GET', path: `${P(s)}/release` }),
  listTierConfigs: async (s) => ({ method: 'GET', path: `${P(s)}/release/tiers` }),
  configureTier: async (s) => ({ method: 'PUT', path: `${P(s)}/release/tiers/staging`, body: { connection: 'staging-target' } }),
  approveRelease: async (s) => {
    const v = await s.newVersion();
    await s.world.plane.approveVersion(s.world.a.as.integration_lead, v.id, 'ok');
    return { method: 'POST', path: `${P(s)}/release/tiers/staging/approvals`, body: { digest: v.digest, comment: 'ok' }, tier: 'staging' };
  },
  promote: async (s) => ({ method: 'POST', path: `${P(s)}/release/tiers/staging/promote`, body: { digest: await promotable(s) } }),
  listSources: async (s) => ({ method: 'GET', path: `${P(s)}/sources` }),
  listConnections: async (s) => ({ method: 'GET', path: `${P(s)}/connections` }),
  testSource: async (s) => ({ method: 'POST', path: `${P(s)}/sources/test`, body: { source: 'probe' } }),
  uploadSource: async (s) => ({ method: 'POST', path: `${P(s)}/uploads`, body: { files: [{ name: 'PERSON.csv', content: 'ID,NHS_NO,SURNAME\n1,9990000018,Upload\n' }] } }),
  listUploads: async (s) => ({ method: 'GET', path: `${P(s)}/uploads` }),
  deleteUpload: async (s) => {
    const up = await s.client.request('POST', `${P(s)}/uploads`, { token: s.a.token.migration_analyst, body: { files: [{ name: 'GONE.csv', content: 'ID\n1\n' }] } });
    if (up.status !== 201) throw new Error(`upload refused: ${up.text}`);
    return { method: 'DELETE', path: `${P(s)}/uploads/${(up.body.source as string).slice('upload:'.length)}` };
  },
  profileSource: async (s) => ({ method: 'POST', path: `${P(s)}/profile`, body: { source: 'probe' } }),
  suggestMappings: async (s) => ({ method: 'POST', path: `${P(s)}/suggest`, body: { source: 'probe', targetDdl: 'CREATE TABLE person (person_id integer PRIMARY KEY, nhs_number varchar(10));' } }),
  listVersionFields: async (s) => ({ method: 'GET', path: `${P(s)}/contract-versions/${s.v1.id}/fields` }),
  rollbackRun: async (s) => {
    const runId = await finishedRealRun(s);
    return { method: 'POST', path: `${P(s)}/runs/${runId}/rollback`, body: { confirm: runId }, tier: 'pre_production' };
  },
  listAuditEvents: async (s) => ({ method: 'GET', path: `/audit/events?projectId=${s.projectId}&limit=5` }),
  verifyAudit: async () => ({ method: 'POST', path: '/audit/verify' }),
  exportAudit: async (s) => ({ method: 'POST', path: `${P(s)}/audit/export`, body: { from: '2000-01-01', to: '2100-01-01' } }),
  listSyncs: async (s) => ({ method: 'GET', path: `${P(s)}/syncs?tier=pre_production` }),
  getSync: async (s) => ({ method: 'GET', path: `${P(s)}/syncs/${await scenarioSync(s)}?tier=pre_production` }),
  lookupLineage: async (s) => ({ method: 'GET', path: `${P(s)}/lineage?tier=pre_production&by=source&table=PERSON&key=1&versionId=${s.v1.id}` }),
  getProjectSettings: async (s) => ({ method: 'GET', path: `${P(s)}/settings` }),
  createSubscription: async (s) => ({ method: 'POST', path: `${P(s)}/settings/subscriptions`, body: { name: unique('hook'), channel: 'webhook', target: SCENARIO_WEBHOOK, events: ['run.failed'] } }),
  removeSubscription: async (s) => {
    const { subscription } = await s.world.plane.createSubscription(
      s.world.a.admin,
      s.projectId,
      { name: unique('hook'), channel: 'webhook', target: SCENARIO_WEBHOOK, events: ['run.failed'] },
      { policy: { webhookHosts: [new URL(SCENARIO_WEBHOOK).hostname], mailDomains: [], smtp: false } },
    );
    return { method: 'DELETE', path: `${P(s)}/settings/subscriptions/${subscription.id}` };
  },
  listDeliveries: async (s) => ({ method: 'GET', path: `${P(s)}/settings/deliveries` }),
  setBackupPolicy: async (s) => ({ method: 'PUT', path: `${P(s)}/settings/backup-policy`, body: { required: true, keepLast: ++n } }),
  getHazardLog: async (s) => ({ method: 'GET', path: `${P(s)}/hazards` }),
  submitHazardLog: async (s) => ({ method: 'PUT', path: `${P(s)}/hazards`, body: { text: hazardLogText(unique('fixture')), comment: 'fixture' } }),
  listHazardLogVersions: async (s) => ({ method: 'GET', path: `${P(s)}/hazards/versions` }),
  listHazardIssues: async (s) => ({ method: 'GET', path: `${P(s)}/hazard-issues?status=open` }),
  resolveHazardIssue: async (s) => {
    const { world } = s;
    await world.plane.submitHazardLog(world.a.as.clinical_safety_officer, s.projectId, { text: hazardLogText('issues') });
    const raised = await world.plane.raiseHazardIssues(world.a.as.migration_analyst, s.projectId, {
      signals: [{ signal: `gate:overall.fixture${++n}`, detail: 'validity 90.00%', sourceKind: 'run' }],
    });
    return { method: 'POST', path: `${P(s)}/hazard-issues/${raised.issues[0].id}/resolve`, body: { status: 'resolved', comment: 'fixed at source' } };
  },
  createReview: async (s) => ({ method: 'POST', path: `${P(s)}/runs/${s.finishedRunId}/reviews`, body: { source: 'probe', patients: 2, seed: 1 } }),
  listReviews: async (s) => ({ method: 'GET', path: `${P(s)}/reviews` }),
  getReview: async (s) => ({ method: 'GET', path: `${P(s)}/reviews/${await freshReview(s)}` }),
  getReviewPatient: async (s) => ({ method: 'GET', path: `${P(s)}/reviews/${await freshReview(s)}/patients/0` }),
  recordReviewVerdict: async (s) => ({ method: 'POST', path: `${P(s)}/reviews/${await freshReview(s)}/patients/0/verdict`, body: { verdict: 'matches' } }),
  resolveReviewDiscrepancy: async (s) => {
    const id = await freshReview(s);
    await s.world.plane.recordVerdict(s.world.a.as.clinical_reviewer, s.projectId, id, 1, { verdict: 'discrepancy', comment: 'differs' });
    return { method: 'POST', path: `${P(s)}/reviews/${id}/patients/1/resolve`, body: { comment: 'fixed in the next version' } };
  },
};

/** A one-hazard log whose title makes its digest unique. */
function hazardLogText(title: string): string {
  return `format: ferry.hazards/v1\nhazards:\n  - { id: H-001, title: ${title}, description: d, cause: c, effect: e, severity: 3, likelihood: 2, residual: { severity: 2, likelihood: 1 }, owner: CSO, status: open, evidence: ['gate:*'] }\n`;
}

/** The test fixture contract (with its `sex` crosswalk) under a unique version. */
async function crosswalkContract() {
  const c = await fixtureContract();
  return { ...c, yaml: c.yaml.replace('version: 1.0.0', `version: 9.${++n}.0`), message: 'with crosswalk' };
}
