/**
 * The operator's webhook policy: hosts outside the allowlist, plain http, credentials in the
 * URL, internal addresses reached through a wildcard entry (a DNS answer pointing at loopback,
 * a private network or the cloud metadata address) are all refused, by rule and without the
 * address; exactly listed hosts may be internal; email recipients obey the domain list.
 */
import { describe, expect, it } from 'vitest';
import { isInternalAddress, parseAllowEntry, vetEmail, vetWebhook, type NotifyPolicy, type Resolver } from '../../src/control/webhook-guard.js';
import { FerryError } from '../../src/errors.js';

const policy = (webhookHosts: string[], o: Partial<NotifyPolicy> = {}): NotifyPolicy => ({ webhookHosts, mailDomains: [], smtp: true, ...o });

/** A resolver with fixed answers, standing in for DNS (which a hostile tenant may control). */
const dns =
  (answers: Record<string, string[]>): Resolver =>
  async (host) => {
    const a = answers[host];
    if (!a) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FerryError);
    expect((err as Error).message).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    return (err as FerryError).code;
  }
  throw new Error('expected a refusal');
}

describe('webhook policy', () => {
  const resolve = dns({
    'hooks.example.org': ['93.184.216.34'],
    'evil.example.org': ['127.0.0.1'],
    'meta.example.org': ['169.254.169.254'],
    'lan.example.org': ['10.1.2.3', '93.184.216.34'],
    'intranet.trust.nhs.uk': ['10.20.30.40'],
  });

  it('accepts an allowlisted https host that resolves to a public address, and connects to that address', async () => {
    const v = await vetWebhook('https://hooks.example.org/ferry?x=1', policy(['*.example.org']), resolve);
    expect(v.address).toBe('93.184.216.34');
    expect(v.url.hostname).toBe('hooks.example.org');
  });

  it('refuses hosts outside the allowlist, loopback and metadata addresses among them', async () => {
    expect(await refusal(vetWebhook('https://other.example.com/x', policy(['*.example.org']), resolve))).toBe('notify.host_not_allowed');
    expect(await refusal(vetWebhook('https://127.0.0.1/x', policy(['*.example.org']), resolve))).toBe('notify.host_not_allowed');
    expect(await refusal(vetWebhook('https://169.254.169.254/latest/meta-data', policy(['hooks.example.org']), resolve))).toBe('notify.host_not_allowed');
    expect(await refusal(vetWebhook('https://[::1]/x', policy(['*.example.org']), resolve))).toBe('notify.host_not_allowed');
    // A suffix is not a subdomain.
    expect(await refusal(vetWebhook('https://badexample.org/x', policy(['*.example.org']), resolve))).toBe('notify.host_not_allowed');
  });

  it('refuses a wildcard-allowed host whose DNS answer is internal (any of its addresses)', async () => {
    expect(await refusal(vetWebhook('https://evil.example.org/x', policy(['*.example.org']), resolve))).toBe('notify.internal_address');
    expect(await refusal(vetWebhook('https://meta.example.org/x', policy(['*.example.org']), resolve))).toBe('notify.internal_address');
    expect(await refusal(vetWebhook('https://lan.example.org/x', policy(['*.example.org']), resolve))).toBe('notify.internal_address');
  });

  it('lets a host the operator lists exactly resolve to an internal address', async () => {
    expect((await vetWebhook('https://intranet.trust.nhs.uk/hook', policy(['intranet.trust.nhs.uk']), resolve)).address).toBe('10.20.30.40');
  });

  it('needs https unless the entry says http://, and refuses credentials and unresolvable hosts', async () => {
    expect(await refusal(vetWebhook('http://hooks.example.org/x', policy(['*.example.org', 'hooks.example.org']), resolve))).toBe('notify.http_not_allowed');
    expect((await vetWebhook('http://127.0.0.1:8080/x', policy(['http://127.0.0.1']), resolve)).address).toBe('127.0.0.1');
    expect(await refusal(vetWebhook('https://user:pw@hooks.example.org/x', policy(['*.example.org']), resolve))).toBe('notify.credentials');
    expect(await refusal(vetWebhook('ftp://hooks.example.org/x', policy(['*.example.org']), resolve))).toBe('notify.bad_scheme');
    expect(await refusal(vetWebhook('not a url', policy(['*.example.org']), resolve))).toBe('notify.bad_url');
    expect(await refusal(vetWebhook('https://gone.example.org/x', policy(['*.example.org']), resolve))).toBe('notify.unresolved');
  });

  it('parses allowlist entries and refuses malformed ones', () => {
    expect(parseAllowEntry('*.Example.org')).toEqual({ host: 'example.org', wildcard: true, http: false });
    expect(parseAllowEntry('http://127.0.0.1')).toEqual({ host: '127.0.0.1', wildcard: false, http: true });
    expect(parseAllowEntry('[::1]')).toEqual({ host: '::1', wildcard: false, http: false });
    for (const bad of ['hooks.example.org/path', 'hooks.example.org:443', 'http://*.example.org', 'https://x.org', '']) expect(() => parseAllowEntry(bad), bad).toThrow(FerryError);
  });

  it('classifies internal addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      'not-an-ip',
    ])
      expect(isInternalAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946']) expect(isInternalAddress(a), a).toBe(false);
  });
});

describe('email policy', () => {
  it('accepts allowed domains only, and only when SMTP is configured', () => {
    expect(vetEmail('lead@trust.nhs.uk', policy([], { mailDomains: ['trust.nhs.uk'] }))).toBe('lead@trust.nhs.uk');
    expect(() => vetEmail('x@gmail.com', policy([], { mailDomains: ['trust.nhs.uk'] }))).toThrow(expect.objectContaining({ code: 'notify.mail_domain_not_allowed' }));
    expect(() => vetEmail('lead@trust.nhs.uk', policy([], { smtp: false }))).toThrow(expect.objectContaining({ code: 'notify.no_smtp' }));
    expect(() => vetEmail('not an address', policy([]))).toThrow(expect.objectContaining({ code: 'notify.bad_email' }));
  });
});
