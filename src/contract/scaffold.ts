/**
 * The starter project `ferry init` writes: a small commented contract that validates as is, its
 * crosswalk, an environment template for credentials and a README with the next steps.
 */

/** Files of a new project, keyed by path relative to the project directory. */
export function scaffoldFiles(name: string): Record<string, string> {
  return {
    'contract.yaml': starterContract(name),
    'crosswalks/sex.csv': SEX_CROSSWALK,
    '.env.example': ENV_EXAMPLE,
    'README.md': readme(name),
  };
}

/** Turns a directory name into a valid contract name (an identifier). */
export function contractName(dirName: string): string {
  const cleaned = dirName.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (cleaned === '') return 'my_migration';
  return /^[0-9]/.test(cleaned) ? `m_${cleaned}` : cleaned.slice(0, 128);
}

function starterContract(name: string): string {
  return `# Ferry migration contract. Reference: docs/contract.md in the Ferry repository.
# Check it with:   ferry contract validate contract.yaml
# Its identity:    ferry contract digest contract.yaml   (changes whenever its meaning changes)
ferry: 1

metadata:
  name: ${name}
  version: 0.1.0            # semantic version; bump it for every reviewed change
  owner: Migration team
  description: Legacy PAS patients into the new EPR patient table.

# The legacy schema as it was when this contract was written. A run stops if the live source
# has drifted from it. Types: text, integer, decimal, date, timestamp, boolean, binary.
source:
  tables:
    PATIENT:
      primary_key: [PAT_ID]
      columns:
        PAT_ID: { type: integer, nullable: false }
        NHS_NO: { type: text }
        SURNAME: { type: text }
        FORENAMES: { type: text }
        SEX: { type: text }            # local codes: M, F, U, I
        DOB: { type: text }            # free text: dd/mm/yyyy or yyyymmdd
        POSTCODE: { type: text }
        GP_ID: { type: integer }
      foreign_keys:
        - columns: [GP_ID]
          references: { table: GP, columns: [GP_ID] }
    GP:
      primary_key: [GP_ID]
      columns:
        GP_ID: { type: integer, nullable: false }
        PRACTICE_CODE: { type: text }

# The schema Ferry loads into. Columns with nullable: false must be mapped below.
target:
  tables:
    patient:
      primary_key: [patient_id]
      columns:
        patient_id: { type: integer, nullable: false }
        nhs_number: { type: text, length: 10 }
        family_name: { type: text, nullable: false, length: 35 }
        given_name: { type: text, length: 35 }
        person_stated_gender_code: { type: text, length: 1 }
        birth_date: { type: date }
        postcode: { type: text, length: 8 }
        gp_practice_code: { type: text, length: 6 }
    # A child table declares its parent, so it loads after it and its rows follow a quarantined
    # parent (reason parent.quarantined) unless the key says on_parent_quarantined: load:
    #   foreign_keys:
    #     - { columns: [patient_id], references: { table: patient, columns: [patient_id] } }

# Code dictionaries: CSV files next to this contract (source_code,target_code,target_display).
# Their contents are part of the contract's digest.
crosswalks:
  sex:
    file: crosswalks/sex.csv
    version: "1"
    description: Legacy sex codes to NHS Data Dictionary person stated gender.

# One mapping per target table. Every field says where its value comes from (from / value /
# default), how it is cleaned (steps, applied in order), how it is checked (rules: errors
# quarantine the row, warnings are only reported) and why (rationale, required).
mappings:
  patient:
    source: PATIENT
    joins:
      - table: GP                   # joined columns are written GP.COLUMN
        on: { GP_ID: GP_ID }
    fields:
      patient_id:
        from: PAT_ID
        rationale: Legacy surrogate key, kept so every target row traces back to its source row.
      nhs_number:
        from: NHS_NO
        steps:
          - trim
          - regex_replace: { pattern: '[\\s-]+', replacement: '' }   # legacy screens allowed spaces and dashes
          - null_if: ['', '0000000000']
        rules: [nhs_number]           # 10 digits with a valid modulus-11 check digit
        rationale: The national patient identifier; formatting characters removed before checking.
      family_name:
        from: SURNAME
        steps: [trim, upper]
        rules: [required, { length: { max: 35 } }]
        rationale: The EPR matches on upper-case family names and limits them to 35 characters.
      given_name:
        from: FORENAMES
        steps:
          - trim
          - split: { separator: ' ', index: 0 }    # first forename only
          - title
        rationale: The EPR holds the first forename; middle names stay in the legacy archive.
      person_stated_gender_code:
        from: SEX
        steps: [trim, upper]
        crosswalk: sex                # an unmapped code quarantines the row
        rationale: Local codes translated to the NHS Data Dictionary person stated gender code.
      birth_date:
        from: DOB
        steps:
          - parse_date: { formats: [dd/mm/yyyy, yyyymmdd] }
        rules:
          - date                      # not in the future, not before 1880
        rationale: Dates of birth were keyed as text in two formats over the system's life.
      postcode:
        from: POSTCODE
        steps: [trim, upper]
        rules:
          - postcode: {}
            severity: warning         # reported, but the patient still loads
        rationale: Postcodes are used for correspondence; an unusual one should not block the patient.
      gp_practice_code:
        from: GP.PRACTICE_CODE
        steps: [trim, upper]
        rules:
          - ods_code: { kind: gp_practice }
            severity: warning
        rationale: Registered practice, resolved through the legacy GP table.

# Quality gates: a run fails when a KPI falls below fail_below in the listed tiers.
quality:
  thresholds:
    - { kpi: completeness, table: patient, fail_below: 0.95, warn_below: 0.99 }
    - { kpi: code_coverage, fail_below: 1.0 }
`;
}

