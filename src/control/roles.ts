/**
 * Roles and the permission matrix, as data. `authorize` (src/control/authorize.ts), the docs
 * table (docs/control-plane.md) and the generated matrix test all read this one table, so
 * they cannot drift apart. Separation of duties is deliberate: org_admin manages people and
 * workspaces but cannot approve or run anything; the auditor reads everything and changes
 * nothing.
 */

export const ROLES = ['org_admin', 'integration_lead', 'migration_analyst', 'clinical_safety_officer', 'clinical_reviewer', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** 'org' permissions are only granted by org-wide grants; 'project' ones by org or project grants. */
export type PermissionLevel = 'org' | 'project';

interface PermissionSpec {
  level: PermissionLevel;
  description: string;
  roles: readonly Role[];
}

const EVERYONE = ROLES;

export const PERMISSIONS = {
  'org.read': { level: 'project', description: 'see the org, its workspaces and projects', roles: EVERYONE },
  'workspace.manage': { level: 'org', description: 'create workspaces and projects', roles: ['org_admin'] },
  'user.read': { level: 'org', description: 'list users and their roles', roles: ['org_admin', 'auditor'] },
  'user.manage': { level: 'org', description: 'create, lock and unlock users, reset their sessions, revoke their tokens', roles: ['org_admin'] },
  'role.manage': { level: 'org', description: 'grant and revoke roles', roles: ['org_admin'] },
  'contract.read': { level: 'project', description: 'read contract versions and their diffs', roles: EVERYONE },
  'contract.submit': { level: 'project', description: 'submit contract versions (contract YAML and crosswalks)', roles: ['migration_analyst'] },
  'contract.approve': { level: 'project', description: 'sign off a contract version', roles: ['integration_lead'] },
  'run.read': { level: 'project', description: 'read runs, their reports and lineage', roles: EVERYONE },
  'run.pre_production': { level: 'project', description: 'run (and record runs) in pre_production', roles: ['migration_analyst', 'integration_lead'] },
  'run.staging': { level: 'project', description: 'run (and record runs) in staging', roles: ['migration_analyst', 'integration_lead'] },
  'run.production': { level: 'project', description: 'run (and record runs) in production', roles: ['integration_lead'] },
  'release.read': { level: 'project', description: 'read release status, tier configuration and approvals', roles: EVERYONE },
  'release.configure': { level: 'project', description: "choose a tier's target connection (by name) and set its approval policy", roles: ['org_admin'] },
  'release.approve_staging': { level: 'project', description: 'approve a digest for staging', roles: ['integration_lead'] },
  'release.approve_production': { level: 'project', description: 'approve a digest for production', roles: ['integration_lead', 'clinical_safety_officer'] },
  'release.promote': { level: 'project', description: 'promote a digest into staging or production', roles: ['integration_lead'] },
  'project.settings': { level: 'project', description: "read and set a project's notification subscriptions and backup policy", roles: ['org_admin', 'integration_lead'] },
  'safety.read': { level: 'project', description: "read the project's hazard log, its versions and hazard issues", roles: EVERYONE },
  'safety.manage': { level: 'project', description: 'submit hazard log versions; resolve or accept hazard issues', roles: ['clinical_safety_officer', 'integration_lead'] },
  'review.read': { level: 'project', description: 'read sampling reviews: the sampled patient keys, strata, verdicts and discrepancies (no patient values)', roles: EVERYONE },
  'review.manage': { level: 'project', description: "draw a run's clinician sampling review and resolve its discrepancies", roles: ['integration_lead', 'clinical_safety_officer'] },
  'review.patient_data': {
    level: 'project',
    description: "see a sampled patient's legacy and target values side by side (audited) and record verdicts",
    roles: ['clinical_reviewer', 'clinical_safety_officer'],
  },
  'audit.read': { level: 'project', description: 'read the audit trail', roles: ['org_admin', 'auditor'] },
  'audit.export': { level: 'project', description: 'export the audit trail', roles: ['auditor'] },
} as const satisfies Record<string, PermissionSpec>;

export type Permission = keyof typeof PERMISSIONS;

/** Every permission, in table order. */
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

/** The matrix as plain data: permission → roles that hold it. */
export const PERMISSION_MATRIX: Readonly<Record<Permission, readonly Role[]>> = Object.fromEntries(PERMISSION_NAMES.map((p) => [p, PERMISSIONS[p].roles])) as unknown as Record<
  Permission,
  readonly Role[]
>;

/** Roles that hold `permission`. */
export function rolesFor(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission].roles;
}

/** True when `role` holds `permission`. */
export function roleHas(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
}

/** True when `value` names a role. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `value` names a permission. */
export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

/** The permission matrix as a Markdown table (rows: permissions, columns: roles), for docs/control-plane.md. */
export function permissionMatrixMarkdown(): string {
  const head = `| Permission | ${ROLES.map((r) => `\`${r}\``).join(' | ')} | What it allows |`;
  const rule = `|---|${ROLES.map(() => ':-:').join('|')}|---|`;
  const rows = PERMISSION_NAMES.map((p) => `| \`${p}\` | ${ROLES.map((r) => (roleHas(r, p) ? '✓' : '')).join(' | ')} | ${PERMISSIONS[p].description} |`);
  return [head, rule, ...rows].join('\n');
}
