/**
 * Webhooks over TLS: the request connects to the address the policy check resolved (the host
 * name resolves nowhere else here), sends the host name for SNI, and verifies the receiver's
 * certificate, so a self-signed one is refused (a failed attempt with a `connect.` code, never
 * a delivery).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vetWebhook } from '../../src/control/webhook-guard.js';
import { postWebhook } from '../../src/notify/webhook.js';
import { tempDir } from '../helpers/tmp.js';

let dir: { dir: string; cleanup: () => Promise<void> };
let server: https.Server;
let port: number;
const seen: { connections: number; servernames: string[]; requests: number } = { connections: 0, servernames: [], requests: 0 };

beforeAll(async () => {
  dir = await tempDir('ferry-tls-');
  const key = path.join(dir.dir, 'key.pem');
  const cert = path.join(dir.dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=hooks.test', '-addext', 'subjectAltName=DNS:hooks.test'], {
    stdio: 'ignore',
  });
  const ctx = { key: await readFile(key), cert: await readFile(cert) };
  server = https.createServer(
    {
      ...ctx,
      SNICallback: (name, cb) => {
        seen.servernames.push(name);
        cb(null, tls.createSecureContext(ctx));
      },
    },
    (_req, res) => {
      seen.requests++;
      res.end('ok');
    },
  );
  server.on('connection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dir.cleanup();
});

describe('webhook over TLS', () => {
  it('connects to the vetted address with SNI and refuses a self-signed certificate', async () => {
    const target = await vetWebhook(`https://hooks.test:${port}/ferry`, { webhookHosts: ['hooks.test'], mailDomains: [], smtp: false }, async () => [{ address: '127.0.0.1', family: 4 }]);
    const r = await postWebhook(target, { body: '{}', secret: 'whsec_test', eventId: 'evt_1', timeoutMs: 5_000 });
    expect(r.ok).toBe(false);
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/^connect\.(depth_zero_self_signed_cert|self_signed_cert_in_chain|unable_to_verify_leaf_signature)$/);
    expect(seen.connections).toBe(1);
    expect(seen.servernames).toEqual(['hooks.test']);
    expect(seen.requests).toBe(0);
  });
});
