import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/contract.js';
import { memoryIO } from '../../src/cli/io.js';
import { reportError } from '../../src/cli/main.js';
import { contractDigest } from '../../src/contract/canonical.js';
import { describeRule, describeStep, documentContract, documentFormatFor } from '../../src/contract/document.js';
import { loadContract, loadContractText } from '../../src/contract/load.js';
import { stepSchema, ruleSchema, type LoadedContract } from '../../src/contract/model.js';
import { FerryError } from '../../src/errors.js';

const validFile = fileURLToPath(new URL('../fixtures/contracts/valid/contract.yaml', import.meta.url));
const exampleFile = fileURLToPath(new URL('../../examples/legacy-pas/contract.yaml', import.meta.url));
const at = new Date('2025-03-04T05:06:07Z');

let valid: LoadedContract;
let hostile: LoadedContract;
let dir: string;

// Contract text and code-list values an attacker (or a careless analyst) could write.
const HOSTILE = `
ferry: 1
metadata: { name: hostile, version: 0.0.1, owner: "Ops <ops@example.org> & co", description: "<img src=x onerror=alert(1)>" }
source:
  tables:
    SRC: { primary_key: [ID], columns: { ID: { type: integer }, CODE: { type: text } } }
target:
  tables:
    tgt:
      description: "1. not a list"
      primary_key: [id]
      columns: { id: { type: integer }, code: { type: text } }
crosswalks:
  codes: { file: codes.csv, description: "**bold** [link](http://evil)" }
mappings:
  tgt:
    source: SRC
    fields:
      id: { from: ID, rationale: "a | pipe\\nand a newline" }
      code:
        from: CODE
        steps: [trim, { null_if: ['<none>'] }]
        crosswalk: codes
        rationale: "<script>alert('x')</script>"
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-document-'));
  await writeFile(join(dir, 'codes.csv'), 'source_code,target_code,target_display\n<b>,1,"Tom & Jerry <i>"\nX|Y,2,"pipe | in display"\n');
  valid = await loadContract(validFile);
  hostile = await loadContractText(HOSTILE, 'hostile.yaml', dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('documentContract (Markdown)', () => {
  it('carries the title block, every field with its source, transforms, rules and rationale, the code list and the thresholds', () => {
    const md = documentContract(valid, { format: 'md', generatedAt: at });
    expect(md).toMatch(/^# Data migration specification: legacy\\_pas\\_small\n/);
    expect(md).toContain('| Version | 1.0.0 |');
    expect(md).toContain('| Owner | Migration team |');
    expect(md).toContain(`| Contract digest (SHA-256) | ${contractDigest(valid)} |`);
    expect(md).toContain('| Generated | 2025-03-04 05:06 UTC');
    expect(md).toContain('| sex\\_code | text(1) | SEX | trim; crosswalk sex | sex |   |   | Local codes mapped to NHS Data Dictionary person stated gender. |');
    expect(md).toContain('| birth\\_date | date | DOB | parse date dd/mm/yyyy or yyyymmdd |   | date, not in the future, not before 1880-01-01 |');
    expect(md).toContain('| gp\\_practice | text(6) | GP.PRACTICE | copied as is |   | ODS code, GP practice (warning) |');
    expect(md).toContain('| Joins | GP on PATIENT.GP\\_CODE = GP.GP\\_CODE');
    expect(md).toContain('| Filter | STATUS ≠ "DELETED"; other rows are excluded and counted |');
    expect(md).toContain('| Load | upsert (insert new rows, update existing ones by key); key patient\\_id |');
    expect(md).toContain('| U | 0 | Not known | equivalent |   |');
    expect(md).toContain('| completeness | patient | fail below 95%, warn below 99% | fail below 95%, warn below 99% | fail below 95%, warn below 99% |');
    for (const field of Object.keys(valid.contract.mappings.patient.fields)) expect(md).toContain(`| ${field.replace(/_/g, '\\_')} |`);
  });

  it('states each business reconciliation check with both figures and the tolerance', async () => {
    const text =
      (await readFile(validFile, 'utf8')) +
      `
