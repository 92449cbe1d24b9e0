/**
 * The route reference in docs/api.md, rendered from the route table: method, path, who may
 * call it (roles from the permission matrix) and what it does. docs/api.md keeps it between
 * two markers; a test fails when it differs from what the code serves.
 */
import { PERMISSION_MATRIX, isPermission } from '../control/roles.js';
import { APPROVE_PERMISSION, RUN_PERMISSION } from '../control/release-policy.js';
import { TIERS } from '../contract/model.js';
import { routeTable } from './app.js';
import type { ServerDeps } from './context.js';
import type { AnyRoute } from './router.js';

export const ROUTES_START = '<!-- routes:start (generated from the route table: npx tsx scripts/write-api-docs.ts) -->';
export const ROUTES_END = '<!-- routes:end -->';

const roles = (permission: string): string => (isPermission(permission) ? PERMISSION_MATRIX[permission].map((r) => `\`${r}\``).join(', ') : '');

function who<A>(r: AnyRoute<A>): string {
  if (r.access === 'public') return 'public';
  if (!r.permission) return 'any signed-in user';
  const perTier = (map: Record<string, string | null>) =>
    TIERS.filter((t) => map[t])
      .map((t) => `${t}: ${roles(map[t]!)}`)
      .join('; ');
  if (r.permission === 'run.{tier}') return `\`run.{tier}\` — ${perTier(RUN_PERMISSION)}`;
  if (r.permission === 'release.approve_{tier}') return `\`release.approve_{tier}\` — ${perTier(APPROVE_PERMISSION)}`;
  return `\`${r.permission}\` — ${roles(r.permission)}`;
}

/** The generated route reference (between the markers). */
export function renderRouteReference(): string {
  // Only the table's shape is read, never a handler, so no live dependencies are needed.
  const routes = routeTable({} as ServerDeps);
  const lines: string[] = [ROUTES_START, ''];
  for (const tag of [...new Set(routes.map((r) => r.tag))]) {
    lines.push(`### ${tag}`, '', '| Method | Path | Who may call | What it does |', '|---|---|---|---|');
    for (const r of routes.filter((x) => x.tag === tag)) {
      const status = r.status && r.status !== 200 ? ` (${r.status})` : '';
      const kind = r.produces === 'sse' ? ' `text/event-stream`.' : r.produces === 'html' ? ' `text/html`.' : '';
      lines.push(`| ${r.method} | \`${r.path}\` | ${who(r)} | ${r.summary.replace(/\|/g, '\\|')}${status}.${kind} |`);
    }
    lines.push('');
  }
  lines.push(ROUTES_END);
  return lines.join('\n');
}

/** `doc` with its generated section replaced by the current rendering. */
export function updateApiDoc(doc: string): string {
  const start = doc.indexOf(ROUTES_START);
  const end = doc.indexOf(ROUTES_END);
  if (start < 0 || end < start) throw new Error('docs/api.md has lost its route reference markers');
  return doc.slice(0, start) + renderRouteReference() + doc.slice(end + ROUTES_END.length);
}
