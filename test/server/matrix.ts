/** What the role matrix expects of a route: the concrete permission a call needs. */
import type { Permission } from '../../src/control/roles.js';
import { APPROVE_PERMISSION, RUN_PERMISSION } from '../../src/control/release-policy.js';
import type { AnyRoute } from '../../src/server/router.js';
import type { Call } from './fixtures.js';

/** The concrete permission a route needs for `call`, or null when any signed-in user may call it. */
export function requiredPermission<A>(route: AnyRoute<A>, call: Call): Permission | null {
  if (!route.permission) return null;
  if (route.permission === 'run.{tier}') return RUN_PERMISSION[call.tier!];
  if (route.permission === 'release.approve_{tier}') return APPROVE_PERMISSION[call.tier!]!;
  return route.permission as Permission;
}
