/**
 * The post-deploy smoke test, over the public API only: health, readiness, login with the
 * probe account, a dry run of the bundled probe contract followed to its end over SSE (it must
 * read, load and quarantine exactly the expected rows), audit chain verification, logout.
 * Steps run in order and stop at the first failure, which names the step; the probe's
 * password and session token are never printed.
 */
import { probeUpload, PROBE_EXPECTED } from './probe.js';
import { readSse } from './sse-client.js';

export const PROBE_STEPS = ['health', 'readiness', 'login', 'dry_run', 'audit_chain'] as const;
export type ProbeStep = (typeof PROBE_STEPS)[number];

export interface StepResult {
  step: ProbeStep;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface VerifyDeploymentResult {
  url: string;
  ok: boolean;
  /** The first step that failed, or null. */
  failed: ProbeStep | null;
  steps: StepResult[];
}

export interface VerifyDeploymentOptions {
  url: string;
  /** Slug of the probe account's org. */
  org: string;
  username: string;
  password: string;
  /** The project the probe contract is submitted to and dry-run in. */
  projectId: string;
  /** Seconds allowed for each request, and for the dry run as a whole (default 120). */
  timeoutSeconds?: number;
}

class StepFailure extends Error {}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the probe reads whatever JSON the server answers and checks it field by field
type Json = any;

/** Runs every probe step against the server at `o.url`. */
export async function verifyDeployment(o: VerifyDeploymentOptions): Promise<VerifyDeploymentResult> {
  const base = o.url.replace(/\/+$/, '');
  const timeout = (o.timeoutSeconds ?? 120) * 1000;
  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeout) });
    } catch (err) {
      // fetch hides the socket error (ECONNREFUSED, ENOTFOUND…) in `cause`.
      const reason = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new StepFailure(`${method} ${path}: no answer (${reason})`);
    }
    const text = await res.text();
    let parsed: Json;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed };
  };
  const expect = (r: { status: number; body: Json }, status: number, what: string) => {
    if (r.status !== status) {
      const e = r.body?.error;
      throw new StepFailure(`${what}: HTTP ${r.status}${e ? ` ${e.code}: ${e.message}` : ''}`);
    }
  };

  let token: string | null = null;
  const steps: StepResult[] = [];
  const actions: Record<ProbeStep, () => Promise<string>> = {
    health: async () => {
      expect(await call('GET', '/healthz'), 200, 'GET /healthz');
      return 'alive';
    },
    readiness: async () => {
      const r = await call('GET', '/readyz');
      expect(r, 200, 'GET /readyz');
      return `store ${r.body.store.dialect}, ${r.body.store.migrations} migration(s) applied`;
    },
    login: async () => {
      const r = await call('POST', '/auth/login', undefined, { org: o.org, username: o.username, password: o.password });
      expect(r, 200, 'POST /auth/login');
      token = r.body.token as string;
      return `signed in as ${o.username} in ${o.org}`;
    },
    dry_run: async () => {
      const up = await call('POST', `/projects/${o.projectId}/contract-versions`, token!, await probeUpload());
      expect(up, 201, 'submitting the probe contract');
      const start = await call('POST', `/projects/${o.projectId}/runs`, token!, { versionId: up.body.version.id, tier: 'pre_production', source: 'probe', dryRun: true });
      expect(start, 202, 'starting the probe dry run');
      const runId = start.body.runId as string;
      const stream = await readSse(`${base}/projects/${o.projectId}/runs/${runId}/events`, token!, { maxEvents: 10_000, signal: AbortSignal.timeout(timeout) });
      if (stream.status !== 200) throw new StepFailure(`following run ${runId}: HTTP ${stream.status}`);
      const end = stream.events.at(-1);
      if (end?.event !== 'end') throw new StepFailure(`run ${runId}: the progress stream ended without an end event`);
      const view = end.data as { status: string; progress: { totals: Record<string, number> }; error: { code: string; message: string } | null };
      if (view.status !== 'succeeded') throw new StepFailure(`run ${runId} ended ${view.status}${view.error ? ` (${view.error.code}: ${view.error.message})` : ''}`);
      const t = view.progress.totals;
      if (t.read !== PROBE_EXPECTED.read || t.loaded !== PROBE_EXPECTED.loaded || t.quarantined !== PROBE_EXPECTED.quarantined) {
        throw new StepFailure(
          `run ${runId}: read ${t.read}, loaded ${t.loaded}, quarantined ${t.quarantined}; expected ${PROBE_EXPECTED.read}, ${PROBE_EXPECTED.loaded}, ${PROBE_EXPECTED.quarantined}`,
        );
      }
      return `run ${runId}: read ${t.read}, loaded ${t.loaded}, quarantined ${t.quarantined}`;
    },
    audit_chain: async () => {
      const r = await call('POST', '/audit/verify', token!);
      expect(r, 200, 'POST /audit/verify');
      if (!r.body.ok)
        throw new StepFailure(
          `the audit chain is BROKEN${r.body.brokenElsewhere ? ' outside this org' : ''} (${r.body.problems.length} damaged event(s) of this org); run ferry audit verify on the server`,
        );
      return `${r.body.orgEvents} event(s) of this org verified, chain intact`;
    },
  };

  let failed: ProbeStep | null = null;
  for (const step of PROBE_STEPS) {
    const started = performance.now();
    try {
      const detail = await actions[step]();
      steps.push({ step, ok: true, ms: Math.round(performance.now() - started), detail });
    } catch (err) {
      steps.push({ step, ok: false, ms: Math.round(performance.now() - started), detail: err instanceof StepFailure ? err.message : `unexpected error: ${(err as Error).message}` });
      failed = step;
      break;
    }
  }
  // Best effort: a probe session should not outlive the probe.
  if (token) await call('POST', '/auth/logout', token).catch(() => undefined);
  return { url: base, ok: failed === null, failed, steps };
}
