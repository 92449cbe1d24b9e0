/**
 * `ferry crosswalk coverage|diff|reference|check`: how well a contract's code lists cover the
 * codes a source really holds, what changed between two versions of a code list, the shipped
 * NHS Data Dictionary lists, and whether a crosswalk's targets are national codes. JSON shapes
 * are documented in docs/crosswalks.md and are stable.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { openSource } from '../connectors/registry.js';
import { checkCrosswalk, type CrosswalkCheck } from '../crosswalk/check.js';
import { crosswalkCoverage, type CoverageReport } from '../crosswalk/coverage.js';
import { diffCrosswalks, type CrosswalkDiff, type CrosswalkEntryChange } from '../crosswalk/diff.js';
import { loadCrosswalkFile } from '../contract/crosswalk-load.js';
import type { CrosswalkEntry } from '../contract/model.js';
import { EXIT_CODES, FerryError } from '../errors.js';
import { loadReferenceList, REFERENCE_LISTS } from '../reference/code-lists.js';
import { loadContractArg } from './contract.js';
import { printJson, type CliIO } from './io.js';
import type { Register } from './main.js';

interface CoverageFlags {
  source?: string;
  json?: boolean;
  top?: number;
  sliceRows: number;
  /** Deprecated spelling of --slice-rows. */
  batchSize?: number;
}

interface CaseFlags {
  json?: boolean;
  caseSensitive?: boolean;
}

function wholeNumber(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new FerryError('usage', 'cli.bad_number', `${name} must be a whole number of at least ${min}`);
    return n;
  };
}

async function coverage(file: string, flags: CoverageFlags, io: CliIO): Promise<number> {
  const sourceUrl = flags.source ?? io.env.FERRY_SOURCE_URL;
  if (!sourceUrl) throw new FerryError('usage', 'cli.no_source', 'no source: give --source URL or set FERRY_SOURCE_URL');
  const loaded = await loadContractArg(file, io);
  const source = await openSource(sourceUrl);
  let report: CoverageReport;
  try {
    // Text output lists 20 codes per crosswalk unless asked; JSON lists them all unless asked.
    report = await crosswalkCoverage(loaded, source, { sliceRows: flags.batchSize ?? flags.sliceRows, top: flags.top ?? (flags.json ? undefined : 20) });
  } finally {
    await source.close();
  }
  if (flags.json) printJson(io, report);
  else io.out(formatCoverage(report));
  return 0;
}

/** Renders a coverage report for people. */
export function formatCoverage(r: CoverageReport): string {
  const lines = [`${r.contract.name} ${r.contract.version} (${r.contract.digest.slice(0, 12)}) over ${r.source}`];
  for (const t of r.tables) lines.push(`${t.table} (from ${t.source}): ${count(t.rows_read)} rows read, ${count(t.rows_excluded)} excluded by the filter`);
  for (const c of r.crosswalks) {
    const version = c.version ? `, version ${c.version}` : '';
    lines.push('', `crosswalk ${c.crosswalk} (${c.file}${version}, ${count(c.entries)} entries)`);
    if (c.used_by.length === 0) {
      lines.push('  not used by any accepted field');
      continue;
    }
    lines.push(`  used by ${c.used_by.map((u) => `${u.table}.${u.field} (${u.source})`).join(', ')}`);
    if (c.rows === 0) {
      lines.push('  no codes seen: coverage not applicable');
      continue;
    }
    lines.push(
      `  distinct codes: ${count(c.distinct_seen)} seen, ${count(c.distinct_translated)} translated, ${count(c.distinct_unmapped)} unmapped (${pct(c.distinct_coverage)} covered)`,
      `  rows: ${count(c.rows)} seen, ${count(c.rows_translated)} translated, ${count(c.rows_unmapped)} unmapped (${pct(c.row_coverage)} covered)`,
    );
    if (c.unmapped.length > 0) {
      lines.push('  unmapped codes, most rows first:');
      const width = Math.max(...c.unmapped.map((u) => showCode(u.code).length));
      for (const u of c.unmapped) lines.push(`    ${showCode(u.code).padEnd(width)}  ${count(u.rows)} row${u.rows === 1 ? '' : 's'}`);
      if (c.distinct_unmapped > c.unmapped.length) lines.push(`    … and ${count(c.distinct_unmapped - c.unmapped.length)} more (--top, or --json for all)`);
    }
    if (c.unused_entries > 0) lines.push(`  ${count(c.unused_entries)} of ${count(c.entries)} entries never occurred in the source`);
  }
  return lines.join('\n');
}

