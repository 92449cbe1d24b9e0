/**
 * Where CLI commands print. Tests pass their own to capture output; the bin uses the process.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is an interactive terminal (progress bars), false for pipes and CI logs. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The process's own streams. */
export function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    isTTY: Boolean(process.stdout.isTTY) && !process.env.CI,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Captures output in memory, for tests calling `main(argv, io)`. */
export function memoryIO(overrides: Partial<CliIO> = {}): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t.endsWith('\n') ? t : `${t}\n`;
    },
    err(t: string) {
      io.stderr += t.endsWith('\n') ? t : `${t}\n`;
    },
    isTTY: false,
    env: process.env,
    cwd: process.cwd(),
    ...overrides,
  };
  return io;
}

/** Prints a value as stable, indented JSON. */
export function printJson(io: CliIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
