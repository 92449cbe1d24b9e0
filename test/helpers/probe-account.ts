/**
 * Provisions a control store as an operator would for `ferry verify-deployment`: an org, a
 * project, and a probe account that may submit and dry-run in that project (migration_analyst
 * there) and verify the audit chain (auditor). Returns the project's id.
 */
import { createControlPlane } from '../../src/control/service.js';
import { openStore } from '../../src/store/db.js';
import { parseStoreUrl } from '../../src/store/store-url.js';

/** The probe account's password (and the org admin's). */
export const PROBE_PASSWORD = 'smoke test passphrase for checks';

/** Sets up the org `ops`, the project `probe` and the user `probe` in the store at `storeUrl`. */
export async function provisionProbe(storeUrl: string, dir: string): Promise<string> {
  const store = await openStore(parseStoreUrl(storeUrl, dir));
  try {
    const plane = createControlPlane({ store, config: { scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 } } });
    const { admin } = await plane.initOrg({ slug: 'ops', name: 'Operator', admin: { username: 'ops-admin', password: PROBE_PASSWORD } });
    const actor = await plane.actorFor(admin.id);
    const ws = await plane.createWorkspace(actor, { name: 'probe' });
    const projectId = (await plane.createProject(actor, ws.id, { name: 'probe' })).id;
    const probe = await plane.createUser(actor, { username: 'probe', password: PROBE_PASSWORD });
    await plane.grantRole(actor, probe.id, 'migration_analyst', projectId);
    await plane.grantRole(actor, probe.id, 'auditor', null);
    return projectId;
  } finally {
    await store.close();
  }
}