reconciliation:
  - name: open_referrals
    description: Patients with an open referral
    source: { table: PATIENT, aggregate: count_distinct, column: PAT_ID, filter: [{ column: STATUS, op: eq, value: OPEN }], group_by: GP_CODE }
    target: { table: patient, aggregate: count }
    tolerance: 2
`;
    const loaded = await loadContractText(text, 'contract.yaml', join(validFile, '..'));
    const md = documentContract(loaded, { format: 'md', generatedAt: at });
    expect(md).toContain('| open\\_referrals | distinct PATIENT.PAT\\_ID where STATUS = "OPEN", per GP\\_CODE | count of patient rows | ± 2 | Patients with an open referral |');
    expect(documentContract(valid, { format: 'md', generatedAt: at })).toContain('The contract declares no business reconciliation checks.');
  });

  it('is the same text for the same contract and time', () => {
    expect(documentContract(valid, { format: 'md', generatedAt: at })).toBe(documentContract(valid, { format: 'md', generatedAt: at }));
  });

  it('keeps hostile contract text inside its table cell and never renders it as markup', () => {
    const md = documentContract(hostile, { format: 'md', generatedAt: at });
    const tables = md.split('\n\n').filter((b) => b.startsWith('|'));
    for (const t of tables) {
      const rows = t.trimEnd().split('\n');
      // Unescaped pipes delimit cells: every row must have as many as the header.
      const cells = (r: string) => r.replace(/\\./g, '').split('|').length;
      for (const r of rows) expect(cells(r), r).toBe(cells(rows[0]));
    }
    expect(md).toContain('a \\| pipe and a newline');
    expect(md).toContain("\\<script\\>alert('x')\\</script\\>");
    expect(md).toContain('\\*\\*bold\\*\\* \\[link\\](http://evil)');
    expect(md).toContain('| \\<b\\> | 1 | Tom \\& Jerry \\<i\\> |');
    expect(md).toContain('\n1\\. not a list\n');
  });
});

describe('documentContract (HTML)', () => {
  it('is one self-contained page: inline CSS, no scripts, no external resources, print styles', () => {
    const html = documentContract(valid, { format: 'html', generatedAt: at });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<style>');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(|@import/i);
    expect(html).toContain('<a href="#code-list-sex">sex</a>');
    expect(html).toContain('id="code-list-sex"');
  });

  it('escapes every piece of contract and code-list text', () => {
    const html = documentContract(hostile, { format: 'html', generatedAt: at });
    expect(html).not.toMatch(/<script|<img|<b>|<i>|onerror=alert\(1\)>/);
    expect(html).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Ops &lt;ops@example.org&gt; &amp; co');
    expect(html).toContain('<td>Tom &amp; Jerry &lt;i&gt;</td>');
  });
});

describe('plain-language transforms and rules', () => {
  it('describes each step the way a reviewer reads it', () => {
    const cases: Array<[unknown, string]> = [
      ['trim', 'trim'],
      [{ trim: { side: 'left' } }, 'trim left'],
      [{ parse_date: { formats: ['dd/mm/yy'] } }, 'parse date dd/mm/yy (two-digit years up to 30 are 20yy)'],
      [{ to_decimal: { scale: 2 } }, 'to decimal, 2 places'],
      [{ substring: { start: 0, length: 3 } }, 'characters 1–3'],
      [{ pad: { length: 10, char: '0' } }, 'pad left to 10 with "0"'],
      [{ split: { separator: '^', index: 1 } }, 'part 2 when split on "^"'],
      [{ map: { values: { Y: true, N: false } } }, 'map "Y" → true, "N" → false; anything else quarantines the row'],
      [{ map: { values: { Y: 1 }, default: null } }, 'map "Y" → 1; anything else → null'],
      [{ lookup: { table: 'GP', key: 'GP_CODE', value: 'PRACTICE', required: true } }, 'look up GP.PRACTICE by GP.GP_CODE; no match quarantines the row'],
      [{ coalesce: { columns: ['A', 'B'] } }, 'if empty, first non-blank of A, B'],
      [{ crosswalk: 'sex' }, 'crosswalk sex'],
      [{ null_if: ['', 'UNK'] }, 'empty if "", "UNK"'],
    ];
    for (const [step, words] of cases) expect(describeStep(stepSchema.parse(step))).toBe(words);
  });

  it('describes rules with their arguments and severity', () => {
    expect(describeRule(ruleSchema.parse('nhs_number'))).toBe('NHS number (modulus 11)');
    expect(describeRule(ruleSchema.parse({ range: { min: 0, max: 9999 } }))).toBe('value 0 to 9999');
    expect(describeRule(ruleSchema.parse({ length: { max: 35 }, severity: 'warning' }))).toBe('length at most 35 (warning)');
    expect(describeRule(ruleSchema.parse({ enum: { values: ['A', 1] } }))).toBe('one of "A", 1');
  });
});

describe('documentFormatFor', () => {
  it('takes the format from the file name and refuses anything else', () => {
    expect(documentFormatFor('spec.HTML')).toBe('html');
    expect(documentFormatFor('out/spec.md')).toBe('md');
    expect(() => documentFormatFor('spec.pdf')).toThrow(FerryError);
  });
});

describe.runIf(existsSync(exampleFile))('the example legacy PAS contract', () => {
  it('documents every target table, mapped field and code list entry', async () => {
    const loaded = await loadContract(exampleFile);
    const html = documentContract(loaded, { format: 'html', generatedAt: at });
    for (const [table, mapping] of Object.entries(loaded.contract.mappings)) {
      expect(html).toContain(`id="table-${table}"`);
      for (const field of Object.keys(mapping.fields)) expect(html).toContain(`<td>${field}`);
    }
    for (const [name, entries] of Object.entries(loaded.crosswalks)) {
      expect(html).toContain(`id="code-list-${name}"`);
      for (const e of entries) expect(html).toContain(`<td>${e.source_code.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</td>`);
    }
  });
});

// Mirrors main(): the contract command group, errors mapped by reportError.
async function ferry(argv: string[], cwd: string) {
  const io = memoryIO({ cwd });
  let code = 0;
  const program = new Command('ferry').exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  register(program, io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    code = reportError(err, io);
  }
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('ferry contract document', () => {
  it('writes the HTML or Markdown specification named by --out', async () => {
    await cp(join(validFile, '..'), join(dir, 'valid'), { recursive: true });
    const html = await ferry(['contract', 'document', 'valid/contract.yaml', '--out', 'spec.html'], dir);
    expect(html).toMatchObject({ code: 0, stderr: '' });
    expect(html.stdout).toMatch(/^wrote spec\.html: HTML specification of legacy_pas_small 1\.0\.0 \(digest [0-9a-f]{12}\)\n$/);
    expect(await readFile(join(dir, 'spec.html'), 'utf8')).toContain('<h2 id="table-patient">Target table patient</h2>');
    const md = await ferry(['contract', 'document', 'valid/contract.yaml', '--out', 'spec.md', '--json'], dir);
    expect(JSON.parse(md.stdout)).toMatchObject({ out: 'spec.md', format: 'md', name: 'legacy_pas_small', digest: contractDigest(valid) });
    expect(await readFile(join(dir, 'spec.md'), 'utf8')).toContain('## Target table patient');
  });

  it('refuses an output name whose format it cannot tell, and an unwritable path, with exit 2', async () => {
    const pdf = await ferry(['contract', 'document', 'valid/contract.yaml', '--out', 'spec.pdf'], dir);
    expect(pdf.code).toBe(2);
    expect(pdf.stderr).toContain('end it in .html or .md');
    const missing = await ferry(['contract', 'document', 'valid/contract.yaml', '--out', 'no/such/dir/spec.md'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot write the document (ENOENT)');
  });
});
