/**
 * Runs: start one for a tier (refused with the missing conditions when the release gate is
 * not met), list, show, cancel, the JSON report, the HTML quality report, and live progress
 * as Server-Sent Events. Runs execute in the server's worker, never in the request.
 */
import { z } from 'zod';
import type { Actor } from '../../control/plane.js';
import { RUN_PERMISSION } from '../../control/release-policy.js';
import { refusal } from '../../control/release.js';
import { FerryError } from '../../errors.js';
import { renderQualityHtml } from '../../run/html-report.js';
import { auditRollback } from '../../rollback/audit.js';
import { rollbackRun } from '../../rollback/rollback.js';
import type { RunReport } from '../../run/report.js';
import { resolveSource, resolveTarget, sourceRefSchema, withTargetErrors, type ResolvedTarget } from '../connections.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import type { RunJobView } from '../run-worker.js';
import type { RunContext } from '../run-executor.js';
import type { QueuedRunRefs } from '../queued-run-worker.js';
import { idParam, rollbackReportSchema, runEventDataSchema, runRecordSchema, runReportSchema, runSummarySchema, runViewSchema, tierSchema } from '../schemas.js';
import { projectVersion } from './contracts.js';
import { loadVersion } from './crosswalks.js';
import { inProject } from './scope.js';

const projectParams = z.object({ projectId: idParam });
const runParams = z.object({ projectId: idParam, runId: idParam });

/** The run `runId` of `projectId` as this server knows it: live in the worker, or stored when finished. */
async function findRun(deps: ServerDeps, actor: Actor, projectId: string, runId: string, action: string): Promise<{ view: RunJobView; report: RunReport | null } | null> {
  await deps.plane.authorize(actor, 'run.read', { projectId });
  const live = await deps.worker.get(runId);
  if (live) {
    await inProject(deps, actor, projectId, live, 'run', runId, action);
    if (live.status === 'queued' || live.status === 'running') return { view: live, report: null };
  }
  return deps.runs.load(projectId, runId);
}

/** Like findRun, but a run nobody here knows is the control plane's not_found (audit-logged). */
export async function requireRun(deps: ServerDeps, actor: Actor, projectId: string, runId: string, action: string) {
  const found = await findRun(deps, actor, projectId, runId, action);
  if (found) return found;
  await deps.plane.getRun(actor, projectId, runId);
  throw new FerryError('not_found', 'run.no_report', `run ${runId} was recorded without a server-side report (it ran from the CLI or on another server); its evidence is where it ran`);
}

/**
 * A queued run's private context rebuilt from the references it was started with, in whichever
 * server process takes it from the job queue: the starting user must still belong to the org, not
 * be locked, and hold the tier's run permission in the project, the version must still have its digest, and the
 * tier's target must still be the connection the run was queued for. Nothing resolved travels
 * in the job; every URL is resolved (and confined) here again.
 */
export async function runContextFor(deps: ServerDeps, job: QueuedRunRefs): Promise<RunContext> {
  const { spec } = job;
  const actor = await deps.plane.actorFor(spec.startedBy);
  if (actor.orgId !== job.orgId) throw new FerryError('forbidden', 'run.actor_changed', `the user who started run ${job.runId} no longer belongs to its org; start the run again`);
  // A queued run may wait for hours and survive restarts: an account locked meanwhile must not act through it.
  if ((await deps.plane.getUser(actor, actor.userId)).lockedAt !== null) {
    throw new FerryError('forbidden', 'run.actor_locked', `the user who started run ${job.runId} has been locked since it was queued; another user starts the run again`);
  }
  await deps.plane.authorize(actor, RUN_PERMISSION[spec.tier], { projectId: spec.projectId });
  const version = await projectVersion(deps, actor, spec.projectId, spec.versionId, 'run.start');
  if (version.digest !== spec.digest) throw new FerryError('conflict', 'run.version_changed', `contract version ${spec.versionId} no longer has the digest run ${job.runId} was queued with`);
  let target: ResolvedTarget | null = null;
  if (!spec.dryRun) {
    target = await resolveTarget(deps, actor, spec.projectId, spec.tier, {
      code: 'run.no_target',
      message: `the ${spec.tier} tier of this project lost its target connection while run ${job.runId} was queued; an org_admin restores it with PUT /projects/${spec.projectId}/release/tiers/${spec.tier}, then start the run again`,
    });
    if (target.name !== job.targetRef)
      throw new FerryError(
        'conflict',
        'run.target_changed',
        `the ${spec.tier} tier's target connection changed from ${job.targetRef ?? 'none'} to ${target.name} after run ${job.runId} was queued; start the run again to load the new target`,
      );
  }
  const sourceUrl = await resolveSource(deps, actor, spec.projectId, job.sourceRef);
  const contract = await loadVersion(deps, actor, spec.projectId, spec.versionId, 'run.start');
  return { actor, contract, sourceUrl, targetUrl: target?.url ?? null, sourceRef: job.sourceRef, targetRef: target?.name ?? null };
}

