/**
 * The sign-off pack as one self-contained, printable HTML file: inline CSS, no script, no
 * external asset, a CSP meta tag, a table of contents, one section per page when printed, and
 * the contract digest and run id in a footer on every printed page so a loose page still names
 * what it belongs to. The run sections reuse the quality report's renderers (run/html-report.ts)
 * and the specification is the contract document's own (contract/document.ts). Every string is
 * escaped; the pack holds counts, codes, keys, digests and user ids — never a patient value.
 */
import { contractSpecificationFragment } from '../contract/document.js';
import { esc } from '../quality/html-escape.js';
import { badge, countsTable, failingGates, gatesTable, kpiTable, QUALITY_CSS, REPORT_META_CSP, reasons, reconciliation, summary } from '../run/html-report.js';
import type { RunReport } from '../run/report.js';
import type { PackGovernance, PackHazard, PackReview, PackStep, SignOffPack } from './pack-model.js';

const PACK_CSS = `
.banner{border-radius:6px;padding:14px 18px;margin:14px 0;font-size:16px;font-weight:600;color:#fff}
.banner.ok{background:#1b5e20}.banner.bad{background:#b71c1c}
table.facts{width:auto;min-width:60%}table.facts th{width:16em}
table.grid thead th{background:#005eb8;color:#fff}
.none{color:#555;font-style:italic}
nav ol{margin:6px 0 12px;padding-left:22px}
.sign td{height:42px}
.pagefoot{display:none}
@page{size:A4 landscape;margin:12mm 12mm 16mm}
@media print{
  body{background:#fff;font-size:10px}
  main{max-width:none;padding:0}
  section{break-before:page}
  h2,h3{break-after:avoid}
  thead{display:table-header-group}
  tr{break-inside:avoid}
  .pagefoot{display:block;position:fixed;bottom:0;left:0;right:0;font-size:9px;color:#333;border-top:1px solid #999;padding-top:2px;background:#fff}
  a{color:inherit;text-decoration:none}
}
`;

interface Section {
  id: string;
  title: string;
  html: string;
}

function n(v: number): string {
  return v.toLocaleString('en-GB');
}

