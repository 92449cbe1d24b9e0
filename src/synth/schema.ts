/**
 * The legacy PAS schema as data: cryptic upper-case names, dates held as `dd/mm/yyyy` text,
 * padded fixed-width code fields and integer surrogate keys. One definition drives the CSV
 * headers, the tables created in a database target and the example contract's pinned
 * `source.tables`, so they cannot drift apart.
 */
import type { ForeignKeyInfo, LogicalType, TargetTableDef } from '../connectors/connector.js';
import type { SourceTable } from '../contract/model.js';

export interface LegacyColumn {
  name: string;
  type: LogicalType;
  /** Fixed width of a padded code field: values are right-padded with spaces to this width. */
  width?: number;
  nullable: boolean;
  description: string;
}

export interface LegacyTable {
  name: string;
  description: string;
  columns: LegacyColumn[];
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
}

const id = (name: string, description: string): LegacyColumn => ({ name, type: 'integer', nullable: false, description });
const ref = (name: string, description: string): LegacyColumn => ({ name, type: 'integer', nullable: true, description });
const text = (name: string, description: string, nullable = true): LegacyColumn => ({ name, type: 'text', nullable, description });
const code = (name: string, width: number, description: string): LegacyColumn => ({ name, type: 'text', width, nullable: true, description });
const date = (name: string, description: string): LegacyColumn => ({ name, type: 'text', nullable: true, description: `${description} (dd/mm/yyyy text)` });
const fk = (column: string, table: string, target: string): ForeignKeyInfo => ({ columns: [column], references: { table, columns: [target] } });

