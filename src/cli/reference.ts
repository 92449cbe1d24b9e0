/**
 * The CLI reference (docs/cli.md) rendered from the registered commands' help text.
 */
import type { Command } from 'commander';
import { EXIT_CODES } from '../errors.js';
import { memoryIO } from './io.js';
import { buildProgram } from './main.js';

function walk(cmd: Command, trail: string[], out: string[]): void {
  const name = [...trail, cmd.name()].join(' ');
  if (trail.length > 0) {
    out.push(`## \`${name}\``, '', '```text', cmd.helpInformation().trimEnd(), '```', '');
  }
  for (const sub of cmd.commands) {
    if (sub.name() === 'help') continue;
    walk(sub, [...trail, cmd.name()], out);
  }
}

/** Renders the Markdown reference of every command and option. */
export async function cliReference(): Promise<string> {
  const program = await buildProgram(memoryIO(), () => undefined);
  const out: string[] = [
    '# `ferry` command reference',
    '',
    "Generated from the commands' own `--help` by `npm run docs:cli`; a test fails when it is out of date.",
    'Every command that reports something takes `--json`; the JSON shapes are documented with each feature',
    '(docs/run-report.md, docs/contract.md, docs/synth.md, …).',
    '',
    '## Environment and `.env`',
    '',
    'Every command first reads `.env` from the directory it is run in, when there is one (`ferry init` writes',
    'a `.env.example` to copy). Each line is `NAME=value` (optionally `export NAME=value`; values may be',
    "quoted, and `#` starts a comment). Variables already set in the environment win over the file's, so a",
    'shell or CI setting always overrides it. A line that is not `NAME=value` or a comment stops the command',
    'with a usage error naming the line number; values from the file are never printed. Keep `.env` out of',
    'version control: it holds passwords (`PGPASSWORD`, `MYSQL_PWD`, or the variables named by `password_env`).',
    '',
    '## Exit codes',
    '',
    '| code | meaning |',
    '| --- | --- |',
    '| 0 | success |',
    ...Object.entries(EXIT_CODES)
      .sort((a, b) => a[1] - b[1])
      .map(([kind, code]) => `| ${code} | ${kind.replace('_', ' ')} error |`),
    '| 130 | cancelled (Ctrl-C); a run can be resumed |',
    '',
    '```text',
    program.helpInformation().trimEnd(),
    '```',
    '',
  ];
  walk(program, [], out);
  return `${out.join('\n').trimEnd()}\n`;
}