function facts(rows: Array<[string, string]>): string {
  return `<table class="facts"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
}

function grid(head: string[], rows: string[][]): string {
  return `<table class="grid"><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function none(text: string): string {
  return `<p class="none">${esc(text)}</p>`;
}

/** Why a step has no report: skipped, or its error. */
function stepAbsence(step: PackStep): string {
  if (step.skipped) return none(`Not run: ${step.skipped}`);
  if (step.error) return `<p><b>${esc(step.error.code)}</b>: ${esc(step.error.message)}</p>`;
  return none('No run report.');
}

function outcomeSection(p: SignOffPack): string {
  const r = p.full.report;
  return facts([
    ['Outcome', badge(p.outcome === 'ready_for_sign_off' ? 'pass' : 'fail') + ` ${esc(p.outcome.replaceAll('_', ' '))}`],
    ['Contract', `${esc(p.contract.name)} ${esc(p.contract.version)}`],
    ['Contract digest (SHA-256)', `<code>${esc(p.contract.digest)}</code>`],
    ['Release tier', esc(p.tier)],
    [
      'Pilot run',
      p.pilot ? (p.pilot.report ? `<code>${esc(p.pilot.report.runId)}</code> ${badge(p.pilot.report.status)}` : esc(p.pilot.skipped ?? p.pilot.error?.code ?? '—')) : 'none (built from a stored run)',
    ],
    ['Full run', r ? `<code>${esc(r.runId)}</code> ${badge(r.status)}` : esc(p.full.skipped ?? p.full.error?.code ?? '—')],
    ['Source', esc(r?.source ?? p.pilot?.report?.source ?? '—')],
    ['Target', esc(r?.target ?? '—')],
    ['Generated', `${esc(p.generatedAt)} by Ferry (${esc(p.format)}); do not edit by hand`],
  ]);
}

function pilotSection(step: PackStep): string {
  const r = step.report;
  const intro =
    '<p>The pilot is a dry run of a linked subset (the first patients of the root table and every row linked to them) through the whole contract: it reads, transforms, validates and gates without writing the target, so contract errors surface in seconds before the full load.</p>';
  if (!r) return intro + stepAbsence(step);
  return `${intro}${summary(r, r.quality)}${r.pilot ? `<p>Subset: ${n(r.pilot.patients)} row(s) of <code>${esc(r.pilot.root)}</code> and the rows linked to them.</p>` : ''}${countsTable(r)}`;
}

function runSection(step: PackStep): string {
  const r = step.report;
  if (!r) return stepAbsence(step);
  return `${summary(r, r.quality)}<p class="meta">Run <code>${esc(r.runId)}</code> · started ${esc(r.startedAt)} · finished ${esc(r.finishedAt)} · lineage ${r.lineage ? 'recorded' : 'not recorded'}</p>${countsTable(r)}`;
}

/**
 * The report the gate and quarantine sections show: the full run's, or — when it never ran — the
 * pilot's, since its failing gates are what the team must fix.
 */
function evidenceOf(p: SignOffPack): { r: RunReport | null; note: string } {
  if (p.full.report || !p.pilot?.report) return { r: p.full.report, note: '' };
  return { r: p.pilot.report, note: `<p><b>From the pilot</b> (run <code>${esc(p.pilot.report.runId)}</code>): the full run was not started.</p>` };
}

function gatesSection(p: SignOffPack): string {
  const { r, note } = evidenceOf(p);
  const q = r?.quality;
  if (!q) return none('No quality gate decided: the run did not get past preflight.');
  return `${note}<h3>Failing and warning gates</h3>${failingGates(q)}<h3>All gates (tier ${esc(q.tier)})</h3>${gatesTable(q)}<h3>KPIs per table</h3>${kpiTable(q)}`;
}

function quarantineSection(p: SignOffPack): string {
  const { r, note } = evidenceOf(p);
  if (!r) return none('No run report: nothing was quarantined.');
  const cascade =
    p.cascade.length === 0
      ? none('No row followed a quarantined parent.')
      : grid(
          ['target table', 'rows quarantined with their parent'],
          p.cascade.map((c) => [esc(c.table), n(c.rows)]),
        );
  return `${note}<h3>Quarantine reasons</h3>${reasons(r)}<h3>Cascade</h3><p>Rows whose parent row was quarantined are quarantined with it (<code>parent.quarantined</code>) rather than loaded as orphans.</p>${cascade}`;
}

function hazardSection(hazards: PackHazard[] | null): string {
  if (hazards === null) return none('No hazard log submitted for this project.');
  if (hazards.length === 0) return none('The hazard log has no hazards.');
  const overview = grid(
    ['hazard', 'title', 'initial risk', 'residual risk', 'status', 'open issues', 'resolved issues'],
    hazards.map((h) => [`<code>${esc(h.id)}</code>`, esc(h.title), esc(h.initialRisk), esc(h.residualRisk), esc(h.status), n(h.openIssues), n(h.resolvedIssues)]),
  );
  const evidence = hazards
    .filter((h) => h.issues.length > 0)
    .map(
      (h) =>
        `<h3>${esc(h.id)} — ${esc(h.title)}</h3>${grid(
          ['signal', 'detail', 'status'],
          h.issues.map((i) => [`<code>${esc(i.signal)}</code>`, esc(i.detail), esc(i.status)]),
        )}`,
    )
    .join('');
  return overview + evidence;
}

function reviewSection(review: PackReview | null): string {
  if (review === null) return none('No sampling review yet.');
  const state = review.id === null ? 'not recorded: drawn outside a project, so it cannot be reviewed in Ferry' : review.complete ? 'complete' : 'in progress';
  const status = facts([
    ['Review', `${review.id === null ? '' : `<code>${esc(review.id)}</code> `}${badge(review.complete ? 'pass' : 'warn')} ${esc(state)}`],
    ['Drawn from', `run <code>${esc(review.runId)}</code>, seed ${n(review.seed)}`],
    ['Patients sampled', n(review.patients)],
    ['Reviewed', `${n(review.reviewed)} of ${n(review.patients)}`],
    ['Matches', n(review.matches)],
    ['Discrepancies', `${n(review.discrepanciesOpen)} open · ${n(review.discrepanciesResolved)} resolved`],
  ]);
  const strata = grid(
    ['stratum', 'patients in the run', 'patients sampled'],
    review.strata.map((s) => [esc(s.stratum), n(s.inRun), n(s.patients)]),
  );
  const sampled = grid(
    ['#', 'patient (legacy key)', 'stratum', 'verdict', 'discrepancy'],
    review.sampled.map((p) => [n(p.number), `<code>${esc(p.patientKey)}</code>`, esc(p.stratum), esc(p.verdict ?? 'not yet reviewed'), esc(p.discrepancy ?? '–')]),
  );
  return status + strata + sampled;
}

function governanceSection(g: PackGovernance): string {
  if (!g.governed) return none('Not governed: the rehearsal ran outside a control-plane project (no --project), so there are no approvals or recorded runs.');
  const v = g.version;
  const version = v
    ? facts([
        ['Project', `<code>${esc(g.projectId)}</code>`],
        ['Contract version', `#${n(v.number)} submitted by <code>${esc(v.authorId)}</code> at ${esc(v.createdAt)}`],
        ['Version sign-off', v.approval ? `approved by <code>${esc(v.approval.approverId)}</code> at ${esc(v.approval.approvedAt)}: ${esc(v.approval.comment)}` : '<b>not yet approved</b>'],
      ])
    : facts([
        ['Project', `<code>${esc(g.projectId)}</code>`],
        ['Contract version', '<b>this digest was never submitted to the project</b>'],
      ]);
  const approvals = grid(
    ['tier', 'approvals', 'promotion', 'still missing'],
    g.tiers.map((t) => [
      esc(t.tier),
      t.approvals.length === 0 ? '—' : t.approvals.map((a) => `${esc(a.role)}: <code>${esc(a.approverId)}</code> at ${esc(a.approvedAt)}${a.comment ? ` (${esc(a.comment)})` : ''}`).join('<br>'),
      t.promotion ? `by <code>${esc(t.promotion.promotedBy)}</code> at ${esc(t.promotion.promotedAt)}` : '—',
      t.missing.length === 0 ? 'nothing: may run' : esc(t.missing.join(', ')),
    ]),
  );
  const runs =
    g.runs.length === 0
      ? none('No run of this digest is recorded in the project.')
      : grid(
          ['run', 'tier', 'kind', 'status', 'gate', 'by', 'recorded'],
          g.runs.map((r) => [
            `<code>${esc(r.runId)}</code>`,
            esc(r.tier),
            r.dryRun ? 'dry run' : 'load',
            badge(r.status),
            r.gateDecision ? badge(r.gateDecision) : '—',
            `<code>${esc(r.actorId)}</code>`,
            esc(r.recordedAt),
          ]),
        );
  return `${version}<h3>Release approvals per tier</h3>${approvals}<h3>Recorded runs of this digest</h3>${runs}`;
}

function signOffSection(p: SignOffPack): string {
  const rows = ['Integration lead', 'Clinical safety officer'].map((role) => [esc(role), '', '', '', '']);
  return `<p>By signing, each person confirms they have read this pack for contract digest <code>${esc(p.contract.digest)}</code>${p.full.report ? ` and run <code>${esc(p.full.report.runId)}</code>` : ''}. Any change to the contract or its code lists changes the digest and needs a new rehearsal and sign-off.</p><table class="grid sign"><thead><tr><th scope="col">role</th><th scope="col">name</th><th scope="col">signature</th><th scope="col">date</th><th scope="col">decision (accept / reject) and comments</th></tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Renders the pack as one self-contained HTML document. */
export function renderPackHtml(p: SignOffPack): string {
  const r = p.full.report;
  const sections: Section[] = [
    { id: 'outcome', title: 'Outcome', html: outcomeSection(p) },
    ...(p.pilot ? [{ id: 'pilot', title: 'Pilot', html: pilotSection(p.pilot) }] : []),
    { id: 'run', title: 'Run report', html: runSection(p.full) },
    { id: 'gates', title: 'Gate decisions', html: gatesSection(p) },
    { id: 'reconciliation', title: 'Reconciliation', html: r ? reconciliation(r) : none('No run report: nothing was reconciled.') },
    { id: 'quarantine', title: 'Quarantine and cascade', html: quarantineSection(p) },
    { id: 'hazards', title: 'Hazard log', html: hazardSection(p.hazards) },
    { id: 'review', title: 'Sampling review', html: reviewSection(p.review) },
    { id: 'approvals', title: 'Approvals so far', html: governanceSection(p.governance) },
    { id: 'specification', title: 'Contract specification', html: contractSpecificationFragment(p.loaded, { generatedAt: new Date(p.generatedAt), idPrefix: 'spec-' }) },
    { id: 'sign-off', title: 'Sign-off', html: signOffSection(p) },
  ];
  const ok = p.outcome === 'ready_for_sign_off';
  const title = `Ferry sign-off pack — ${p.contract.name} ${p.contract.version}${r ? ` — ${r.runId}` : ''}`;
  const foot = `${p.contract.name} ${p.contract.version} · digest ${p.contract.digest} · run ${r?.runId ?? (p.pilot?.report ? `${p.pilot.report.runId} (pilot)` : 'none')} · tier ${p.tier} · ${p.outcome.replaceAll('_', ' ')}`;
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${REPORT_META_CSP}"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="generator" content="Ferry">
<title>${esc(title)}</title><style>${QUALITY_CSS}${PACK_CSS}</style></head>
<body><main>
<h1>Sign-off pack: ${esc(p.contract.name)} ${esc(p.contract.version)}</h1>
<p class="meta">Dress rehearsal evidence for the integration lead and the clinical safety officer · tier <b>${esc(p.tier)}</b> · contract digest <code>${esc(p.contract.digest)}</code>${r ? ` · run <code>${esc(r.runId)}</code>` : ''}</p>
<p class="banner ${ok ? 'ok' : 'bad'}" role="status">${esc(p.headline)}</p>
<nav aria-labelledby="toc"><h2 id="toc">Contents</h2><ol>${sections.map((s) => `<li><a href="#${s.id}">${esc(s.title)}</a></li>`).join('')}</ol></nav>
${sections.map((s) => `<section id="${s.id}" aria-labelledby="${s.id}-h"><h2 id="${s.id}-h">${esc(s.title)}</h2>\n${s.html}</section>`).join('\n')}
<footer>Generated by Ferry. This pack holds counts, codes, reason codes, source keys, digests and user ids only — never a patient value.</footer>
<div class="pagefoot" aria-hidden="true">${esc(foot)}</div>
</main></body></html>
`;
}
