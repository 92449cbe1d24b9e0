/** The caller's org, its workspaces and projects. The org is always the caller's own: no org id is ever taken from a request. */
import { z } from 'zod';
import type { ServerDeps } from '../context.js';
import { defineRoute } from '../context.js';
import { idParam, orgSchema, projectSchema, workspaceSchema } from '../schemas.js';

const nameBody = z.object({ name: z.string().min(1).max(200) });

/** Tenancy routes. */
export function orgRoutes({ plane }: ServerDeps) {
  return [
    defineRoute({
      method: 'GET',
      path: '/org',
      operationId: 'getOrg',
      summary: "The caller's organisation",
      tag: 'orgs',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      response: orgSchema,
      handler: ({ auth }) => plane.getOrg(auth),
    }),
    defineRoute({
      method: 'GET',
      path: '/workspaces',
      operationId: 'listWorkspaces',
      summary: 'Workspaces of the org',
      tag: 'orgs',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      response: z.array(workspaceSchema),
      handler: ({ auth }) => plane.listWorkspaces(auth),
    }),
    defineRoute({
      method: 'POST',
      path: '/workspaces',
      operationId: 'createWorkspace',
      summary: 'Create a workspace',
      tag: 'orgs',
      access: 'authenticated',
      permission: 'workspace.manage',
      scope: 'org',
      body: nameBody,
      status: 201,
      response: workspaceSchema,
      handler: async ({ auth, body }) => {
        return plane.createWorkspace(auth, body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/workspaces/{workspaceId}',
      operationId: 'getWorkspace',
      summary: 'One workspace',
      tag: 'orgs',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      params: z.object({ workspaceId: idParam }),
      response: workspaceSchema,
      handler: ({ auth, params }) => plane.getWorkspace(auth, params.workspaceId),
    }),
    defineRoute({
      method: 'POST',
      path: '/workspaces/{workspaceId}/projects',
      operationId: 'createProject',
      summary: 'Create a project in a workspace',
      tag: 'orgs',
      access: 'authenticated',
      permission: 'workspace.manage',
      scope: 'org',
      params: z.object({ workspaceId: idParam }),
      body: nameBody,
      status: 201,
      response: projectSchema,
      handler: async ({ auth, params, body }) => {
        return plane.createProject(auth, params.workspaceId, body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/projects',
      operationId: 'listProjects',
      summary: 'Projects the caller may read (optionally of one workspace)',
      tag: 'orgs',
      access: 'authenticated',
      permission: null,
      scope: 'none',
      query: z.object({ workspaceId: idParam.optional() }),
      response: z.array(projectSchema),
      handler: ({ auth, query }) => plane.listProjects(auth, query.workspaceId),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/{projectId}',
      operationId: 'getProject',
      summary: 'One project',
      tag: 'orgs',
      access: 'authenticated',
      permission: 'org.read',
      scope: 'project',
      params: z.object({ projectId: idParam }),
      response: projectSchema,
      handler: async ({ auth, params }) => {
        return plane.getProject(auth, params.projectId);
      },
    }),
  ];
}
