/**
 * Real receivers for notification tests: an HTTP server on 127.0.0.1 that records every
 * request (headers and raw body) and answers with the statuses it is told, in order; and an
 * SMTP server (the `smtp-server` package) that records every message it accepts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  requests: Received[];
  /** Statuses to answer with, in order; the last one repeats. */
  statuses: number[];
  /** Resolves once `n` requests have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts an HTTP receiver on an ephemeral loopback port. */
export async function webhookReceiver(statuses: number[] = [200], headers: Record<string, string> = {}): Promise<WebhookReceiver> {
  const requests: Received[] = [];
  const r: Partial<WebhookReceiver> = { requests, statuses };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const list = r.statuses!;
      const status = list[Math.min(requests.length - 1, list.length - 1)];
      res.writeHead(status, headers);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hooks/ferry`,
    port,
    async waitFor(n: number, ms = 15_000) {
      const until = Date.now() + ms;
      while (requests.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} webhook requests, got ${requests.length}`);
        await new Promise((res) => setTimeout(res, 25));
      }
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as WebhookReceiver;
}

/** True when `header` is a valid Ferry-Signature of `body` under `secret` (as a receiver checks it). */
export function verifySignature(secret: string, header: string, body: string): { ok: boolean; t: number } {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return { ok: false, t: 0 };
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  const given = Buffer.from(m[2], 'hex');
  return { ok: given.length === expected.length && timingSafeEqual(given, expected), t: Number(m[1]) };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** The text body, quoted-printable decoded. */
  text: string;
}

export interface SmtpReceiver {
  url: string;
  mails: Mail[];
  waitFor(n: number, ms?: number): Promise<Mail[]>;
  close(): Promise<void>;
}

function decodeQuotedPrintable(s: string): string {
  return Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

/** Parses the few parts of a message the tests read. */
function parseMail(raw: string, from: string, to: string[]): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
  const qp = /^Content-Transfer-Encoding: quoted-printable$/im.test(head);
  return { from, to, raw, subject, text: (qp ? decodeQuotedPrintable(body) : body).replace(/\r\n/g, '\n') };
}

/** Starts an SMTP server on an ephemeral loopback port (no TLS, no authentication). */
export async function smtpReceiver(): Promise<SmtpReceiver> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push(
          parseMail(
            Buffer.concat(chunks).toString('utf8'),
            from,
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(n, ms = 15_000) {
      const until = Date.now() + ms;
      while (mails.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} mails, got ${mails.length}`);
        await new Promise((res) => setTimeout(res, 25));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