/** Run routes. */
export function runRoutes(deps: ServerDeps) {
  const { plane, worker } = deps;
  return [
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/runs',
      operationId: 'startRun',
      summary:
        'Queue a run of a contract version in a tier. A real run is refused (409 release.gate_refused, issues = missing conditions) unless the release gate is met; a dry run needs only the tier’s run permission and writes nothing',
      tag: 'runs',
      access: 'authenticated',
      permission: 'run.{tier}',
      scope: 'project',
      params: projectParams,
      body: z.object({
        versionId: idParam,
        tier: tierSchema,
        source: sourceRefSchema,
        dryRun: z.boolean().default(false),
      }),
      status: 202,
      response: runViewSchema,
      handler: async ({ auth, params, body }) => {
        const { projectId } = params;
        const version = await projectVersion(deps, auth, projectId, body.versionId, 'run.start');
        let target: ResolvedTarget | null = null;
        if (!body.dryRun) {
          // The gate is checked before anything connects; canRun audit-logs the refusal.
          const gate = await plane.canRun(auth, projectId, version.digest, body.tier);
          if (!gate.allowed) throw refusal(body.tier, gate.missing);
          target = await resolveTarget(deps, auth, projectId, body.tier, {
            code: 'run.no_target',
            message: `the ${body.tier} tier of this project has no target connection; an org_admin chooses one of the operator's registered connections with PUT /projects/${projectId}/release/tiers/${body.tier}`,
          });
        }
        const sourceUrl = await resolveSource(deps, auth, projectId, body.source);
        const contract = await loadVersion(deps, auth, projectId, version.id, 'run.start');
        return worker.submit(
          { projectId, tier: body.tier, versionId: version.id, digest: version.digest, dryRun: body.dryRun, startedBy: auth.userId },
          { actor: auth, contract, sourceUrl, targetUrl: target?.url ?? null, sourceRef: body.source, targetRef: target?.name ?? null },
        );
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/runs',
      operationId: 'listRuns',
      summary: 'Runs of the project: live ones on this server and every recorded one, newest first',
      tag: 'runs',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params: projectParams,
      query: z.object({ tier: tierSchema.optional(), digest: z.string().optional() }),
      response: z.array(runSummarySchema),
      handler: async ({ auth, params, query }) => {
        const live = (await worker.list(params.projectId)).filter((v) => (!query.tier || v.tier === query.tier) && (!query.digest || v.digest === query.digest));
        const liveIds = new Set(live.map((v) => v.runId));
        const records = (await plane.listRuns(auth, params.projectId, query)).filter((r) => !liveIds.has(r.runId));
        return [
          ...live.map((v) => ({
            runId: v.runId,
            tier: v.tier,
            digest: v.digest,
            dryRun: v.dryRun,
            status: v.status,
            startedBy: v.startedBy,
            finishedAt: v.finishedAt,
            gateDecision: null,
            live: true,
          })),
          ...records.map((r) => ({
            runId: r.runId,
            tier: r.tier,
            digest: r.digest,
            dryRun: r.dryRun,
            status: r.status,
            startedBy: r.actorId,
            finishedAt: r.recordedAt,
            gateDecision: r.gateDecision,
            live: false,
          })),
        ];
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/runs/{runId}',
      operationId: 'getRun',
      summary: 'One run: its status and progress (counts, throughput, ETA) as this server holds it, and its control-plane record once finished',
      tag: 'runs',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params: runParams,
      response: z.object({ run: runViewSchema.nullable(), record: runRecordSchema.nullable() }),
      handler: async ({ auth, params }) => {
        const found = await findRun(deps, auth, params.projectId, params.runId, 'run.get');
        const live = found?.view.status === 'queued' || found?.view.status === 'running';
        // A finished run has a record; fetching it also gives the plane's not_found for unknown ids.
        const record = live ? null : await plane.getRun(auth, params.projectId, params.runId);
        return { run: found?.view ?? null, record };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/runs/{runId}/cancel',
      operationId: 'cancelRun',
      summary: 'Cancel a queued or running run (needs the run permission of its tier); it ends `cancelled` and can be resumed from the CLI',
      tag: 'runs',
      access: 'authenticated',
      authorizeIn: 'handler',
      permission: 'run.{tier}',
      scope: 'project',
      params: runParams,
      response: runViewSchema,
      handler: async ({ auth, params }) => {
        const found = await requireRun(deps, auth, params.projectId, params.runId, 'run.cancel');
        await plane.authorize(auth, RUN_PERMISSION[found.view.tier], { projectId: params.projectId });
        const view = await worker.cancel(params.runId);
        if (!view || (view.status !== 'queued' && view.status !== 'running')) {
          throw new FerryError('conflict', 'run.finished', `run ${params.runId} has already finished (${found.view.status}); there is nothing to cancel`);
        }
        return view;
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/runs/{runId}/rollback',
      operationId: 'rollbackRun',
      summary:
        'Roll back a finished run in its tier’s target: remove the rows it inserted and restore the rows it changed (needs the run permission of its tier; `confirm` must repeat the run id). Refusals (a later run changed the rows, no undo log, already rolled back…) answer 409 with the reason',
      tag: 'runs',
      access: 'authenticated',
      authorizeIn: 'handler',
      permission: 'run.{tier}',
      scope: 'project',
      params: runParams,
      body: z.object({ confirm: z.string().max(200).describe('the run id again: a guard against rolling back the wrong run') }),
      response: rollbackReportSchema,
      handler: async ({ auth, params, body }) => {
        const found = await requireRun(deps, auth, params.projectId, params.runId, 'run.rollback');
        const { view } = found;
        await plane.authorize(auth, RUN_PERMISSION[view.tier], { projectId: params.projectId });
        if (body.confirm !== params.runId) throw new FerryError('usage', 'rollback.not_confirmed', `confirm must repeat the run id ${params.runId} exactly; nothing was rolled back`);
        if (view.status === 'queued' || view.status === 'running')
          throw new FerryError('conflict', 'run.not_finished', `run ${params.runId} is ${view.status}; cancel it or let it finish, then roll it back`);
        if (view.dryRun) throw new FerryError('conflict', 'rollback.dry_run', `run ${params.runId} was a dry run and wrote nothing; there is nothing to roll back`);
        const engineRunId = view.progress.engineRunId;
        if (!engineRunId)
          throw new FerryError('conflict', 'rollback.nothing_written', `run ${params.runId} ended (${view.error?.code ?? view.status}) before it started writing; there is nothing to roll back`);
        const target = await resolveTarget(deps, auth, params.projectId, view.tier, {
          code: 'run.no_target',
          message: `the ${view.tier} tier of this project has no target connection any more; an org_admin restores it with PUT /projects/${params.projectId}/release/tiers/${view.tier}`,
        });
        const contract = await loadVersion(deps, auth, params.projectId, view.versionId, 'run.rollback');
        const report = await withTargetErrors(() => rollbackRun({ targetUrl: target.url, runId: engineRunId, contract, execute: true })).catch((err: unknown) => {
          throw rollbackRefusal(err, params.runId);
        });
        // Recorded under the API's run id, with the caller's org and project, so the project's
        // trail (`?runId=`) shows the rollback beside the run's own events.
        await auditRollback(plane.audit, auth.userId, { runId: params.runId, tables: report.tables }, { orgId: auth.orgId, projectId: params.projectId });
        // The report names the target by its connection's name, never by its URL or path.
        return { ...report, runId: params.runId, engineRunId, target: target.name };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/runs/{runId}/report',
      operationId: 'getRunReport',
      summary: 'The finished run’s JSON report (docs/run-report.md): counts, reason codes, KPIs; never row values',
      tag: 'runs',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params: runParams,
      response: runReportSchema,
      handler: async ({ auth, params }) => finishedReport(deps, auth, params.projectId, params.runId, 'run.report'),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/runs/{runId}/quality.html',
      operationId: 'getQualityHtml',
      summary: 'The self-contained HTML quality report of a finished run',
      tag: 'quality',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params: runParams,
      produces: 'html',
      response: z.string(),
      handler: async ({ auth, params }) => renderQualityHtml(await finishedReport(deps, auth, params.projectId, params.runId, 'run.quality_html')),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}/runs/{runId}/events',
      operationId: 'runEvents',
      summary: 'Live progress as Server-Sent Events: `snapshot`, then the engine’s run events with counts, throughput and ETA, then `end`',
      tag: 'runs',
      access: 'authenticated',
      permission: 'run.read',
      scope: 'project',
      params: runParams,
      produces: 'sse',
      response: runEventDataSchema,
      handler: async ({ auth, params, signal }) => {
        const found = await requireRun(deps, auth, params.projectId, params.runId, 'run.events');
        if (await worker.get(params.runId)) return worker.events(params.runId, signal);
        const view = found.view;
        return (async function* () {
          yield { event: 'snapshot', data: view };
          yield { event: 'end', data: view };
        })();
      },
    }),
  ];
}

/**
 * The library's refusal as the API answers it: 409 with its code. Its messages speak of the
 * engine's run id and of CLI flags; an unknown run would name the target, so it is reworded.
 */
function rollbackRefusal(err: unknown, runId: string): unknown {
  if (!(err instanceof FerryError) || !err.code.startsWith('rollback.')) return err;
  if (err.code === 'rollback.run_unknown') return new FerryError('conflict', err.code, `run ${runId} is not recorded in the tier's target (was the target replaced since?); nothing was rolled back`);
  if (err.code === 'rollback.unsupported') return new FerryError('conflict', err.code, `the tier's target keeps no undo log, so run ${runId} cannot be rolled back; restore the target from a backup`);
  return new FerryError('conflict', err.code, err.message, err.issues);
}

async function finishedReport(deps: ServerDeps, actor: Actor, projectId: string, runId: string, action: string): Promise<RunReport> {
  return (await finishedRun(deps, actor, projectId, runId, action)).report;
}

/** A finished run of the project with its stored report (run.read); 409 while it runs, 404 when it has no report. */
export async function finishedRun(deps: ServerDeps, actor: Actor, projectId: string, runId: string, action: string): Promise<{ view: RunJobView; report: RunReport }> {
  const found = await requireRun(deps, actor, projectId, runId, action);
  if (found.view.status === 'queued' || found.view.status === 'running') {
    throw new FerryError('conflict', 'run.not_finished', `run ${runId} is ${found.view.status}; its report exists once it ends (follow GET …/events)`);
  }
  if (!found.report)
    throw new FerryError('not_found', 'run.no_report', `run ${runId} ended before the engine produced a report (${found.view.error?.code ?? found.view.status}); GET the run for the reason`);
  return { view: found.view, report: found.report };
}
