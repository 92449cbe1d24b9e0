/**
 * Where notifications may go. A webhook URL and an email address are tenant input that reach
 * the network, so the operator decides: webhook hosts must match the operator's allowlist
 * (`ferry serve --notify-webhook-host`), use https unless the entry itself says `http://`,
 * and resolve only to public addresses unless the host is listed exactly (a wildcard entry
 * never admits loopback, private, link-local or metadata addresses). The check runs when a
 * subscription is created and again before every delivery, and the delivery connects to the
 * very address checked, so a DNS answer changed in between cannot redirect it. Email goes only
 * through the operator's SMTP server, to the domains the operator allows.
 *
 * Refusals name the rule, never the resolved address.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { FerryError } from '../errors.js';

/** The operator's notification policy. */
export interface NotifyPolicy {
  /** Allowlist entries: `HOST`, `http://HOST` (plain http allowed) or `*.DOMAIN` (public addresses only). */
  webhookHosts: readonly string[];
  /** Recipient domains email may go to; empty allows any domain. */
  mailDomains: readonly string[];
  /** True when the operator configured SMTP (email subscriptions are refused otherwise). */
  smtp: boolean;
}

export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver: every address of `host`. */
export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

interface AllowEntry {
  host: string;
  wildcard: boolean;
  http: boolean;
}

const HOST = /^(?:\*\.)?[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/;

/** Parses an allowlist entry; a bad entry is the operator's usage error. */
export function parseAllowEntry(entry: string): AllowEntry {
  const trimmed = entry.trim().toLowerCase();
  const http = trimmed.startsWith('http://');
  const host = http ? trimmed.slice('http://'.length) : trimmed;
  if (!HOST.test(host) || (http && host.startsWith('*.'))) {
    throw new FerryError('usage', 'notify.bad_allow_entry', `the webhook host allowlist entry "${entry}" is not HOST, http://HOST or *.DOMAIN (no port, path or wildcard with http)`);
  }
  return host.startsWith('*.') ? { host: host.slice(2), wildcard: true, http: false } : { host: host.replace(/^\[|\]$/g, ''), wildcard: false, http };
}

// Addresses a tenant's webhook must not reach unless the operator named the host exactly.
const internal = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  internal.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  // The unspecified and loopback addresses and the deprecated IPv4-compatible ones (::a.b.c.d).
  ['::', 96],
  ['::ffff:0:0:0', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fec0::', 10],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  internal.addSubnet(net, bits, 'ipv6');

/** True for loopback, private, link-local (cloud metadata), CGNAT, multicast and reserved addresses. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return internal.check(mapped[1], 'ipv4');
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function refusal(code: string, why: string): FerryError {
  return new FerryError('usage', `notify.${code}`, `the webhook URL cannot be used: ${why}`);
}

/** A webhook target checked now: the URL and the address to connect to. */
export interface VettedWebhook {
  url: URL;
  address: string;
  family: number;
}

/** The URL of a webhook, parsed and shape-checked (scheme, no credentials); no network. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refusal('bad_url', 'it is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refusal('bad_scheme', 'only https (or http for hosts the operator allows it for) is delivered to');
  if (url.username || url.password) throw refusal('credentials', 'it must not carry a user name or password; requests are authenticated by their signature');
  if (url.hash) throw refusal('fragment', 'it must not carry a #fragment');
  return url;
}

/**
 * Checks a webhook URL against the operator's policy and resolves its host: the address it
 * returns is the one to connect to. Throws a usage error naming the rule otherwise.
 */
export async function vetWebhook(text: string, policy: NotifyPolicy, resolve: Resolver = systemResolver): Promise<VettedWebhook> {
  const url = parseWebhookUrl(text);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const entries = policy.webhookHosts.map(parseAllowEntry);
  const exact = entries.find((e) => !e.wildcard && e.host === host);
  const wild = entries.find((e) => e.wildcard && host.endsWith(`.${e.host}`));
  if (!exact && !wild) throw refusal('host_not_allowed', "its host is not in the operator's webhook allowlist (ferry serve --notify-webhook-host)");
  if (url.protocol === 'http:' && !exact?.http) throw refusal('http_not_allowed', 'it must use https; the operator allows plain http only for hosts listed as http://HOST');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  } catch {
    throw refusal('unresolved', 'its host does not resolve');
  }
  if (addresses.length === 0) throw refusal('unresolved', 'its host does not resolve');
  // Every address must pass: a resolver may rotate through them.
  if (!exact && addresses.some((a) => isInternalAddress(a.address))) {
    throw refusal('internal_address', 'its host resolves to a loopback, private, link-local or reserved address, which only a host the operator lists exactly may do');
  }
  return { url, address: addresses[0].address, family: addresses[0].family };
}

export const emailSchema = z.email().max(254);

/** Checks an email recipient against the operator's policy. */
export function vetEmail(address: string, policy: NotifyPolicy): string {
  const parsed = emailSchema.safeParse(address);
  if (!parsed.success) throw new FerryError('usage', 'notify.bad_email', 'the email address is not a valid address');
  if (!policy.smtp) throw new FerryError('usage', 'notify.no_smtp', 'this server sends no email: the operator has not configured SMTP (ferry serve --smtp-url)');
  const domain = parsed.data.slice(parsed.data.lastIndexOf('@') + 1).toLowerCase();
  if (policy.mailDomains.length > 0 && !policy.mailDomains.some((d) => d.toLowerCase() === domain)) {
    throw new FerryError('usage', 'notify.mail_domain_not_allowed', `email may go only to the domains the operator allows: ${policy.mailDomains.join(', ')}`);
  }
  return parsed.data;
}
