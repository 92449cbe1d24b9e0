/** Who is signed in and what they may do: /auth/me org-wide, /projects/{id}/permissions per project. */
import { createContext, useContext } from 'react';
import type { Actor, Project } from './types';

export interface Session {
  actor: Actor;
  username: string;
  /** Org-wide permissions (GET /auth/me). */
  permissions: Set<string>;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session (screens are only rendered inside one). */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

export interface ProjectScope {
  project: Project;
  /** Permissions in this project (GET /projects/{id}/permissions). */
  permissions: Set<string>;
  can(permission: string): boolean;
}

export const ProjectContext = createContext<ProjectScope | null>(null);

/** The project being worked on. */
export function useProject(): ProjectScope {
  const p = useContext(ProjectContext);
  if (!p) throw new Error('no project');
  return p;
}

/** The permission that runs (and cancels, rolls back) in a tier. */
export function runPermission(tier: string): string {
  return `run.${tier}`;
}