/** Every table of the legacy PAS, in parent-before-child order. */
export const LEGACY_TABLES: LegacyTable[] = [
  {
    name: 'PAT_MAST',
    description: 'Patient master index: one row per registered patient (duplicates happen)',
    primaryKey: ['PAT_ID'],
    foreignKeys: [],
    columns: [
      id('PAT_ID', 'Internal patient id'),
      text('PAT_HOSPNO', 'Hospital (case note) number'),
      text('PAT_NHSNO', 'NHS number, 10 digits, no spaces'),
      code('PAT_TITLE', 4, 'Title, local code'),
      text('PAT_SURNAME', 'Family name, upper case'),
      text('PAT_FORENM', 'Given name'),
      text('PAT_MIDNM', 'Middle names'),
      date('PAT_DOB', 'Date of birth'),
      code('PAT_SEX', 1, 'Sex, local code M/F/I/U'),
      code('PAT_ETHNIC', 2, 'Ethnicity, local two-letter code'),
      code('PAT_MARITAL', 2, 'Marital status, local code'),
      date('PAT_DOD', 'Date of death'),
      text('PAT_TEL', 'Telephone'),
      date('PAT_REGDT', 'Date registered on the PAS'),
    ],
  },
  {
    name: 'PAT_ALIAS',
    description: 'Previous and alternative names',
    primaryKey: ['ALIAS_ID'],
    foreignKeys: [fk('ALIAS_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('ALIAS_ID', 'Alias id'),
      ref('ALIAS_PATID', 'Patient'),
      code('ALIAS_TYPE', 4, 'PREV previous, MAID maiden, AKA also known as'),
      text('ALIAS_SURNAME', 'Alias family name'),
      text('ALIAS_FORENM', 'Alias given name'),
      date('ALIAS_FROM', 'Name used from'),
      date('ALIAS_TO', 'Name used until'),
    ],
  },
  {
    name: 'PAT_ADDR',
    description: 'Address history; the row with no ADDR_TO is current',
    primaryKey: ['ADDR_ID'],
    foreignKeys: [fk('ADDR_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('ADDR_ID', 'Address id'),
      ref('ADDR_PATID', 'Patient'),
      text('ADDR_LINE1', 'House number and street'),
      text('ADDR_LINE2', 'Locality'),
      text('ADDR_TOWN', 'Post town'),
      text('ADDR_COUNTY', 'County'),
      code('ADDR_PCODE', 8, 'Postcode'),
      date('ADDR_FROM', 'Resident from'),
      date('ADDR_TO', 'Resident until'),
    ],
  },
  {
    name: 'PAT_NOK',
    description: 'Next of kin',
    primaryKey: ['NOK_ID'],
    foreignKeys: [fk('NOK_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [id('NOK_ID', 'Next-of-kin id'), ref('NOK_PATID', 'Patient'), text('NOK_NAME', 'Full name'), code('NOK_REL', 8, 'Relationship, local code'), text('NOK_TEL', 'Telephone')],
  },
  {
    name: 'GP_REG',
    description: 'GP registration history (ODS practice codes)',
    primaryKey: ['GPR_ID'],
    foreignKeys: [fk('GPR_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('GPR_ID', 'Registration id'),
      ref('GPR_PATID', 'Patient'),
      code('GPR_GPPRAC', 6, 'GP practice ODS code'),
      code('GPR_GPCODE', 8, 'Registered GP national code'),
      date('GPR_FROM', 'Registered from'),
      date('GPR_TO', 'Registered until'),
    ],
  },
  {
    name: 'REF',
    description: 'Referrals, with the referral-to-treatment (RTT) clock start',
    primaryKey: ['REF_ID'],
    foreignKeys: [fk('REF_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('REF_ID', 'Referral id'),
      ref('REF_PATID', 'Patient'),
      date('REF_DT', 'Date referral received'),
      date('REF_RTT_START', 'RTT clock start'),
      code('REF_SPEC', 6, 'Specialty, local code'),
      code('REF_SRC', 4, 'Source of referral, local code'),
      code('REF_PRIORITY', 3, 'Priority: R routine, U urgent, 2WW two-week wait'),
    ],
  },
  {
    name: 'OP_APPT',
    description: 'Outpatient appointments',
    primaryKey: ['APPT_ID'],
    foreignKeys: [fk('APPT_PATID', 'PAT_MAST', 'PAT_ID'), fk('APPT_REFID', 'REF', 'REF_ID')],
    columns: [
      id('APPT_ID', 'Appointment id'),
      ref('APPT_PATID', 'Patient'),
      ref('APPT_REFID', 'Referral'),
      date('APPT_DT', 'Appointment date'),
      text('APPT_TIME', 'Appointment time hh:mm'),
      code('APPT_CLINIC', 8, 'Clinic code'),
      code('APPT_STATUS', 3, 'Attendance status, local code'),
      code('APPT_OUTCOME', 3, 'Outcome of attendance, local code'),
    ],
  },
  {
    name: 'WL_ENTRY',
    description: 'Elective waiting list entries',
    primaryKey: ['WL_ID'],
    foreignKeys: [fk('WL_PATID', 'PAT_MAST', 'PAT_ID'), fk('WL_REFID', 'REF', 'REF_ID')],
    columns: [
      id('WL_ID', 'Waiting list entry id'),
      ref('WL_PATID', 'Patient'),
      ref('WL_REFID', 'Referral'),
      date('WL_ADDED_DT', 'Date added to the list'),
      code('WL_SPEC', 6, 'Specialty, local code'),
      code('WL_PROC', 4, 'Intended procedure, OPCS-4'),
      code('WL_STATUS', 1, 'W waiting, A admitted, R removed'),
      date('WL_REMOVED_DT', 'Date removed from the list'),
    ],
  },
  {
    name: 'IP_SPELL',
    description: 'Inpatient hospital spells (one consultant episode per spell in this PAS)',
    primaryKey: ['SPELL_ID'],
    foreignKeys: [fk('SPELL_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('SPELL_ID', 'Spell id'),
      ref('SPELL_PATID', 'Patient'),
      date('ADM_DT', 'Admission date'),
      text('ADM_TIME', 'Admission time hh:mm'),
      code('ADM_METH', 2, 'Admission method, local code'),
      code('SPELL_SPEC', 6, 'Specialty, local code'),
      date('DISCH_DT', 'Discharge date'),
      code('DISCH_METH', 2, 'Discharge method, local code'),
    ],
  },
  {
    name: 'IP_WARD',
    description: 'Ward stays within a spell',
    primaryKey: ['WSTAY_ID'],
    foreignKeys: [fk('WSTAY_SPELLID', 'IP_SPELL', 'SPELL_ID')],
    columns: [id('WSTAY_ID', 'Ward stay id'), ref('WSTAY_SPELLID', 'Spell'), code('WARD_CODE', 6, 'Ward code'), date('WSTAY_START', 'Start of stay'), date('WSTAY_END', 'End of stay')],
  },
  {
    name: 'DIAG',
    description: 'Diagnoses per episode, ICD-10 (NHS 4-character form)',
    primaryKey: ['DIAG_ID'],
    foreignKeys: [fk('DIAG_SPELLID', 'IP_SPELL', 'SPELL_ID')],
    columns: [
      id('DIAG_ID', 'Diagnosis id'),
      ref('DIAG_SPELLID', 'Spell (episode)'),
      { name: 'DIAG_SEQ', type: 'integer', nullable: false, description: '1 = primary diagnosis' },
      code('DIAG_CODE', 6, 'ICD-10 code'),
    ],
  },
  {
    name: 'PROC',
    description: 'Procedures per episode, OPCS-4',
    primaryKey: ['PROC_ID'],
    foreignKeys: [fk('PROC_SPELLID', 'IP_SPELL', 'SPELL_ID')],
    columns: [
      id('PROC_ID', 'Procedure id'),
      ref('PROC_SPELLID', 'Spell (episode)'),
      { name: 'PROC_SEQ', type: 'integer', nullable: false, description: '1 = primary procedure' },
      code('PROC_CODE', 5, 'OPCS-4 code'),
      date('PROC_DT', 'Procedure date'),
    ],
  },
  {
    name: 'ALLERGY',
    description: 'Allergies, causative agent as a SNOMED CT substance id',
    primaryKey: ['ALG_ID'],
    foreignKeys: [fk('ALG_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('ALG_ID', 'Allergy id'),
      ref('ALG_PATID', 'Patient'),
      text('ALG_SCTID', 'SNOMED CT concept id'),
      text('ALG_DESC', 'Agent as recorded'),
      code('ALG_SEVERITY', 4, 'MILD, MOD or SEV'),
      date('ALG_RECORDED_DT', 'Date recorded'),
    ],
  },
  {
    name: 'ALERT',
    description: 'Clinical alerts, SNOMED CT findings',
    primaryKey: ['ALRT_ID'],
    foreignKeys: [fk('ALRT_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('ALRT_ID', 'Alert id'),
      ref('ALRT_PATID', 'Patient'),
      text('ALRT_SCTID', 'SNOMED CT concept id'),
      text('ALRT_DESC', 'Alert as recorded'),
      date('ALRT_START', 'Alert raised'),
      date('ALRT_END', 'Alert closed'),
    ],
  },
  {
    name: 'MEDS',
    description: 'Medication orders (dm+d ids)',
    primaryKey: ['MED_ID'],
    foreignKeys: [fk('MED_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('MED_ID', 'Medication order id'),
      ref('MED_PATID', 'Patient'),
      text('MED_DMDID', 'dm+d product id'),
      text('MED_NAME', 'Product name'),
      text('MED_DOSE', 'Dose'),
      code('MED_ROUTE', 3, 'Route, local code'),
      code('MED_FREQ', 3, 'Frequency, local code'),
      date('MED_START', 'Started'),
      date('MED_END', 'Stopped'),
    ],
  },
  {
    name: 'LAB',
    description: 'Laboratory results (LOINC)',
    primaryKey: ['LAB_ID'],
    foreignKeys: [fk('LAB_PATID', 'PAT_MAST', 'PAT_ID')],
    columns: [
      id('LAB_ID', 'Result id'),
      ref('LAB_PATID', 'Patient'),
      text('LAB_LOINC', 'LOINC code'),
      text('LAB_TEST', 'Test name'),
      text('LAB_VALUE', 'Result value as reported'),
      text('LAB_UNITS', 'Units'),
      text('LAB_REF_LOW', 'Reference range low'),
      text('LAB_REF_HIGH', 'Reference range high'),
      date('LAB_COLL_DT', 'Collection date'),
    ],
  },
];

export type LegacyTableName =
  'PAT_MAST' | 'PAT_ALIAS' | 'PAT_ADDR' | 'PAT_NOK' | 'GP_REG' | 'REF' | 'OP_APPT' | 'WL_ENTRY' | 'IP_SPELL' | 'IP_WARD' | 'DIAG' | 'PROC' | 'ALLERGY' | 'ALERT' | 'MEDS' | 'LAB';

/** Looks a legacy table up by name. */
export function legacyTable(name: LegacyTableName): LegacyTable {
  const t = LEGACY_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`no legacy table ${name}`);
  return t;
}

/** The schema in the contract's pinned `source.tables` shape. */
export function toSourceTables(tables: LegacyTable[] = LEGACY_TABLES): Record<string, SourceTable> {
  const out: Record<string, SourceTable> = {};
  for (const t of tables) {
    out[t.name] = {
      description: t.description,
      primary_key: [...t.primaryKey],
      columns: Object.fromEntries(t.columns.map((c) => [c.name, { type: c.type, nullable: c.nullable, description: c.description }])),
      foreign_keys: t.foreignKeys.map((f) => ({ columns: [...f.columns], references: { table: f.references.table, columns: [...f.references.columns] } })),
    };
  }
  return out;
}

/**
 * The schema as tables a Target can create. Text columns get no length and no foreign keys are
 * declared: the legacy system enforced neither, which is how overlong text and orphan rows got
 * in, and a database copy must be able to hold them to be a faithful rehearsal source.
 */
export function toTargetTableDefs(tables: LegacyTable[] = LEGACY_TABLES): TargetTableDef[] {
  return tables.map((t) => ({
    name: t.name,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type, nullable: !t.primaryKey.includes(c.name) })),
    primaryKey: [...t.primaryKey],
    foreignKeys: [],
  }));
}
