/**
 * Opens what a review reads, by URL: the legacy source, the run's target (its ledger) and the
 * target read as a source (its rows), and always closes them again.
 */
import type { Source, Target } from '../connectors/connector.js';
import { openSource, openTarget } from '../connectors/registry.js';

export interface ReviewSides {
  source: Source;
  target: Target;
  targetRows: Source;
}

/** Runs `fn` over the opened source and target; closes both whatever happens. */
export async function withReviewSides<T>(o: { sourceUrl: string; targetUrl: string }, fn: (sides: ReviewSides) => Promise<T>): Promise<T> {
  let source: Source | undefined;
  let target: Target | undefined;
  let targetRows: Source | undefined;
  try {
    source = await openSource(o.sourceUrl);
    target = await openTarget(o.targetUrl);
    targetRows = await openSource(o.targetUrl);
    return await fn({ source, target, targetRows });
  } finally {
    await Promise.allSettled([source?.close(), target?.close(), targetRows?.close()]);
  }
}
