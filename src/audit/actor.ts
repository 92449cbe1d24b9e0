/**
 * Who a local command acts as, until users and sessions exist for it: `FERRY_ACTOR` when set
 * (service accounts, CI), otherwise the operating-system account, prefixed `os:` so it can
 * never be mistaken for a Ferry user id.
 */
import os from 'node:os';

/** The actor recorded for commands run from this shell. */
export function localActor(env: NodeJS.ProcessEnv): string {
  const explicit = env.FERRY_ACTOR?.trim();
  if (explicit) return explicit;
  let name = env.USER ?? env.USERNAME;
  if (!name) {
    try {
      name = os.userInfo().username;
    } catch {
      name = 'unknown';
    }
  }
  return `os:${name}`;
}
