/**
 * Webhook delivery: a signed JSON POST to the address the policy check just resolved (the
 * request's own DNS lookup is replaced by it, so a changed DNS answer cannot redirect the
 * request to an internal address), with a timeout, no redirects followed and a 2xx as the only
 * success. The signature is Stripe-style: `Ferry-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, t + "." + body)>`, so a receiver can check both origin and freshness.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { VettedWebhook } from '../control/webhook-guard.js';

/** The `Ferry-Signature` header value for `body` sent at unix time `t`. */
export function signatureHeader(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex')}`;
}

export interface WebhookResult {
  ok: boolean;
  status: number | null;
  /** Stable code when not ok: `http.<status>`, `timeout`, `connect.<errno code>`. */
  error: string | null;
}

/** POSTs `body` to the vetted target; never throws (network failures are results). */
export function postWebhook(target: VettedWebhook, o: { body: string; secret: string; eventId: string; timeoutMs: number; now?: () => Date }): Promise<WebhookResult> {
  const t = Math.floor((o.now ?? (() => new Date()))().getTime() / 1000);
  const pinned: LookupFunction = (_host, options, callback) => {
    // Node asks for every address when autoSelectFamily is on; answer with the checked one only.
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const lib = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: WebhookResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const req = lib.request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        timeout: o.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(o.body),
          'user-agent': 'Ferry-Notify/1',
          'ferry-event-id': o.eventId,
          'ferry-signature': signatureHeader(o.secret, t, o.body),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // The response body is not read beyond draining it: receivers' replies are not logged.
        res.resume();
        res.on('end', () => done(status >= 200 && status < 300 ? { ok: true, status, error: null } : { ok: false, status, error: `http.${status}` }));
        res.on('error', () => done({ ok: false, status, error: 'connect.response' }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, status: null, error: 'timeout' });
    }, o.timeoutMs);
    req.on('timeout', () => {
      req.destroy();
      done({ ok: false, status: null, error: 'timeout' });
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, status: null, error: `connect.${(err.code ?? 'error').toLowerCase()}` }));
    req.on('close', () => clearTimeout(timer));
    req.end(o.body);
  });
}
