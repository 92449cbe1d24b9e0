/** How many cases or trials a fault test runs: a moderate default for CI, more through an environment variable. */
export function runsFrom(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${variable} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Fast-check runs per fuzz property: FERRY_FUZZ_RUNS, else `fallback`. */
export const fuzzRuns = (fallback: number): number => runsFrom('FERRY_FUZZ_RUNS', fallback);
