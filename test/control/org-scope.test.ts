/**
 * Guards the one place tenant scoping lives (src/control/org-scope.ts): no code outside it
 * builds a query on a tenant table itself, no control code filters by org_id by
 * hand, the cross-org exceptions are exactly the reviewed ones, and the list of tenant tables
 * matches the tables that carry an org_id in a freshly migrated store.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TENANT_TABLES } from '../../src/control/org-scope.js';
import { openStore } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';
import { tempDir } from '../helpers/tmp.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const SCOPE_FILE = 'control/org-scope.ts';

/** kysely calls that name the table they read or write as their first argument. */
const BUILDER = /\.(selectFrom|updateTable|deleteFrom|insertInto|replaceInto|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin|crossJoin)\(\s*(['"`])?(\w*)/g;

interface Finding {
  file: string;
  line: number;
  text: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/**
 * Builder calls in `text` that reach a table in `guarded` directly, or whose table is not a
 * string literal (and so could be one).
 */
function directTenantQueries(file: string, text: string, guarded: ReadonlySet<string>): Finding[] {
  const found: Finding[] = [];
  for (const m of text.matchAll(BUILDER)) {
    const [call, , quote, table] = m;
    if (!quote || guarded.has(table)) found.push({ file, line: lineOf(text, m.index), text: call });
  }
  return found;
}

/** `where('org_id', …)` or `where('<table>.org_id', …)`: a hand-written tenant filter. */
function handOrgFilters(file: string, text: string): Finding[] {
  return [...text.matchAll(/\.where\(\s*['"`](?:\w+\.)?org_id['"`]/g)].map((m) => ({ file, line: lineOf(text, m.index), text: m[0] }));
}

const files = sourceFiles(SRC).map((p) => ({ rel: path.relative(SRC, p).split(path.sep).join('/'), text: readFileSync(p, 'utf8') }));
const TENANT = new Set<string>(TENANT_TABLES);
// control/ may read the audit chain only through the scope too (its own org's events).
const CONTROL_GUARDED = new Set<string>([...TENANT_TABLES, 'audit_event']);

describe('tenant scoping lives in one place', () => {
  it('the scanners catch what they look for', () => {
    const sample = [
      "db.selectFrom('project').selectAll()",
      "trx.updateTable('app_user as u')",
      'db.deleteFrom(table)',
      "q.innerJoin('role_grant', 'a', 'b')",
      "db.selectFrom('org')",
      ".where('org_id', '=', x)",
      ".where('connection.org_id', '<>', x)",
    ].join('\n');
    expect(directTenantQueries('sample.ts', sample, TENANT).map((f) => f.line)).toEqual([1, 2, 3, 4]);
    expect(handOrgFilters('sample.ts', sample).map((f) => f.line)).toEqual([6, 7]);
  });

  it('no code outside org-scope.ts builds a query on a tenant table', () => {
    const found = files.filter((f) => f.rel !== SCOPE_FILE).flatMap((f) => directTenantQueries(f.rel, f.text, f.rel.startsWith('control/') ? CONTROL_GUARDED : TENANT));
    expect(found).toEqual([]);
  });

  it('control code filters by org_id by hand only in the reviewed cross-org query', () => {
    const found = files.filter((f) => f.rel.startsWith('control/') && f.rel !== SCOPE_FILE).flatMap((f) => handOrgFilters(f.rel, f.text));
    // otherTenants: a new connection must reach no data another org's connections reach.
    expect(found.map((f) => `${f.file}: ${f.text}`)).toEqual(["control/connections.ts: .where('org_id'"]);
  });

  it('the cross-org exceptions are exactly the reviewed ones', () => {
    const calls = files.filter((f) => f.rel !== SCOPE_FILE).flatMap((f) => [...f.text.matchAll(/acrossOrgs\(/g)].map(() => f.rel));
    const counts = Object.fromEntries([...new Set(calls)].map((f) => [f, calls.filter((c) => c === f).length]));
    // auth.ts: a session and an API token found by their hash, logout by hash, actorFor by user id (trusted tooling).
    // connections.ts: otherTenants (confinement) and the operator's list of every org's connections.
    // notify-outbox.ts: the notifier's deliveries due in any org (each is then handled in its own org's scope).
    expect(counts).toEqual({ 'control/auth.ts': 4, 'control/connections.ts': 2, 'control/notify-outbox.ts': 1 });
  });
});

describe('TENANT_TABLES', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('lists every table with an org_id column but the audit chain', async () => {
    const { dir, cleanup } = await tempDir('ferry-scope-');
    cleanups.push(cleanup);
    const store = await openStore(parseStoreUrl(`sqlite:${path.join(dir, 'ferry.db')}`, dir));
    try {
      const tables = await store.db.introspection.getTables();
      const withOrg = tables.filter((t) => t.columns.some((c) => c.name === 'org_id')).map((t) => t.name);
      expect(withOrg.sort()).toEqual([...TENANT_TABLES, 'audit_event'].sort());
    } finally {
      await store.close();
    }
  });
});