async function diff(oldFile: string, newFile: string, flags: CaseFlags, io: CliIO): Promise<number> {
  const caseInsensitive = !flags.caseSensitive;
  const [before, after] = await Promise.all([oldFile, newFile].map((f) => loadCrosswalkFile(resolve(io.cwd, f), { caseInsensitive, displayPath: f })));
  const result = diffCrosswalks(before, after, { caseInsensitive });
  if (flags.json) printJson(io, { old: oldFile, new: newFile, ...result });
  else io.out(formatCrosswalkDiff(oldFile, newFile, result));
  return 0;
}

/** Renders a crosswalk diff one change per line, like `contract diff`. */
export function formatCrosswalkDiff(oldFile: string, newFile: string, d: CrosswalkDiff): string {
  const lines = [`--- ${oldFile}`, `+++ ${newFile}`];
  const entry = (e: CrosswalkEntry) => `${e.source_code} → ${e.target_code} (${e.target_display})${e.equivalence ? ` [${e.equivalence}]` : ''}`;
  const change = (c: CrosswalkEntryChange, what: string, before: string, after: string) => `~ ${c.source_code} ${what}: ${before} → ${after}`;
  for (const e of d.added) lines.push(`+ ${entry(e)}`);
  for (const e of d.removed) lines.push(`- ${entry(e)}`);
  for (const c of d.target_changed) lines.push(change(c, 'target', `${c.old.target_code} (${c.old.target_display})`, `${c.new.target_code} (${c.new.target_display})`));
  for (const c of d.display_changed) lines.push(change(c, 'display', quote(c.old.target_display), quote(c.new.target_display)));
  for (const c of d.equivalence_changed) lines.push(change(c, 'equivalence', quote(c.old.equivalence), quote(c.new.equivalence)));
  const codes = `${count(d.unchanged)} code${d.unchanged === 1 ? '' : 's'}`;
  lines.push(d.identical ? `no differences (${codes})` : `${codes} unchanged`);
  return lines.join('\n');
}

async function reference(name: string | undefined, flags: { json?: boolean }, io: CliIO): Promise<number> {
  if (name === undefined) {
    const lists = await Promise.all(REFERENCE_LISTS.map(async (l) => ({ ...l, codes: (await loadReferenceList(l.name)).codes.length })));
    if (flags.json) printJson(io, lists);
    else {
      const width = Math.max(...lists.map((l) => l.name.length));
      io.out(lists.map((l) => `${l.name.padEnd(width)}  ${String(l.codes).padStart(3)} codes  ${l.element}`).join('\n'));
    }
    return 0;
  }
  const { file: _file, ...list } = await loadReferenceList(name);
  if (flags.json) {
    printJson(io, list);
    return 0;
  }
  const width = Math.max(...list.codes.map((c) => c.code.length));
  io.out([`${list.element} (${list.name}; ${list.origin})`, ...list.codes.map((c) => `${c.code.padEnd(width)}  ${c.display}`)].join('\n'));
  return 0;
}

async function check(file: string, flags: CaseFlags & { reference: string }, io: CliIO): Promise<number> {
  const [entries, list] = await Promise.all([loadCrosswalkFile(resolve(io.cwd, file), { caseInsensitive: !flags.caseSensitive, displayPath: file }), loadReferenceList(flags.reference)]);
  const result = checkCrosswalk(entries, list);
  if (flags.json) printJson(io, { file, ...result });
  else io.out(formatCheck(file, result));
  // Codes outside the national list would be rejected downstream: treat them as a bad input file.
  return result.ok ? 0 : EXIT_CODES.contract;
}

