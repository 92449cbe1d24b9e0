/**
 * The `/metrics` listener: the address forms `--metrics-listen` takes (a bare port binds
 * loopback), the bearer token (401 without it or with a wrong one, constant-time compare), only
 * `GET /metrics` served, and a token too short to be a secret refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { metricsSettings, metricsToken, parseMetricsListen, serveMetrics, startMetricsListener, type MetricsEndpoint } from '../../src/metrics/endpoint.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { fetchMetrics } from './scrape.js';

const open: MetricsEndpoint[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

describe('--metrics-listen', () => {
  it('takes PORT (loopback), HOST:PORT and [IPv6]:PORT, and refuses anything else', () => {
    expect(parseMetricsListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsListen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseMetricsListen('metrics.internal:0')).toEqual({ host: 'metrics.internal', port: 0 });
    expect(parseMetricsListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    for (const bad of ['', 'host:', ':9464', '70000', 'a b:1', 'http://x:1', '1.2.3.4:9464/metrics']) {
      expect(() => parseMetricsListen(bad), bad).toThrow(expect.objectContaining({ code: 'cli.bad_metrics_listen' }));
    }
  });

  it('reads the token from FERRY_METRICS_TOKEN and refuses a short one', () => {
    expect(metricsToken({})).toBeUndefined();
    expect(metricsToken({ FERRY_METRICS_TOKEN: '' })).toBeUndefined();
    expect(metricsToken({ FERRY_METRICS_TOKEN: 'x'.repeat(16) })).toBe('x'.repeat(16));
    expect(() => metricsToken({ FERRY_METRICS_TOKEN: 'short' })).toThrow(expect.objectContaining({ code: 'metrics.weak_token' }));
  });
});

describe('the metrics listener', () => {
  it('with a token: 401 without it or with a wrong one, 200 and the text format with it', async () => {
    const token = 'a-metrics-token-of-some-length';
    const started = await startMetricsListener(metricsSettings('0', { FERRY_METRICS_TOKEN: token }));
    open.push(started!.endpoint);
    const url = `${started!.endpoint.url}/metrics`;
    expect(started!.endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const none = await fetchMetrics(url);
    expect(none.status).toBe(401);
    expect(none.text).not.toContain('ferry_');
    expect((await fetchMetrics(url, 'a-metrics-token-of-some-lengtX')).status).toBe(401);
    expect((await fetchMetrics(url, token.slice(0, -1))).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Basic ${token}` } });
    expect(res.status).toBe(401);
    const ok = await fetchMetrics(url, token);
    expect(ok.status).toBe(200);
    expect(ok.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toMatch(/^# TYPE ferry_runs_total counter$/m);
  });

  it('without a token serves anyone who reaches the address; only GET /metrics', async () => {
    const endpoint = await serveMetrics(createMetrics(), { host: '127.0.0.1', port: 0 });
    open.push(endpoint);
    expect((await fetchMetrics(`${endpoint.url}/metrics`)).status).toBe(200);
    expect((await fetchMetrics(`${endpoint.url}/metrics?x=1`)).status).toBe(200);
    expect((await fetchMetrics(`${endpoint.url}/`)).status).toBe(404);
    expect((await fetch(`${endpoint.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('is off without the flag, and says which address it could not bind', async () => {
    expect(metricsSettings(undefined, { FERRY_METRICS_TOKEN: 'short' })).toBeUndefined();
    expect(await startMetricsListener(undefined)).toBeUndefined();
    const first = await serveMetrics(createMetrics(), { host: '127.0.0.1', port: 0 });
    open.push(first);
    const port = Number(new URL(first.url).port);
    await expect(serveMetrics(createMetrics(), { host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'metrics.listen_failed', message: expect.stringContaining(`127.0.0.1:${port}`) });
  });

  it('answers 500 without the cause when a collector fails, and reports the cause to the process', async () => {
    const m = createMetrics();
    m.collectors.push(async () => {
      throw new Error('secret detail');
    });
    const seen: unknown[] = [];
    const endpoint = await serveMetrics(m, { host: '127.0.0.1', port: 0 }, { onError: (err) => seen.push(err) });
    open.push(endpoint);
    const r = await fetchMetrics(`${endpoint.url}/metrics`);
    expect(r.status).toBe(500);
    expect(r.text).not.toContain('secret detail');
    expect(seen).toHaveLength(1);
  });
});
