import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { httpStatus, toErrorResponse } from '../../src/server/errors.js';
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
});
