/**
 * The permission matrix, generated from the data in src/control/roles.ts: for every permission
 * and every role, a user holding only that role either succeeds, or gets 'forbidden' and the
 * store is unchanged apart from the `access:denied` audit event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import type { Actor, ControlPlane } from '../../src/control/plane.js';
import { PERMISSION_NAMES, ROLES, roleHas, type Permission } from '../../src/control/roles.js';
import type { Store } from '../../src/store/db.js';
import { DIALECTS, rawSql, storeFixture, type StoreFixture } from './stores.js';
import { buildWorld, extraUser, fixtureContract, PASSWORD, type World } from './world.js';

type Op = (actor: Actor) => Promise<unknown>;
interface Ctx {
  w: World;
  plane: ControlPlane;
  project: string;
  author: Actor;
  lead2: Actor;
  n: () => number;
}

const TABLES = [
  'org',
  'workspace',
  'project',
  'app_user',
  'role_grant',
  'user_session',
  'api_token',
  'contract_version',
  'version_approval',
  'release_tier',
  'release_approval',
  'run_record',
  'promotion',
  'backup_policy',
  'hazard_log_version',
  'hazard_issue',
  'review',
  'review_patient',
];

async function snapshot(store: Store): Promise<string> {
  const parts: unknown[] = [];
  for (const t of TABLES) parts.push(await rawSql(store, `SELECT * FROM "${t}" ORDER BY 1, 2`));
  parts.push(await rawSql(store, `SELECT "seq", "type", "payload" FROM "audit_event" WHERE "type" <> 'access:denied' ORDER BY "seq"`));
  return JSON.stringify(parts);
}

async function freshVersion(c: Ctx, approved: boolean) {
  const base = await fixtureContract();
  const v = (await c.plane.submitVersion(c.author, c.project, { ...base, yaml: base.yaml.replace('version: 1.0.0', `version: 1.0.${c.n()}`), message: '' })).version;
  if (approved) await c.plane.approveVersion(c.w.a.as.integration_lead, v.id, 'ok');
  return v;
}

/** A review of a fresh recorded run, drawn by an integration_lead (keys only: the plane never reads the source). */
async function freshReview(c: Ctx) {
  const v = await freshVersion(c, false);
  const runId = `run-${c.n()}`;
  await c.plane.recordRun(c.w.a.as.migration_analyst, c.project, { digest: v.digest, tier: 'pre_production', runId, status: 'succeeded', gateDecision: 'pass' });
  return c.plane.createReview(c.w.a.as.integration_lead, c.project, {
    runId,
    contractDigest: v.digest,
    root: 'patient',
    seed: 1,
    patientsRequested: 2,
    stratify: null,
    population: { quarantined: 0, cascaded: 0, crosswalked: 1, clean: 1 },
    patients: [
      { position: 0, patientKey: '1', stratum: 'crosswalked' },
      { position: 1, patientKey: '2', stratum: 'clean' },
    ],
    sourceRef: 'csv:legacy',
    targetRef: 'sqlite:target.db',
  });
}