const SEX_CROSSWALK = `source_code,target_code,target_display,equivalence,note
M,1,Male,equivalent,
F,2,Female,equivalent,
I,9,Indeterminate (unable to be classified as either male or female),equivalent,
U,0,Not Known (not recorded),equivalent,Legacy U meant unknown
`;

const ENV_EXAMPLE = `# Copy to .env (never commit it) or export these in your shell. Ferry reads connection
# details from the environment; passwords never go in the contract or on the command line.

# Where to read from and write to (used when --source / --target are not given).
# Forms: csv:DIR  ndjson:DIR  sqlite:FILE  postgres://user@host:5432/db  mysql://user@host:3306/db
FERRY_SOURCE_URL=csv:./legacy-export
FERRY_TARGET_URL=postgres://ferry@localhost:5432/epr_staging

# PostgreSQL reads its password from PGPASSWORD; MySQL/MariaDB from MYSQL_PWD.
PGPASSWORD=change-me
# MYSQL_PWD=change-me

# When source and target need different passwords, name a variable per URL instead:
#   FERRY_SOURCE_URL=postgres://reader@legacy-db:5432/pas?password_env=LEGACY_DB_PASSWORD
#   FERRY_TARGET_URL=postgres://loader@epr-db:5432/epr?password_env=EPR_DB_PASSWORD
# LEGACY_DB_PASSWORD=change-me
# EPR_DB_PASSWORD=change-me
`;

function readme(name: string): string {
  return `# ${name}

A Ferry migration project.

| File | What it is |
| --- | --- |
| \`contract.yaml\` | The migration contract: source and target schemas, mappings, rules, crosswalks, quality thresholds. |
| \`crosswalks/sex.csv\` | A code dictionary (\`source_code,target_code,target_display[,equivalence,note]\`). |
| \`.env.example\` | How to give source/target URLs and passwords through the environment. |

## Next steps

1. Edit \`contract.yaml\` to describe your legacy source and your target, then check it:

       ferry contract validate contract.yaml

   Every problem is reported as \`file:line:column: path: message\`.

2. Record the contract's identity; runs are pinned to it:

       ferry contract digest contract.yaml

3. Review a change against the previous version before sign-off:

       ferry contract diff previous/contract.yaml contract.yaml

4. For completion and checking in your editor, write the JSON Schema and point your YAML
   extension at it:

       ferry contract schema --out contract.schema.json

5. Copy \`.env.example\` to \`.env\` and fill in the connection details. Ferry reads \`.env\`
   from the directory you run it in (variables already set in your shell win); keep it out of
   version control. Then run against synthetic or pre-production data first:

       ferry run contract.yaml --dry-run
`;
}
