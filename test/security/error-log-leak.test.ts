/**
 * Attack: make the server fail on a resolved secret (a target whose connector error quotes the
 * host, user and database) so the failure, logged for the operator, copies it into the log. The
 * log keeps a FerryError's kind, code and stack frames, never its message or its fields.
 */
import { describe, expect, it } from 'vitest';
import { errorSummary } from '../../src/server/app.js';
import { FerryError } from '../../src/errors.js';

describe('errors in the server log', () => {
  it("keep a FerryError's code and frames, not the message that may quote a resolved URL", () => {
    const err = new FerryError('connection', 'connector.connect_failed', 'could not connect to PostgreSQL at db.trust.nhs.uk:5432/pas as reader: refused');
    const summary = errorSummary(err);
    expect(summary).toMatchObject({ message: 'FerryError connection connector.connect_failed', code: 'connector.connect_failed' });
    expect(summary.stack).toMatch(/^\s+at /);
    expect(JSON.stringify(summary)).not.toMatch(/db\.trust|reader|5432/);
  });

  it("keep an unexpected error's message and stack (a bug to debug), and nothing of its fields", () => {
    const err = Object.assign(new TypeError('cannot read properties of undefined'), { connectionString: 'postgres://u:p@h/db' });
    const summary = errorSummary(err);
    expect(summary.message).toBe('cannot read properties of undefined');
    expect(JSON.stringify(summary)).not.toContain('postgres://');
  });
});
