/**
 * `ferry serve`'s notification settings: flags win over the environment, lists come
 * comma-separated from the environment, a malformed allowlist entry or public URL is refused
 * before anything starts.
 */
import { describe, expect, it } from 'vitest';
import { notifyConfig } from '../../src/cli/serve.js';
import { FerryError } from '../../src/errors.js';

describe('notifyConfig', () => {
  const env = {
    FERRY_NOTIFY_WEBHOOK_HOSTS: ' hooks.trust.nhs.uk, *.slack.example ',
    FERRY_SMTP_URL: 'smtp://mail.trust.nhs.uk:25',
    FERRY_MAIL_FROM: 'ferry@trust.nhs.uk',
    FERRY_NOTIFY_MAIL_DOMAINS: 'trust.nhs.uk,nhs.net',
    FERRY_PUBLIC_URL: 'https://ferry.trust.nhs.uk',
  };

  it('reads the environment when no flag is given', () => {
    expect(notifyConfig({}, env)).toEqual({
      webhookHosts: ['hooks.trust.nhs.uk', '*.slack.example'],
      smtpUrl: 'smtp://mail.trust.nhs.uk:25',
      mailFrom: 'ferry@trust.nhs.uk',
      mailDomains: ['trust.nhs.uk', 'nhs.net'],
      publicUrl: 'https://ferry.trust.nhs.uk',
    });
  });

  it('lets flags win', () => {
    const c = notifyConfig({ notifyWebhookHost: ['http://127.0.0.1'], notifyMailDomain: ['nhs.net'], smtpUrl: 'smtps://relay:465', mailFrom: 'ops@nhs.net', publicUrl: 'http://localhost:4600' }, env);
    expect(c).toEqual({ webhookHosts: ['http://127.0.0.1'], smtpUrl: 'smtps://relay:465', mailFrom: 'ops@nhs.net', mailDomains: ['nhs.net'], publicUrl: 'http://localhost:4600' });
  });

  it('configures nothing by default', () => {
    expect(notifyConfig({}, {})).toEqual({ webhookHosts: [], smtpUrl: undefined, mailFrom: undefined, mailDomains: [], publicUrl: undefined });
  });

  it('refuses a malformed allowlist entry or public URL', () => {
    expect(() => notifyConfig({ notifyWebhookHost: ['hooks.example.org/path'] }, {})).toThrow(expect.objectContaining({ code: 'notify.bad_allow_entry' }));
    expect(() => notifyConfig({}, { FERRY_NOTIFY_WEBHOOK_HOSTS: 'http://*.example.org' })).toThrow(FerryError);
    expect(() => notifyConfig({ publicUrl: 'javascript:alert(1)' }, {})).toThrow(expect.objectContaining({ code: 'cli.bad_public_url' }));
  });

  it('takes the SMTP password from FERRY_SMTP_PASSWORD and refuses one written into the URL', () => {
    expect(notifyConfig({ smtpUrl: 'smtps://ferry@relay.trust.nhs.uk:465' }, { FERRY_SMTP_PASSWORD: 's3cret/pw' }).smtpUrl).toBe('smtps://ferry:s3cret%2Fpw@relay.trust.nhs.uk:465');
    expect(() => notifyConfig({ smtpUrl: 'smtp://ferry:hunter2@relay.trust.nhs.uk' }, {})).toThrow(expect.objectContaining({ code: 'notify.smtp_password_in_url' }));
    expect(() => notifyConfig({ smtpUrl: 'smtp://relay.trust.nhs.uk' }, { FERRY_SMTP_PASSWORD: 'x' })).toThrow(expect.objectContaining({ code: 'notify.smtp_password_without_user' }));
    try {
      notifyConfig({ smtpUrl: 'smtp://ferry:hunter2@relay.trust.nhs.uk' }, {});
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});
