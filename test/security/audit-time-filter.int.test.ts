/**
 * Attack (adversarial review, issue #14): audit time filters went through `new Date(value)`,
 * which reads almost anything as some date: `from=' OR '1'='1` meant 2001 and quietly widened
 * the result. Only real ISO 8601 timestamps are accepted now, at the HTTP and CLI boundaries
 * alike; anything else is refused with 400 / exit 2 `audit.bad_time`, naming the parameter
 * and the expected form and never echoing the value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { openConfiguredStore } from '../../src/audit/open-store.js';
import { AUDIT_TIME_FORMS, parseAuditTime } from '../../src/audit/time.js';
import { EXIT_CODES, FerryError } from '../../src/errors.js';
import { seedChain } from '../audit/helpers.js';
import { tempDir } from '../helpers/tmp.js';
import { startHarness, type Harness } from '../server/harness.js';

const INJECTION = "' OR '1'='1";
const GARBAGE = [INJECTION, '2001', 'March 1 2025', '2025-02-30', '2025-13-01', '2025-03-01T09:30:00', '1e12', 'now', '2025-03-01 OR 1=1'];

describe('parseAuditTime', () => {
  it.each(GARBAGE)('refuses %j', (v) => {
    let err: unknown;
    try {
      parseAuditTime(v, 'from');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ kind: 'usage', code: 'audit.bad_time', issues: [expect.objectContaining({ path: 'from' })] });
    expect((err as Error).message).toMatch(/^from is not a real ISO 8601 timestamp; use an ISO 8601 date such as 2025-03-01/);
    // The guidance quotes example timestamps; any other value must not come back.
    if (!AUDIT_TIME_FORMS.includes(v)) expect((err as Error).message).not.toContain(v);
  });

  it('accepts dates and zoned date-times, normalised to UTC', () => {
    expect(parseAuditTime('2025-03-01', 'from')).toBe('2025-03-01T00:00:00.000Z');
    expect(parseAuditTime('2024-02-29', 'from')).toBe('2024-02-29T00:00:00.000Z');
    expect(parseAuditTime('2025-03-01T09:30:00Z', 'to')).toBe('2025-03-01T09:30:00.000Z');
    expect(parseAuditTime('2025-03-01T10:30:00.5+01:00', 'to')).toBe('2025-03-01T09:30:00.500Z');
  });
});

describe('audit time filters over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(['from', 'to'])('GET /audit/events refuses a %s that is not ISO 8601 with 400 audit.bad_time', async (name) => {
    const r = await h.client.request('GET', `/audit/events?${name}=${encodeURIComponent(INJECTION)}`, { token: h.a.token.auditor });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('audit.bad_time');
    expect(r.body.error.message).toMatch(new RegExp(`^${name} is not a real ISO 8601 timestamp`));
    expect(r.text).not.toContain("'1'='1");
  });

  it('GET /audit/events still filters by real timestamps', async () => {
    const all = await h.client.request('GET', '/audit/events?from=2000-01-01&to=2100-01-01T00:00:00Z&limit=1000', { token: h.a.token.auditor });
    expect(all.status).toBe(200);
    expect(all.body.length).toBeGreaterThan(0);
    const none = await h.client.request('GET', '/audit/events?to=2001-01-01', { token: h.a.token.auditor });
    expect(none.status).toBe(200);
    expect(none.body).toEqual([]);
  });

  it('the export refuses a garbage time bound in its body', async () => {
    const r = await h.client.request('POST', `/projects/${h.world.a.project.id}/audit/export`, { token: h.a.token.auditor, body: { from: INJECTION, to: '2100-01-01' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'audit.bad_time' });
    expect(r.body.error.message).toMatch(/^from is not/);
  });
});

describe('audit time filters on the command line', () => {
  it.each([
    ['list', '--from'],
    ['list', '--to'],
    ['export', '--from'],
  ])('ferry audit %s refuses %s garbage with exit 2 audit.bad_time', async (command, flag) => {
    const { dir, cleanup } = await tempDir();
    const store = await openConfiguredStore({ env: {}, cwd: dir });
    try {
      await seedChain(store, 3);
      const extra = command === 'export' ? ['--to', '2100-01-01', '--out', 'out'] : [];
      const io = memoryIO({ cwd: dir, env: { FERRY_ACTOR: 'os:test' } });
      const code = await main(['audit', command, flag, INJECTION, ...extra], io);
      expect(code).toBe(EXIT_CODES.usage);
      expect(io.stderr).toMatch(new RegExp(`${flag} is not a real ISO 8601 timestamp`));
      expect(io.stderr).not.toContain("'1'='1");
      expect(io.stdout).toBe('');
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
