/**
 * The web UI writes out the API shapes it reads (web/src/types.ts). The checks below make the
 * compiler hold the server to them: what each response schema produces must be assignable to the
 * type the UI reads it as, so a server change that renames, drops or retypes a field the UI uses
 * fails the typecheck `npm test` starts with, instead of a screen at run time.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { RunReport as EngineRunReport } from '../../src/run/report.js';
import type { SourceProfile } from '../../src/profile/types.js';
import type { lineageSchema } from '../../src/server/routes/lineage.js';
import type { runSummarySchema } from '../../src/server/routes/runs.js';
import type { sourceEntrySchema } from '../../src/server/routes/sources.js';
import type { uploadsSchema } from '../../src/server/routes/uploads.js';
import type { fieldRowSchema, suggestionSchema } from '../../src/server/routes/workbench.js';
import type * as S from '../../src/server/schemas.js';
import type * as Web from '../../web/src/types.js';

/** True when every value the server sends is a value the UI's type accepts. */
type Serves<Server, Ui> = [Server] extends [Ui] ? true : false;
type Out<T extends z.ZodType> = z.output<T>;
type Tiers = Out<typeof S.releaseStatusSchema>['tiers'][number];
// The server's schema leaves the run report's reconciliation open (a record); its shape is the engine's.
type ServedReport = Omit<Out<typeof S.runReportSchema>, 'reconciliation'> & Pick<EngineRunReport, 'reconciliation'>;

// Each line fails to compile (true is not assignable to false) when the server stops serving the UI's shape.
const serves: Record<string, true> = {
  actor: true satisfies Serves<Out<typeof S.actorSchema>, Web.Actor>,
  org: true satisfies Serves<Out<typeof S.orgSchema>, Web.Org>,
  workspace: true satisfies Serves<Out<typeof S.workspaceSchema>, Web.Workspace>,
  project: true satisfies Serves<Out<typeof S.projectSchema>, Web.Project>,
  user: true satisfies Serves<Out<typeof S.userSchema>, Web.User>,
  token: true satisfies Serves<Out<typeof S.tokenInfoSchema>, Web.TokenInfo>,
  version: true satisfies Serves<Out<typeof S.versionSummarySchema>, Web.VersionSummary>,
  diff: true satisfies Serves<Out<typeof S.diffSchema>, Web.Diff>,
  progress: true satisfies Serves<Out<typeof S.progressSchema>, Web.Progress>,
  run: true satisfies Serves<Out<typeof S.runViewSchema>, Web.RunView>,
  runSummary: true satisfies Serves<Out<typeof runSummarySchema>, Web.RunSummary>,
  runReport: true satisfies Serves<ServedReport, Web.RunReport>,
  releaseTier: true satisfies Serves<Tiers, Web.ReleaseTier>,
  auditEvent: true satisfies Serves<Out<typeof S.auditEventSchema>, Web.AuditEvent>,
  verify: true satisfies Serves<Out<typeof S.verifySchema>, Web.VerifyResult>,
  source: true satisfies Serves<Out<typeof sourceEntrySchema>, Web.SourceRef>,
  uploads: true satisfies Serves<Out<typeof uploadsSchema>, Web.Uploads>,
  profile: true satisfies Serves<SourceProfile, Web.Profile>,
  suggestion: true satisfies Serves<Out<typeof suggestionSchema>, Web.Suggestion>,
  field: true satisfies Serves<Out<typeof fieldRowSchema>, Web.FieldRow>,
  lineage: true satisfies Serves<Out<typeof lineageSchema>, Web.Lineage>,
};

describe('the web UI’s API types', () => {
  it('are checked against every response schema the UI reads', () => {
    expect(Object.keys(serves)).toHaveLength(21);
  });
});
