/**
 * `ferry admin connection add|list|remove`: the operator registers the named connections tenants
 * may use (sources with `connection:NAME`, tier targets by name). Needs direct store access,
 * like `admin init`; the HTTP API can only list names. The URL, or the `env:NAME` / `file:PATH`
 * reference holding it, is resolved here and again by the server each time it is opened, and
 * refused when it reaches the control store, the server's data directory, a path outside
 * FERRY_CONNECTION_ROOTS or another org's connection.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { localActor } from '../audit/actor.js';
import { CONNECTION_ROOTS_ENV } from '../control/connection-guard.js';
import { absoluteRef } from '../control/connections.js';
import type { OperatorConnection } from '../control/plane.js';
import { FerryError } from '../errors.js';
import { TIERS, type Tier } from '../contract/model.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';
import { openPlane } from './control-session.js';

interface AddFlags {
  org: string;
  url: string;
  direction: 'source' | 'target' | 'both';
  project?: string[];
  tier?: string[];
  dataDir?: string;
  store?: string;
  json?: boolean;
}

function tiers(values: string[] | undefined): Tier[] | null {
  if (!values || values.length === 0) return null;
  for (const v of values) if (!(TIERS as readonly string[]).includes(v)) throw new FerryError('usage', 'cli.bad_tier', `"${v}" is not a tier; use ${TIERS.join(', ')}`);
  return values as Tier[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const line = (c: OperatorConnection) => `${c.org}  ${c.name}  ${c.direction}  ${c.kind}  ${c.ref}  projects: ${c.projects?.join(',') ?? 'all'}  tiers: ${c.tiers?.join(',') ?? 'all'}`;

export const register: Register = (program: Command, io: CliIO, setExit) => {
  const admin = program.commands.find((c) => c.name() === 'admin') ?? program.command('admin');
  const connection = admin.command('connection').description('named connections tenants may use (operator only: needs direct store access)');
  const storeOption = '--store <url>';
  const storeHelp = 'control store: sqlite:FILE or postgres://… (default $FERRY_DATABASE_URL, else sqlite:.ferry/ferry.db)';

  connection
    .command('add')
    .description(`register a connection for an org; file connections must lie under $${CONNECTION_ROOTS_ENV}`)
    .argument('<name>', 'the name tenants pick it by (lowercase letters, digits, . _ -)')
    .requiredOption('--org <slug>', 'the org allowed to use it')
    .requiredOption('--url <ref>', 'a connector URL without a password (csv:DIR, sqlite:FILE, postgres://USER@HOST/DB?password_env=VAR …), or env:NAME / file:/ABS/PATH holding one')
    .option('--direction <d>', 'source, target or both', 'target')
    .option('--project <id>', 'allow only this project (repeatable; default every project of the org)', collect)
    .option('--tier <tier>', `allow only this tier as a target (repeatable: ${TIERS.join(', ')}; default every tier)`, collect)
    .option('--data-dir <dir>', "the server's data directory, which no connection may reach (as given to ferry serve)", '.ferry/server')
    .option(storeOption, storeHelp)
    .option('--json', 'print JSON')
    .action(async (name: string, flags: AddFlags) => {
      if (!['source', 'target', 'both'].includes(flags.direction)) throw new FerryError('usage', 'cli.bad_direction', `--direction must be source, target or both, not "${flags.direction}"`);
      const s = await openPlane(io, flags.store);
      try {
        const c = await s.plane.registerConnection(
          { org: flags.org, name, ref: absoluteRef(flags.url, io.cwd), direction: flags.direction, projects: flags.project ?? null, tiers: tiers(flags.tier), operator: localActor(io.env) },
          { env: io.env, dataDir: flags.dataDir ? path.resolve(io.cwd, flags.dataDir) : undefined },
        );
        if (flags.json) printJson(io, c);
        else io.out(`registered ${c.direction} connection ${c.name} (${c.kind}) for ${c.org}`);
        setExit(0);
      } finally {
        await s.close();
      }
    });

  connection
    .command('list')
    .description('list registered connections with their references (operator only)')
    .option('--org <slug>', 'only this org')
    .option(storeOption, storeHelp)
    .option('--json', 'print JSON')
    .action(async (flags: { org?: string; store?: string; json?: boolean }) => {
      const s = await openPlane(io, flags.store);
      try {
        const list = await s.plane.listOperatorConnections(flags.org);
        if (flags.json) printJson(io, list);
        else io.out(list.length === 0 ? 'no connections registered' : list.map(line).join('\n'));
        setExit(0);
      } finally {
        await s.close();
      }
    });

  connection
    .command('remove')
    .description('remove a connection; tiers that named it are left without a target')
    .argument('<name>')
    .requiredOption('--org <slug>', 'the org it belongs to')
    .option(storeOption, storeHelp)
    .action(async (name: string, flags: { org: string; store?: string }) => {
      const s = await openPlane(io, flags.store);
      try {
        await s.plane.removeConnection(flags.org, name, localActor(io.env));
        io.out(`removed connection ${name} of ${flags.org}`);
        setExit(0);
      } finally {
        await s.close();
      }
    });
};