/** Renders a reference check for people. */
export function formatCheck(file: string, r: CrosswalkCheck): string {
  const lines = [`${file} against ${r.reference} (${r.element}): ${count(r.entries)} entries`];
  for (const u of r.unknown_targets)
    lines.push(`error: target code ${quote(u.target_code)} (${u.target_display}) is not in ${r.reference}; used by source code${u.source_codes.length === 1 ? '' : 's'} ${u.source_codes.join(', ')}`);
  for (const m of r.display_mismatches) lines.push(`warning: ${m.source_code} → ${m.target_code}: display ${quote(m.target_display)} differs from the national ${quote(m.reference_display)}`);
  if (r.unused_reference_codes.length > 0) lines.push(`note: national codes no entry maps onto: ${r.unused_reference_codes.map((c) => c.code).join(', ')}`);
  lines.push(
    r.ok
      ? `ok: every target code is in ${r.reference}${r.display_mismatches.length ? ` (${r.display_mismatches.length} display mismatch${r.display_mismatches.length === 1 ? '' : 'es'})` : ''}`
      : `failed: ${r.unknown_targets.length} target code${r.unknown_targets.length === 1 ? ' is' : 's are'} not in ${r.reference}`,
  );
  return lines.join('\n');
}

function count(n: number): string {
  return n.toLocaleString('en-GB');
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}

// Codes are shown bare unless they would be invisible or ambiguous on a line: blank or spaced.
function showCode(code: string): string {
  return code === '' || /\s/.test(code) ? JSON.stringify(code) : code;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

export const register: Register = (program: Command, io, setExit) => {
  const group = program.command('crosswalk').description('code crosswalks: coverage over a source, version diffs, NHS reference lists');
  group
    .command('coverage')
    .description('per crosswalk: distinct source codes seen, translated, and unmapped codes with their row counts (largest first)')
    .argument('<contract>', 'contract YAML file')
    .option('--source <url>', 'source URL: csv:DIR, ndjson:DIR, sqlite:FILE, postgres://…, mysql://… (default $FERRY_SOURCE_URL)')
    .option('--top <n>', 'list at most N unmapped codes per crosswalk (default 20 in text, all with --json)', wholeNumber('--top', 0))
    .addOption(new Option('--slice-rows <n>', 'rows read from the source per slice').argParser(wholeNumber('--slice-rows', 1)).default(10_000))
    // The flag's earlier name, kept so scripts written against it still run.
    .addOption(new Option('--batch-size <n>').argParser(wholeNumber('--batch-size', 1)).hideHelp())
    .option('--json', 'print the coverage report (CoverageReport) as JSON')
    .action(async (file: string, flags: CoverageFlags) => setExit(await coverage(file, flags, io)));
  group
    .command('diff')
    .description('compare two versions of a crosswalk file: codes added, removed, target, display and equivalence changed')
    .argument('<old>', 'the earlier crosswalk CSV')
    .argument('<new>', 'the later crosswalk CSV')
    .option('--case-sensitive', 'match source codes exactly (for crosswalks declared case_insensitive: false)')
    .option('--json', 'print the structured diff (CrosswalkDiff) as JSON')
    .action(async (oldFile: string, newFile: string, flags: CaseFlags) => setExit(await diff(oldFile, newFile, flags, io)));
  group
    .command('reference')
    .description('list the shipped NHS Data Dictionary code lists, or print one')
    .argument('[name]', `a list name: ${REFERENCE_LISTS.map((l) => l.name).join(', ')}`)
    .option('--json', 'print the list(s) as JSON')
    .action(async (name: string | undefined, flags: { json?: boolean }) => setExit(await reference(name, flags, io)));
  group
    .command('check')
    .description("check a crosswalk's target codes (and displays) against a national reference list; exit 2 when a target code is not national")
    .argument('<file>', 'crosswalk CSV')
    .requiredOption('--reference <name>', 'the reference list its target codes belong to (see `ferry crosswalk reference`)')
    .option('--case-sensitive', 'treat source codes differing only in case as different codes')
    .option('--json', 'print the check (CrosswalkCheck) as JSON')
    .action(async (file: string, flags: CaseFlags & { reference: string }) => setExit(await check(file, flags, io)));
};
