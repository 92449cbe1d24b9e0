import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FerryError } from '../../src/errors.js';
import { httpStatus, toErrorResponse, validationError } from '../../src/server/errors.js';
import { translateStoreError } from '../../src/store/sqlite-errors.js';

describe('HTTP answers for errors', () => {
  it('answers a failed control store with 503 and a message that names no file of the operator', () => {
    const sqlite = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const err = translateStoreError(sqlite, '/srv/ferry/secret-place/ferry.db') as FerryError;
    expect(err.code).toBe('store.disk_full');
    const r = toErrorResponse(err, 'req-1');
    expect(r.status).toBe(503);
    expect(r.expected).toBe(false);
    expect(r.body.error.code).toBe('store.disk_full');
    expect(r.body.error.message).not.toContain('secret-place');
    expect(r.body.error.message).toContain('req-1');
  });

  it('keeps the message and status of an ordinary error', () => {
    const err = new FerryError('not_found', 'project.unknown', 'no such project');
    expect(httpStatus(err)).toBe(404);
    expect(toErrorResponse(err, 'r').body.error.message).toBe('no such project');
  });

  it('never echoes an unknown key or record key that is not an identifier (it may be a pasted patient value)', () => {
    const schema = z.strictObject({ names: z.record(z.string(), z.number()) });
    const pasted = '9990001234 SMITH, Jane';
    const unknown = schema.safeParse({ [pasted]: 1, note: 2, names: {} });
    const wrongType = schema.safeParse({ names: { [pasted]: 'x', ok_name: 'y' } });
    const text = JSON.stringify([validationError('body', unknown.error!), validationError('body', wrongType.error!)].map((e) => ({ m: e.message, i: e.issues })));
    expect(text).not.toContain('SMITH');
    expect(text).not.toContain('9990001234');
    expect(text).toContain('unknown field(s): (a name that is not an identifier), note');
    expect(text).toContain('body.names.ok_name');
  });
});
