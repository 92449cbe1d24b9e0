/**
 * How CLI commands act in the control plane: open the store, then authenticate from the
 * environment — `FERRY_TOKEN` (a personal API token), or a user name (`--user` or `FERRY_USER`)
 * in an org (`--org` or `FERRY_ORG`, the org's slug) with `FERRY_PASSWORD`. Secrets come only from the environment, never from flags, so they stay
 * out of shell history and process listings.
 */
import { openConfiguredStore } from '../audit/open-store.js';
import type { Command } from 'commander';
import { createControlPlane } from '../control/service.js';
import type { Actor, ControlPlane } from '../control/plane.js';
import { FerryError } from '../errors.js';
import type { CliIO } from './io.js';

export interface PlaneSession {
  plane: ControlPlane;
  /** Ends the CLI's session (if it logged in) and closes the store. */
  close(): Promise<void>;
}

/** Opens the control plane over `--store` / FERRY_DATABASE_URL / .ferry/ferry.db. */
export async function openPlane(io: CliIO, storeFlag: string | undefined): Promise<PlaneSession> {
  const store = await openConfiguredStore({ flag: storeFlag, env: io.env, cwd: io.cwd });
  return { plane: createControlPlane({ store }), close: () => store.close() };
}

/** Authenticates the CLI user; returns the actor and a logout function. */
export async function cliActor(plane: ControlPlane, io: CliIO, userFlag: string | undefined, orgFlag?: string): Promise<{ actor: Actor; logout: () => Promise<void> }> {
  const token = io.env.FERRY_TOKEN;
  if (token && !userFlag) return { actor: await plane.authenticate(token), logout: async () => {} };
  const user = userFlag ?? io.env.FERRY_USER;
  const org = orgFlag ?? io.env.FERRY_ORG;
  const password = io.env.FERRY_PASSWORD;
  if (!user || !password || !org) {
    throw new FerryError(
      'forbidden',
      'auth.no_credentials',
      'this command acts as a Ferry user: set FERRY_TOKEN to a personal API token, or give --user NAME (or FERRY_USER) and --org SLUG (or FERRY_ORG) with FERRY_PASSWORD in the environment',
    );
  }
  const session = await plane.login(org, user, password);
  return { actor: session.actor, logout: () => plane.logout(session.token) };
}

/** Runs `fn` as the authenticated CLI user, then logs out and closes the store. */
export async function asCliUser<T>(io: CliIO, flags: { store?: string; user?: string; org?: string }, fn: (plane: ControlPlane, actor: Actor) => Promise<T>): Promise<T> {
  const s = await openPlane(io, flags.store);
  try {
    const { actor, logout } = await cliActor(s.plane, io, flags.user, flags.org);
    try {
      return await fn(s.plane, actor);
    } finally {
      await logout();
    }
  } finally {
    await s.close();
  }
}

/**
 * The options of a command that acts as a Ferry user: `--store`, `--user`, `--org` and `--json`,
 * led by `--project` when the command works in one (required, or optional where subcommands
 * share the parent's options and check it themselves).
 */
export function withUserOptions(cmd: Command, project: 'required' | 'optional' | 'none' = 'none'): Command {
  if (project === 'required') cmd.requiredOption('--project <id>', 'the project');
  if (project === 'optional') cmd.option('--project <id>', 'the project');
  return cmd
    .option('--store <url>', 'control store: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)')
    .option('--user <name>', 'act as this user, password from $FERRY_PASSWORD (default $FERRY_USER; or set $FERRY_TOKEN)')
    .option('--org <slug>', "the user's org (default $FERRY_ORG)")
    .option('--json', 'print JSON');
}
