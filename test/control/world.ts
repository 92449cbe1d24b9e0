/**
 * A populated control plane for tests: two orgs (A and B), each with a workspace, a project,
 * an org_admin and one user per role (granted org-wide), a controllable clock, and cheap scrypt
 * parameters so logins stay fast. Each call builds a fresh store, so tests never share tenants.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../src/store/db.js';
import { createControlPlane } from '../../src/control/service.js';
import type { Actor, ControlPlane, Project, Workspace } from '../../src/control/plane.js';
import { ROLES, type Role } from '../../src/control/roles.js';
import type { StoreFixture } from './stores.js';

export const PASSWORD = 'correct horse battery staple';
const FIXTURE = path.join(process.cwd(), 'test/fixtures/contracts/valid');

export interface TestClock {
  now: Date;
  advance(ms: number): void;
}

export interface Tenant {
  orgId: string;
  /** The org's slug, which login names. */
  slug: string;
  workspace: Workspace;
  project: Project;
  admin: Actor;
  /** One user per role, granted org-wide; `org_admin` is the bootstrap admin. */
  as: Record<Role, Actor>;
  usernames: Record<Role, string>;
}

export interface World {
  store: Store;
  plane: ControlPlane;
  clock: TestClock;
  a: Tenant;
  b: Tenant;
  close(): Promise<void>;
}

/** The valid fixture contract as submit input (YAML + its crosswalk). */
export async function fixtureContract(): Promise<{ yaml: string; crosswalks: Record<string, string> }> {
  return {
    yaml: await readFile(path.join(FIXTURE, 'contract.yaml'), 'utf8'),
    crosswalks: { 'crosswalks/sex.csv': await readFile(path.join(FIXTURE, 'crosswalks/sex.csv'), 'utf8') },
  };
}

/** The fixture contract with a different metadata version, so its digest differs. */
export async function changedContract(): Promise<{ yaml: string; crosswalks: Record<string, string> }> {
  const c = await fixtureContract();
  return { ...c, yaml: c.yaml.replace('version: 1.0.0', 'version: 1.0.1') };
}

async function tenant(plane: ControlPlane, slug: string): Promise<Tenant> {
  const { org, admin } = await plane.initOrg({ slug, name: `Trust ${slug}`, admin: { username: `${slug}-admin`, password: PASSWORD } });
  const adminActor = await plane.actorFor(admin.id);
  const workspace = await plane.createWorkspace(adminActor, { name: 'migration' });
  const project = await plane.createProject(adminActor, workspace.id, { name: 'pas' });
  const as = { org_admin: adminActor } as Record<Role, Actor>;
  const usernames = { org_admin: `${slug}-admin` } as Record<Role, string>;
  for (const role of ROLES.filter((r) => r !== 'org_admin')) {
    const username = `${slug}-${role}`;
    const user = await plane.createUser(adminActor, { username, password: PASSWORD });
    await plane.grantRole(adminActor, user.id, role, null);
    as[role] = await plane.actorFor(user.id);
    usernames[role] = username;
  }
  return { orgId: org.id, slug, workspace, project, admin: adminActor, as, usernames };
}

/** Builds a fresh populated control plane on a new store from `fx`. */
export async function buildWorld(fx: StoreFixture, config: Parameters<typeof createControlPlane>[0]['config'] = {}): Promise<World> {
  const store = await fx.open(fx.freshUrl());
  const clock: TestClock = {
    now: new Date('2025-03-01T09:00:00Z'),
    advance(ms) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const plane = createControlPlane({ store, clock: () => clock.now, config: { scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 }, ...config } });
  const a = await tenant(plane, 'trust-a');
  const b = await tenant(plane, 'trust-b');
  return { store, plane, clock, a, b, close: () => store.close() };
}

/** Signs in as `t`'s user holding `role` (from `address`, default the local one). */
export function loginAs(plane: ControlPlane, t: Tenant, role: Role, password = PASSWORD, address?: string) {
  return plane.login(t.slug, t.usernames[role], password, address);
}

/** Another user in tenant `t` holding `roles` org-wide (e.g. a second integration_lead). */
export async function extraUser(plane: ControlPlane, t: Tenant, username: string, roles: Role[]): Promise<Actor> {
  const user = await plane.createUser(t.admin, { username, password: PASSWORD });
  for (const r of roles) await plane.grantRole(t.admin, user.id, r, null);
  return plane.actorFor(user.id);
}
