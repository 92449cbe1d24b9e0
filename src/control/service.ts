/**
 * Assembles the control plane from its parts: one context (store, audit log, clock, config)
 * shared by every service function, exposed as the `ControlPlane` interface of plane.ts.
 */
import { AuditLog } from '../audit/log.js';
import { actorFor, authenticate, login, logout } from './auth.js';
import { listAuditEvents } from './audit-scope.js';
import { can, requirePermission } from './authorize.js';
import { connectionUrl, listConnections, listOperatorConnections, registerConnection, removeConnection } from './connections.js';
import { changePassword, operatorResetPassword, operatorUnlock, resetPassword } from './credentials.js';
import { guarded, type Ctx } from './context.js';
import { getHazardLog, listHazardIssues, listHazardLogVersions, raiseHazardIssues, resolveHazardIssue, submitHazardLog } from './hazards.js';
import { createSubscription, getBackupPolicy, listDeliveries, listSubscriptions, removeSubscription, setBackupPolicy } from './notifications.js';
import type { ControlPlane, ControlPlaneConfig, ControlPlaneOptions } from './plane.js';
import { approveRelease, canRun, configureTier, getRun, getTierConfigs, listRuns, promote, recordRun, releaseStatus } from './release.js';
import { createReview, getReview, listReviews, recordPatientView, recordVerdict, resolveDiscrepancy, reviewStatus } from './reviews.js';
import { createProject, createWorkspace, getOrg, getProject, getWorkspace, initOrg, listProjects, listWorkspaces } from './tenancy.js';
import { createToken, listTokens, revokeToken } from './tokens.js';
import { createUser, getUser, grantRole, listUsers, lockUser, resetSessions, revokeRole, unlockUser } from './users.js';
import { approveVersion, diffVersions, getVersion, listVersions, submitVersion } from './versions.js';

export const DEFAULT_CONFIG: ControlPlaneConfig = {
  sessionTtlMs: 12 * 60 * 60 * 1000,
  idleTimeoutMs: 30 * 60 * 1000,
  maxFailedLogins: 5,
  loginBackoffMs: 60 * 1000,
  loginBackoffMaxMs: 15 * 60 * 1000,
  // OWASP's scrypt baseline (N=2^17, r=8, p=1): about 128 MiB and a few hundred ms per login.
  scrypt: { N: 2 ** 17, r: 8, p: 1, keyLength: 32 },
  minPasswordLength: 12,
};

