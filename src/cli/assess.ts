/**
 * `ferry assess --source URL [--contract FILE] [--html FILE] [--json]`: the migration readiness
 * assessment (docs/assessment.md). Thin: parses flags, calls assessSource, prints the text
 * summary or the Assessment JSON, and writes the HTML page when asked.
 */
import { openSource } from '../connectors/registry.js';
import { FerryError } from '../errors.js';
import { assessSource } from '../profile/assess/assess.js';
import { formatAssessmentHtml, formatAssessmentText } from '../profile/assess/render.js';
import { loadContractArg } from './contract.js';
import type { CliIO } from './io.js';
import type { Register } from './main.js';
import { printReport, profileOptions, profilerOptions, wholeNumber, type ProfileFlags } from './profile-options.js';

interface AssessFlags extends ProfileFlags {
  source?: string;
  contract?: string;
  html?: string;
  json?: boolean;
  exactLimit?: number;
}

async function assess(flags: AssessFlags, io: CliIO): Promise<number> {
  const url = flags.source ?? io.env.FERRY_SOURCE_URL;
  if (!url) throw new FerryError('usage', 'cli.no_source', 'no source: give --source URL or set FERRY_SOURCE_URL');
  const contract = flags.contract ? await loadContractArg(flags.contract, io) : undefined;
  const source = await openSource(url);
  let result;
  try {
    result = await assessSource(source, { ...profilerOptions(flags), contract, exactLimit: flags.exactLimit });
  } finally {
    await source.close();
  }
  await printReport(io, flags, result, formatAssessmentText, formatAssessmentHtml);
  return 0;
}

export const register: Register = (program, io, setExit) => {
  profileOptions(
    program
      .command('assess')
      .description(
        'migration readiness assessment of a source: per table volume, key quality, free text, code fields to crosswalk, date chaos, orphans, binary volume, encodings; a complexity rating and an effort estimate',
      )
      .option('--source <url>', 'source URL: csv:DIR, ndjson:DIR, sqlite:FILE, postgres://…, mysql://… (default $FERRY_SOURCE_URL)')
      .option('--contract <file>', 'count its crosswalks as covering codes and report how much of its targets it maps'),
  )
    .option('--exact-limit <n>', 'distinct values counted exactly per column before figures become estimates (default 10,000)', wholeNumber('--exact-limit', 1))
    .option('--json', 'print the assessment as JSON (shape in docs/assessment.md)')
    .option('--html <file>', 'also write a self-contained, printable HTML page to FILE')
    .action(async (flags: AssessFlags) => setExit(await assess(flags, io)));
};
