/**
 * The URL-level entry point the CLI and the server share: load the contract, open the source,
 * the target and a read-only view of the target, reconcile, and always close what was opened.
 */
import type { Source, Target } from '../connectors/connector.js';
import { openSource, openTarget } from '../connectors/registry.js';
import { contractDigest } from '../contract/canonical.js';
import { loadContract } from '../contract/load.js';
import { reconcileRun, type ReconcileOptions } from './reconcile.js';
import type { ReconciliationReport } from './report.js';

export interface ReconcileUrlOptions extends Omit<ReconcileOptions, 'loaded' | 'digest' | 'source' | 'target' | 'targetUrl' | 'targetAsSource'> {
  contractFile: string;
  sourceUrl: string;
  targetUrl: string;
}

/** Loads the contract, opens source and target by URL, reconciles the run, and closes everything. */
export async function reconcile(o: ReconcileUrlOptions): Promise<ReconciliationReport> {
  const loaded = await loadContract(o.contractFile);
  const digest = contractDigest(loaded);
  let source: Source | undefined;
  let target: Target | undefined;
  let targetAsSource: Source | undefined;
  try {
    source = await openSource(o.sourceUrl);
    target = await openTarget(o.targetUrl);
    targetAsSource = await openSource(o.targetUrl);
    return await reconcileRun({ ...o, loaded, digest, source, target, targetAsSource });
  } finally {
    await Promise.allSettled([source?.close(), target?.close(), targetAsSource?.close()]);
  }
}