/** Builds the control plane over an open store. */
export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const clock = options.clock ?? (() => new Date());
  const config: ControlPlaneConfig = { ...DEFAULT_CONFIG, ...options.config, scrypt: { ...DEFAULT_CONFIG.scrypt, ...options.config?.scrypt } };
  const ctx: Ctx = { store: options.store, db: options.store.db, audit: options.audit ?? new AuditLog(options.store, clock), clock, config };
  return {
    store: ctx.store,
    audit: ctx.audit,
    config,
    initOrg: (input) => initOrg(ctx, input),
    login: (org, username, password, address) => login(ctx, org, username, password, address),
    authenticate: (token) => authenticate(ctx, token),
    logout: (token) => logout(ctx, token),
    actorFor: (userId) => actorFor(ctx, userId),
    can: (actor, permission, scope) => can(actor, permission, scope),
    authorize: (actor, permission, scope = {}) => guarded(ctx, actor, `authorize:${permission}`, () => requirePermission(ctx, ctx.db, actor, permission, scope)),
    getOrg: (actor) => getOrg(ctx, actor),
    createWorkspace: (actor, input) => createWorkspace(ctx, actor, input),
    listWorkspaces: (actor) => listWorkspaces(ctx, actor),
    getWorkspace: (actor, id) => getWorkspace(ctx, actor, id),
    createProject: (actor, workspaceId, input) => createProject(ctx, actor, workspaceId, input),
    listProjects: (actor, workspaceId) => listProjects(ctx, actor, workspaceId),
    getProject: (actor, id) => getProject(ctx, actor, id),
    createUser: (actor, input) => createUser(ctx, actor, input),
    listUsers: (actor) => listUsers(ctx, actor),
    getUser: (actor, id) => getUser(ctx, actor, id),
    lockUser: (actor, id) => lockUser(ctx, actor, id),
    unlockUser: (actor, id) => unlockUser(ctx, actor, id),
    resetSessions: (actor, id, opts) => resetSessions(ctx, actor, id, opts),
    changePassword: (actor, input, keep) => changePassword(ctx, actor, input, keep),
    resetPassword: (actor, id, password) => resetPassword(ctx, actor, id, password),
    operatorUnlock: (input) => operatorUnlock(ctx, input),
    operatorResetPassword: (input) => operatorResetPassword(ctx, input),
    grantRole: (actor, userId, role, projectId) => grantRole(ctx, actor, userId, role, projectId),
    revokeRole: (actor, userId, role, projectId) => revokeRole(ctx, actor, userId, role, projectId),
    createToken: (actor, input) => createToken(ctx, actor, input),
    listTokens: (actor, userId) => listTokens(ctx, actor, userId),
    revokeToken: (actor, id) => revokeToken(ctx, actor, id),
    submitVersion: (actor, projectId, input) => submitVersion(ctx, actor, projectId, input),
    listVersions: (actor, projectId) => listVersions(ctx, actor, projectId),
    getVersion: (actor, id) => getVersion(ctx, actor, id),
    diffVersions: (actor, from, to) => diffVersions(ctx, actor, from, to),
    approveVersion: (actor, id, comment) => approveVersion(ctx, actor, id, comment),
    getTierConfigs: (actor, projectId) => getTierConfigs(ctx, actor, projectId),
    configureTier: (actor, projectId, tier, input) => configureTier(ctx, actor, projectId, tier, input),
    recordRun: (actor, projectId, input) => recordRun(ctx, actor, projectId, input),
    listRuns: (actor, projectId, filter) => listRuns(ctx, actor, projectId, filter),
    getRun: (actor, projectId, runId) => getRun(ctx, actor, projectId, runId),
    releaseStatus: (actor, projectId, digest) => releaseStatus(ctx, actor, projectId, digest),
    approveRelease: (actor, projectId, digest, tier, comment) => approveRelease(ctx, actor, projectId, digest, tier, comment),
    promote: (actor, projectId, digest, tier) => promote(ctx, actor, projectId, digest, tier),
    canRun: (actor, projectId, digest, tier) => canRun(ctx, actor, projectId, digest, tier),
    registerConnection: (input, host) => registerConnection(ctx, input, host),
    listOperatorConnections: (org) => listOperatorConnections(ctx, org),
    removeConnection: (org, name, operator) => removeConnection(ctx, org, name, operator),
    listConnections: (actor, projectId) => listConnections(ctx, actor, projectId),
    connectionUrl: (actor, o, host) => connectionUrl(ctx, actor, o, host),
    listAuditEvents: (actor, filter) => listAuditEvents(ctx, actor, filter),
    listSubscriptions: (actor, projectId) => listSubscriptions(ctx, actor, projectId),
    createSubscription: (actor, projectId, input, host) => createSubscription(ctx, actor, projectId, input, host),
    removeSubscription: (actor, projectId, id) => removeSubscription(ctx, actor, projectId, id),
    listDeliveries: (actor, projectId, filter) => listDeliveries(ctx, actor, projectId, filter),
    getBackupPolicy: (actor, projectId) => getBackupPolicy(ctx, actor, projectId),
    setBackupPolicy: (actor, projectId, input) => setBackupPolicy(ctx, actor, projectId, input),
    getHazardLog: (actor, projectId, version) => getHazardLog(ctx, actor, projectId, version),
    listHazardLogVersions: (actor, projectId) => listHazardLogVersions(ctx, actor, projectId),
    submitHazardLog: (actor, projectId, input) => submitHazardLog(ctx, actor, projectId, input),
    listHazardIssues: (actor, projectId, filter) => listHazardIssues(ctx, actor, projectId, filter),
    resolveHazardIssue: (actor, projectId, issueId, input) => resolveHazardIssue(ctx, actor, projectId, issueId, input),
    raiseHazardIssues: (actor, projectId, input) => raiseHazardIssues(ctx, actor, projectId, input),
    createReview: (actor, projectId, input) => createReview(ctx, actor, projectId, input),
    listReviews: (actor, projectId) => listReviews(ctx, actor, projectId),
    getReview: (actor, projectId, reviewId) => getReview(ctx, actor, projectId, reviewId),
    recordVerdict: (actor, projectId, reviewId, position, input) => recordVerdict(ctx, actor, projectId, reviewId, position, input),
    resolveDiscrepancy: (actor, projectId, reviewId, position, comment) => resolveDiscrepancy(ctx, actor, projectId, reviewId, position, comment),
    recordPatientView: (actor, projectId, reviewId, position) => recordPatientView(ctx, actor, projectId, reviewId, position),
    reviewStatus: (actor, projectId, digest) => reviewStatus(ctx, actor, projectId, digest),
  };
}
