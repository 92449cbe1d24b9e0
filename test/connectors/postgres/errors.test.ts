import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { keepFirstError, safePgReason } from '../../../src/connectors/postgres/errors.js';

/** What pg's DatabaseError carries for a server ErrorResponse. */
function serverError(code: string, message: string, where?: string): Error {
  return Object.assign(new Error(message), { severity: 'ERROR', code, ...(where ? { where } : {}) });
}

/** What Node gives for a failed socket write. */
function socketError(code: string, syscall: string): Error {
  return Object.assign(new Error(`${syscall} ${code}`), { errno: -32, code, syscall });
}

describe('safePgReason', () => {
  it('says in words that the server ended the session, with its SQLSTATE', () => {
    const reason = safePgReason(serverError('57P01', 'terminating connection due to administrator command', 'COPY patient, line 1'));
    expect(reason).toMatch(/^the PostgreSQL server terminated the connection \(57P01 admin shutdown/);
  });

  it('labels a socket error as one, never as a SQLSTATE', () => {
    const reason = safePgReason(socketError('EPIPE', 'write'));
    expect(reason).toBe('the connection to the PostgreSQL server broke (socket error EPIPE on write): the server closed it or the network dropped it');
    expect(safePgReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { errno: -111, code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1 (socket error ECONNREFUSED)',
    );
  });

  it('keeps a server error its SQLSTATE and COPY position but drops the quoted value', () => {
    const err = serverError('22P02', 'invalid input syntax for type integer: "9434765919"', 'COPY patient, line 7, column age: "9434765919"');
    expect(safePgReason(err)).toBe('invalid input syntax for type integer (COPY line 7, column age) [SQLSTATE 22P02]');
  });

  it("reports the connection's first error instead of the driver's echo of it", () => {
    const client = new EventEmitter();
    keepFirstError(client);
    client.emit('error', serverError('57P01', 'terminating connection due to administrator command'));
    client.emit('error', socketError('EPIPE', 'write'));
    const echo = new Error('Client has encountered a connection error and is not queryable');
    expect(safePgReason(echo)).toBe('Client has encountered a connection error and is not queryable');
    expect(safePgReason(echo, client)).toMatch(/^the PostgreSQL server terminated the connection \(57P01 admin shutdown/);
    expect(safePgReason(socketError('EPIPE', 'write'), client)).toMatch(/\(57P01 admin shutdown/);
  });

  it("prefers the server's own error over a socket error the connection emitted first", () => {
    const client = new EventEmitter();
    keepFirstError(client);
    client.emit('error', socketError('ECONNRESET', 'read'));
    expect(safePgReason(serverError('23514', 'new row violates check constraint "c"'), client)).toBe('new row violates check constraint "c" [SQLSTATE 23514]');
    expect(safePgReason(new Error('Connection terminated unexpectedly'), client)).toMatch(/socket error ECONNRESET on read/);
  });
});
