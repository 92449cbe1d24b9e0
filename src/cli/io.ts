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

let pipeGuard = false;

/**
 * Ends the process quietly when whoever reads stdout or stderr goes away (`ferry … | head`):
 * there is nobody left to tell, so an EPIPE is the normal end of the conversation, not a crash.
 * Any other stream error is rethrown as before. Installed once, however often it is called.
 */
export function endQuietlyOnClosedPipe(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

/** The process's own streams, which end the process quietly once their reader closes. */
export function processIO(): CliIO {
  endQuietlyOnClosedPipe();
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
