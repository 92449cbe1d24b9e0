/**
 * `ferry rehearse` end to end on a small synthetic PAS (CSV source, SQLite target): the pack has
 * every section, the digest and the run id; a failing gate or pilot still writes the pack, says
 * so first and exits with the run's gate code; and no patient value reaches the pack.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONTRACT } from '../../src/cli/demo.js';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { generateToCsv } from '../../src/synth/generate.js';
import { uniformRates } from '../../src/synth/defects.js';
import { tempDir } from '../synth/helpers.js';

type Row = Record<string, string>;

async function synth(dir: string, rate = 0): Promise<Row[]> {
  await generateToCsv({ seed: 7, patients: 40, rates: uniformRates(rate), dir: path.join(dir, 'src') });
  return parse(await readFile(path.join(dir, 'src', 'PAT_MAST.csv'), 'utf8'), { columns: true }) as Row[];
}

async function rehearse(dir: string, extra: string[] = []) {
  const io = memoryIO({ cwd: dir });
  const code = await main(
    ['rehearse', EXAMPLE_CONTRACT, '--source', `csv:${dir}/src`, '--target', `sqlite:${dir}/target.db`, '--store', `sqlite:${dir}/store.db`, '--pilot', '10', '--out', 'out/pack.html', ...extra],
    io,
  );
  return { code, io, html: await readFile(path.join(dir, 'out', 'pack.html'), 'utf8').catch(() => '') };
}

/** Values of the source patients the pack must never show: NHS numbers, names, phone numbers. */
function patientValues(rows: Row[]): string[] {
  return rows.flatMap((r) => [r.PAT_NHSNO, r.PAT_SURNAME, r.PAT_FORENM, r.PAT_TEL]).filter((v) => v && v.trim().length >= 6);
}

const SECTIONS = [
  'Outcome',
  'Pilot',
  'Run report',
  'Gate decisions',
  'Reconciliation',
  'Quarantine and cascade',
  'Hazard log',
  'Sampling review',
  'Approvals so far',
  'Contract specification',
  'Sign-off',
];

describe('ferry rehearse', () => {
  let clean: string;
  let patients: Row[];
  beforeAll(async () => {
    clean = await tempDir();
    patients = await synth(clean);
  });

  it('runs the pilot and the full run and writes a pack with every section, the digest and the run id', async () => {
    const { code, io, html } = await rehearse(clean, ['--json']);
    expect(code).toBe(0);
    const out = JSON.parse(io.stdout);
    expect(out).toMatchObject({ outcome: 'ready_for_sign_off', governed: false, exitCode: 0, pilot: { status: 'succeeded' }, run: { status: 'succeeded' } });
    expect(out.pilot.runId).not.toBe(out.run.runId);
    for (const s of SECTIONS) expect(html).toContain(`>${s}</h2>`);
    expect(html).toContain(out.contract.digest);
    // The footer that prints on every page names the digest and the run.
    expect(html).toMatch(new RegExp(`class="pagefoot"[^>]*>[^<]*digest ${out.contract.digest} · run ${out.run.runId}`));
    expect(html).toContain('No hazard log submitted for this project.');
    expect(html).toContain('No sampling review yet.');
    expect(html).toContain('Not governed');
    expect(html).toContain('Clinical safety officer');
    expect(html).toContain('Target table patient'); // the specification
    expect(html).not.toMatch(/<script|<link|src="http/i);
    for (const v of patientValues(patients)) expect(html, v).not.toContain(v);
  });

  it('still writes the pack when the full run fails its gate, says so first, and exits with the gate code', async () => {
    const dir = await tempDir();
    const rows = await synth(dir);
    // Patients after the pilot's first ten get NHS numbers that fail validation: the pilot passes, the full run does not.
    const file = path.join(dir, 'src', 'PAT_MAST.csv');
    const text = await readFile(file, 'utf8');
    const broken = text.replace(/^(\d+),(H\d+),(\d{10}),/gm, (all, id: string, hosp: string) => (Number(id) > 20 ? `${id},${hosp},BADNHS${id},` : all));
    await writeFile(file, broken);
    // Rows a gate stopped are loaded, so the clinicians' sample is still drawn: outside a project, as a selection.
    const { code, io, html } = await rehearse(dir, ['--sample', '3', '--seed', '2']);
    expect(code).toBe(6);
    expect(io.stderr).toContain('ferry rehearse: 2/4 full run');
    expect(io.stderr).toContain('ferry rehearse: 3/4 sampling 3 patient(s) of run');
    expect(html).toContain('not recorded: drawn outside a project');
    expect(html).toMatch(/seed 2<\/td>/);
    expect(html.match(/<td>(1|2|3)<\/td><td><code>\d+<\/code><\/td><td>(quarantined|cascaded|crosswalked|clean)<\/td><td>not yet reviewed<\/td>/g)).toHaveLength(3);
    expect(io.stdout).toContain('NOT READY FOR SIGN-OFF — a quality gate failed');
    const banner = html.indexOf('class="banner bad"');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(html.indexOf('id="outcome"'));
    expect(html).toContain('rows quarantined with their parent'); // the cascade of the quarantined patients
    expect(html).not.toContain('BADNHS');
    for (const v of patientValues(rows)) expect(html, v).not.toContain(v);
  });

  it('refuses --sample without lineage before anything runs', async () => {
    const dir = await tempDir();
    const { code, io } = await rehearse(dir, ['--sample', '3', '--no-lineage']);
    expect(code).toBe(2);
    expect(io.stderr).toContain('--sample reads the run’s lineage');
  });

  it('stops after a failing pilot, skips the full run and still writes the pack', async () => {
    const dir = await tempDir();
    await synth(dir, 0.05);
    const { code, io, html } = await rehearse(dir);
    expect(code).toBe(6);
    expect(io.stderr).toContain('full run skipped');
    expect(html).toContain('NOT READY FOR SIGN-OFF — the pilot ended failed_gate');
    expect(html).toContain('Not run: the pilot did not succeed');
    // The gate decisions the team must fix are the pilot's.
    expect(html).toMatch(/<b>From the pilot<\/b> \(run <code>run-[^<]+-dry<\/code>\)/);
    expect(html).toContain('Failing and warning gates');
  });
});
