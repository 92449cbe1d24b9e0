/** The audit trail: list with filters, verify the hash chain, export a project's events for a regulator. */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { exportAudit } from '../../audit/export.js';
import { MANIFEST_FILE } from '../../audit/export-format.js';
import { verifyAuditForOrg } from '../../control/audit-scope.js';
import { AUDIT_TIME_FORMS, parseAuditTime } from '../../audit/time.js';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { auditEventSchema, auditExportSchema, idParam, verifySchema } from '../schemas.js';

// Checked in the handler (parseAuditTime) so garbage is refused as `audit.bad_time`, naming the parameter.
const time = z.string().min(1).max(40).describe(`${AUDIT_TIME_FORMS}; anything else is refused with 400 audit.bad_time`);

/** Audit routes. */
export function auditRoutes(deps: ServerDeps) {
  const { plane } = deps;
  return [
    defineRoute({
      method: 'GET',
      path: '/audit/events',
      operationId: 'listAuditEvents',
      summary: "Audit events of the caller's org (or one project), newest first, filtered by type, actor (user id), run and time",
      tag: 'audit',
      access: 'authenticated',
      permission: 'audit.read',
      scope: 'project',
      query: z.object({
        projectId: idParam.optional(),
        type: z.string().max(100).optional(),
        actor: z.string().min(1).max(200).optional().describe('the user id that caused the events'),
        runId: z.string().max(200).optional(),
        from: time.optional(),
        to: time.optional(),
        order: z.enum(['asc', 'desc']).default('desc'),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: z.array(auditEventSchema),
      handler: async ({ auth, query }) => {
        const from = query.from === undefined ? undefined : parseAuditTime(query.from, 'from');
        const to = query.to === undefined ? undefined : parseAuditTime(query.to, 'to');
        return plane.listAuditEvents(auth, { ...query, from, to });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/audit/verify',
      operationId: 'verifyAudit',
      summary:
        "Recompute the whole hash chain and check it against the audit anchor; reports whether it holds, the caller's org's event count and any damaged events of that org, nothing about other orgs",
      tag: 'audit',
      access: 'authenticated',
      permission: 'audit.read',
      scope: 'org',
      response: verifySchema,
      handler: async ({ auth }) => {
        return verifyAuditForOrg(plane.audit, auth.orgId);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/{projectId}/audit/export',
      operationId: 'exportAudit',
      summary:
        "A project's audit events of a time range as JSONL + CSV with the hashed manifest (docs/audit.md), the caller's org's events only (a tenant export: no store head, no chain of other orgs' events); the export itself is audit-logged",
      tag: 'audit',
      access: 'authenticated',
      permission: 'audit.export',
      scope: 'project',
      params: z.object({ projectId: idParam }),
      body: z.object({ from: time, to: time }),
      response: auditExportSchema,
      handler: async ({ auth, params, body }) => {
        const from = parseAuditTime(body.from, 'from');
        const to = parseAuditTime(body.to, 'to');
        const outDir = path.join(deps.dataDir, 'exports', `${Date.now()}-${randomBytes(6).toString('hex')}`);
        try {
          const manifest = await exportAudit(plane.audit, { from, to, projectId: params.projectId, outDir, actor: auth.userId, names: { from: 'from', to: 'to' }, tenantOrgId: auth.orgId });
          const files = await Promise.all(manifest.files.map(async (f) => ({ name: f.name, text: await readFile(path.join(outDir, f.name), 'utf8') })));
          files.push({ name: MANIFEST_FILE, text: await readFile(path.join(outDir, MANIFEST_FILE), 'utf8') });
          return { manifest: manifest as unknown as Record<string, unknown>, files };
        } finally {
          await rm(outDir, { recursive: true, force: true });
        }
      },
    }),
  ];
}
