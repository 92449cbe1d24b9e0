/**
 * The metrics documentation and the example alert rules stay true to the code: the table in
 * docs/operations.md names every metric Ferry registers (and nothing else), with its type and
 * labels; examples/alerts/ferry-alerts.yml parses as Prometheus rule groups, covers the alerts
 * the operators asked for, and names only metrics that exist.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/registry.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function registered(): Promise<Map<string, { type: string; labels: string[] }>> {
  const m = createMetrics();
  const out = new Map<string, { type: string; labels: string[] }>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    const labels = new Set<string>();
    for (const v of metric.values) for (const k of Object.keys(v.labels)) if (k !== 'le') labels.add(k);
    // Labelled metrics with no series yet show no labels in the JSON: take them from the metric itself.
    const declared = (m.registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
    out.set(metric.name, { type: String(metric.type), labels: [...new Set([...declared, ...labels])].sort() });
  }
  return out;
}

const ruleFile = z.strictObject({
  groups: z.array(
    z.strictObject({
      name: z.string().min(1),
      rules: z.array(
        z.strictObject({
          alert: z.string().regex(/^[A-Z][A-Za-z0-9]+$/),
          expr: z.string().min(1),
          for: z
            .string()
            .regex(/^\d+[smh]$/)
            .optional(),
          labels: z.strictObject({ severity: z.enum(['page', 'ticket']) }),
          annotations: z.strictObject({ summary: z.string().min(1), description: z.string().min(1) }),
        }),
      ),
    }),
  ),
});

describe('docs/operations.md "Metrics"', () => {
  it('documents every metric Ferry registers, with its type and labels, and nothing that does not exist', async () => {
    const doc = await readFile(path.join(ROOT, 'docs/operations.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Metrics'), doc.indexOf('## Alerts'));
    const rows = [...section.matchAll(/^\| `(ferry_[a-z_]+)`\s*\| (\w+)\s*\| ([^|]+)\|/gm)].map((r) => ({ name: r[1], type: r[2], labels: [...r[3].matchAll(/`(\w+)`/g)].map((l) => l[1]).sort() }));
    const metrics = await registered();
    const ours = [...metrics.keys()].filter((n) => !/^ferry_(process|nodejs)_/.test(n));
    expect(rows.map((r) => r.name).sort()).toEqual(ours.sort());
    for (const row of rows) expect({ name: row.name, type: row.type, labels: row.labels }).toEqual({ name: row.name, ...metrics.get(row.name) });
    // The process's default metrics are documented by their prefixes.
    expect(section).toContain('`ferry_process_*`, `ferry_nodejs_*`');
    expect([...metrics.keys()].some((n) => n.startsWith('ferry_process_'))).toBe(true);
  });
});

describe('examples/alerts/ferry-alerts.yml', () => {
  it('parses as Prometheus rule groups with the alerts operators need, naming only metrics that exist', async () => {
    const text = await readFile(path.join(ROOT, 'examples/alerts/ferry-alerts.yml'), 'utf8');
    const file = ruleFile.parse(parse(text));
    const rules = file.groups.flatMap((g) => g.rules);
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['FerryRunFailed', 'FerryGateFailed', 'FerrySyncLagHigh', 'FerryWorkerMissing']));
    const metrics = await registered();
    const exists = (n: string) => metrics.has(n) || metrics.has(n.replace(/_(bucket|sum|count)$/, ''));
    for (const rule of rules) {
      const used = [...rule.expr.matchAll(/\bferry_[a-z_]+\b/g)].map((m) => m[0]);
      // Each rule watches a Ferry metric, or Prometheus's own `up` of a Ferry job.
      expect(used.length > 0 || /\bup\{job="ferry-[a-z]+"\}/.test(rule.expr), rule.alert).toBe(true);
      for (const n of used) expect(exists(n), `${rule.alert}: ${n}`).toBe(true);
      // Balanced brackets, and label matchers only on labels the metric has.
      for (const [open, close] of ['()', '{}', '[]']) expect(rule.expr.split(open).length, rule.alert).toBe(rule.expr.split(close).length);
      for (const m of rule.expr.matchAll(/\b(ferry_[a-z_]+)\{([^}]*)\}/g)) {
        const metric = metrics.get(m[1]) ?? metrics.get(m[1].replace(/_(bucket|sum|count)$/, ''))!;
        for (const l of m[2].matchAll(/(\w+)\s*(?:=~|!=|!~|=)/g)) expect(metric.labels, `${rule.alert}: ${m[1]}{${l[1]}}`).toContain(l[1]);
      }
    }
    // The alerts' label values are ones Ferry writes.
    expect(text).toContain('ferry_runs_total{status="failed"}');
    expect(text).toContain('ferry_gate_decisions_total{decision="fail"}');
    const doc = await readFile(path.join(ROOT, 'docs/operations.md'), 'utf8');
    for (const name of names) expect(doc, name).toContain(`\`${name}\``);
  });
});