/** One operation per permission; the setup (run by privileged users) happens before the snapshot. */
const OPS: Record<Permission, (c: Ctx) => Promise<Op>> = {
  'org.read': async (c) => (x) => c.plane.getProject(x, c.project),
  'workspace.manage': async (c) => (x) => c.plane.createWorkspace(x, { name: `ws-${c.n()}` }),
  'user.read': async (c) => (x) => c.plane.listUsers(x),
  'user.manage': async (c) => (x) => c.plane.createUser(x, { username: `new-${c.n()}`, password: PASSWORD }),
  'role.manage': async (c) => {
    const target = await c.plane.createUser(c.w.a.admin, { username: `target-${c.n()}`, password: PASSWORD });
    return (x) => c.plane.grantRole(x, target.id, 'viewer', c.project);
  },
  'contract.read': async (c) => (x) => c.plane.listVersions(x, c.project),
  'contract.submit': async (c) => {
    const base = await fixtureContract();
    const yaml = base.yaml.replace('version: 1.0.0', `version: 9.0.${c.n()}`);
    return (x) => c.plane.submitVersion(x, c.project, { ...base, yaml, message: 'm' });
  },
  'contract.approve': async (c) => {
    const v = await freshVersion(c, false);
    return (x) => c.plane.approveVersion(x, v.id, 'ok');
  },
  'run.read': async (c) => (x) => c.plane.listRuns(x, c.project),
  'run.pre_production': async (c) => {
    const v = await freshVersion(c, false);
    return (x) => c.plane.recordRun(x, c.project, { digest: v.digest, tier: 'pre_production', runId: `run-${c.n()}`, status: 'succeeded', gateDecision: 'pass' });
  },
  'run.staging': async (c) => {
    const v = await freshVersion(c, false);
    return (x) => c.plane.recordRun(x, c.project, { digest: v.digest, tier: 'staging', runId: `run-${c.n()}`, status: 'succeeded', gateDecision: 'pass' });
  },
  'run.production': async (c) => {
    const v = await freshVersion(c, false);
    return (x) => c.plane.recordRun(x, c.project, { digest: v.digest, tier: 'production', runId: `run-${c.n()}`, status: 'succeeded', gateDecision: 'pass' });
  },
  'release.read': async (c) => (x) => c.plane.releaseStatus(x, c.project),
  'release.configure': async (c) => (x) => c.plane.configureTier(x, c.project, 'pre_production', { policy: { excludeAuthor: c.n() % 2 === 0 } }),
  'release.approve_staging': async (c) => {
    const v = await freshVersion(c, true);
    return (x) => c.plane.approveRelease(x, c.project, v.digest, 'staging', '');
  },
  'release.approve_production': async (c) => {
    const v = await freshVersion(c, true);
    return (x) => c.plane.approveRelease(x, c.project, v.digest, 'production', '');
  },
  'release.promote': async (c) => {
    const v = await freshVersion(c, true);
    await c.plane.recordRun(c.w.a.as.migration_analyst, c.project, { digest: v.digest, tier: 'pre_production', runId: `run-${c.n()}`, status: 'succeeded', gateDecision: 'pass' });
    await c.plane.approveRelease(c.lead2, c.project, v.digest, 'staging', '');
    return (x) => c.plane.promote(x, c.project, v.digest, 'staging');
  },
  'project.settings': async (c) => (x) => c.plane.setBackupPolicy(x, c.project, { required: true, keepLast: c.n() + 1 }),
  'safety.read': async (c) => (x) => c.plane.getHazardLog(x, c.project),
  'safety.manage': async (c) => (x) =>
    c.plane.submitHazardLog(x, c.project, {
      text: `format: ferry.hazards/v1\nhazards:\n  - { id: H-001, title: Matrix ${c.n()}, description: d, cause: c, effect: e, severity: 2, likelihood: 2, residual: { severity: 1, likelihood: 1 }, owner: CSO, status: open }\n`,
    }),
  'review.read': async (c) => {
    const r = await freshReview(c);
    return (x) => c.plane.getReview(x, c.project, r.id);
  },
  'review.manage': async (c) => {
    const r = await freshReview(c);
    await c.plane.recordVerdict(c.w.a.as.clinical_reviewer, c.project, r.id, 0, { verdict: 'discrepancy', comment: 'gender differs' });
    return (x) => c.plane.resolveDiscrepancy(x, c.project, r.id, 0, 'crosswalk corrected in 1.0.1');
  },
  'review.patient_data': async (c) => {
    const r = await freshReview(c);
    return (x) => c.plane.recordPatientView(x, c.project, r.id, 1);
  },
  'audit.read': async (c) => (x) => c.plane.listAuditEvents(x, { projectId: c.project }),
  'audit.export': async (c) => (x) => c.plane.authorize(x, 'audit.export', { projectId: c.project }),
};

const CELLS = PERMISSION_NAMES.flatMap((p) => ROLES.map((r) => [p, r, roleHas(r, p)] as const));

describe('the permission matrix test', () => {
  it('has an operation for every permission in the data', () => {
    expect(Object.keys(OPS).sort()).toEqual([...PERMISSION_NAMES].sort());
  });
});

describe.each(DIALECTS)('permission matrix on %s', (dialect) => {
  let fx: StoreFixture;
  let c: Ctx;
  beforeAll(async () => {
    fx = await storeFixture(dialect);
    const w = await buildWorld(fx);
    let counter = 0;
    c = {
      w,
      plane: w.plane,
      project: w.a.project.id,
      author: await extraUser(w.plane, w.a, 'matrix-author', ['migration_analyst']),
      lead2: await extraUser(w.plane, w.a, 'matrix-lead-2', ['integration_lead']),
      n: () => ++counter,
    };
  });
  afterAll(async () => {
    await c.w.close();
    await fx.cleanup();
  });

  it.each(CELLS)('%s as %s (allowed: %s)', async (permission, role, allowed) => {
    const op = await OPS[permission](c);
    const before = await snapshot(c.w.store);
    const head = await c.plane.audit.head();
    const result = await op(c.w.a.as[role]).then(
      () => 'ok',
      (e: unknown) => e,
    );
    if (allowed) {
      expect(result).toBe('ok');
      return;
    }
    expect(result).toBeInstanceOf(FerryError);
    expect((result as FerryError).kind).toBe('forbidden');
    expect(await snapshot(c.w.store)).toBe(before);
    const added = (await c.plane.audit.list({ order: 'asc' })).filter((e) => e.seq > head.seq);
    expect(added.map((e) => [e.type, (e.payload as { reason: string }).reason])).toEqual([['access:denied', 'forbidden']]);
  });
});
