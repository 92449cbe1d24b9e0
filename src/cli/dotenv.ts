/**
 * `.env` in the working directory, read once when the CLI starts, so a starter project's
 * `.env` (copied from `.env.example`) reaches every command and the database drivers. Values
 * already in the environment win, and no value from the file is ever printed: a malformed file
 * is reported by line number and variable name only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { FerryError } from '../errors.js';

export const DOTENV_FILE = '.env';

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/**
 * Checks that every line is blank, a comment, `NAME=value` or the continuation of a quoted
 * value: Node's own parser silently folds stray lines into the next name, which would hand a
 * connector a variable nobody wrote.
 */
function checkLines(text: string, file: string): void {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) throw new FerryError('usage', 'cli.env_file_malformed', `${file}:${i + 1}: expected NAME=value (or a # comment); fix or remove the line`);
    const value = m[2]!;
    const quote = value[0];
    if (quote !== '"' && quote !== "'" && quote !== '`') continue;
    if (value.indexOf(quote, 1) > 0) continue;
    // A quoted value may span lines up to its closing quote.
    const start = i;
    while (++i < lines.length && !lines[i]!.includes(quote));
    if (i >= lines.length) throw new FerryError('usage', 'cli.env_file_malformed', `${file}:${start + 1}: the quoted value of ${m[1]} is never closed`);
  }
}

/**
 * Reads `.env` from `cwd` into `env` when the file exists, leaving variables `env` already has
 * untouched. Returns the names it set.
 */
export function loadDotEnv(cwd: string, env: NodeJS.ProcessEnv): string[] {
  const file = join(cwd, DOTENV_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FerryError('usage', 'cli.env_file_unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unknown error'}`, [], { cause: err });
  }
  checkLines(text, file);
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
