/**
 * Email delivery through the operator's SMTP server only (`ferry serve --smtp-url`): a plain
 * subject and text body with the same facts as the webhook body (ids, digests, counts and
 * codes) and, when the operator set `--public-url`, a link to the project's page.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { FerryError } from '../errors.js';

export interface MailerConfig {
  /** `smtp://…` or `smtps://…`; its password comes from FERRY_SMTP_PASSWORD (src/cli/serve.ts), never shown. */
  smtpUrl: string;
  /** The From address. */
  from: string;
  /** Give up one attempt after this long. */
  timeoutMs?: number;
}

export interface MailResult {
  ok: boolean;
  /** SMTP reply code when there was one. */
  status: number | null;
  error: string | null;
}

export interface Mailer {
  send(to: string, subject: string, text: string): Promise<MailResult>;
  close(): void;
}

/** A mailer over the operator's SMTP server. */
export function createMailer(c: MailerConfig): Mailer {
  let url: URL;
  try {
    url = new URL(c.smtpUrl);
  } catch {
    throw new FerryError('usage', 'notify.bad_smtp_url', '--smtp-url must be smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://…');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new FerryError('usage', 'notify.bad_smtp_url', '--smtp-url must be smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://…');
  const timeout = c.timeoutMs ?? 30_000;
  const transport: Transporter = nodemailer.createTransport({
    url: c.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // nodemailer would otherwise log nothing either; stated so nobody turns it on with credentials in the URL.
    logger: false,
  });
  return {
    async send(to, subject, text) {
      try {
        const info = (await transport.sendMail({ from: c.from, to, subject, text })) as { response?: string };
        const code = Number(/^(\d{3})/.exec(info.response ?? '')?.[1] ?? 250);
        return { ok: true, status: code, error: null };
      } catch (err) {
        const e = err as { responseCode?: number; code?: string };
        return { ok: false, status: typeof e.responseCode === 'number' ? e.responseCode : null, error: e.responseCode ? `smtp.${e.responseCode}` : `smtp.${(e.code ?? 'error').toLowerCase()}` };
      }
    },
    close: () => transport.close(),
  };
}
