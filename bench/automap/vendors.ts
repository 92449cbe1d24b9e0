/**
 * Two more legacy vendors' conventions for the same PAS content, written before the matcher was
 * tuned and never changed after: "camel" (a CamelCase product: PatientMaster.DateOfBirth, ISO
 * dates, no padding, audit columns) and "terse" (a 1990s fixed-width product: PMI.PMIDOB, six-to-
 * eight character upper-case names, yyyymmdd dates, padded codes). Each maps the synthetic PAS
 * schema's table and column names (src/synth/schema.ts) to the vendor's; a column mapped to null
 * does not exist in that product.
 */

export interface Vendor {
  name: string;
  /** Seed of the synthetic PAS the vendor's rows come from; default the benchmark's seed (7). */
  seed?: number;
  /** How dates are written: a date pattern applied to the synthetic data's dd/mm/yyyy values. */
  dateFormat: 'yyyy-mm-dd' | 'yyyymmdd' | 'dd/mm/yyyy' | 'dd.mm.yyyy' | 'dd-mm-yyyy';
  /** True to strip the fixed-width padding of code fields. */
  unpad: boolean;
  /** Per synthetic table, the vendor's table and column names; a table mapped to null does not exist in that product. */
  tables: Record<string, { name: string; columns: Record<string, string | null> } | null>;
  /** Per synthetic table and column, how the product writes the value (after date reformatting): key formats, code words. */
  values?: Record<string, Record<string, (cell: string, row: number) => string>>;
  /** Extra columns the product adds to a table: name → how to fill it from the row number. */
  extras: Record<string, Record<string, (row: number) => string>>;
}

export const CAMEL: Vendor = {
  name: 'camel',
  dateFormat: 'yyyy-mm-dd',
  unpad: true,
  tables: {
    PAT_MAST: {
      name: 'PatientMaster',
      columns: {
        PAT_ID: 'PatientID',
        PAT_HOSPNO: 'HospitalNumber',
        PAT_NHSNO: 'NHSNumber',
        PAT_TITLE: 'Title',
        PAT_SURNAME: 'Surname',
        PAT_FORENM: 'Forename',
        PAT_MIDNM: null,
        PAT_DOB: 'DateOfBirth',
        PAT_SEX: 'Gender',
        PAT_ETHNIC: 'EthnicOrigin',
        PAT_MARITAL: 'MaritalStatus',
        PAT_DOD: 'DateOfDeath',
        PAT_TEL: 'HomePhone',
        PAT_REGDT: 'RegistrationDate',
      },
    },
    PAT_ALIAS: {
      name: 'PatientAlias',
      columns: { ALIAS_ID: 'AliasID', ALIAS_PATID: 'PatientID', ALIAS_TYPE: 'AliasType', ALIAS_SURNAME: 'AliasSurname', ALIAS_FORENM: 'AliasForename', ALIAS_FROM: 'ValidFrom', ALIAS_TO: 'ValidTo' },
    },
    PAT_ADDR: {
      name: 'PatientAddress',
      columns: {
        ADDR_ID: 'AddressID',
        ADDR_PATID: 'PatientID',
        ADDR_LINE1: 'AddressLine1',
        ADDR_LINE2: 'AddressLine2',
        ADDR_TOWN: 'Town',
        ADDR_COUNTY: 'County',
        ADDR_PCODE: 'PostCode',
        ADDR_FROM: 'FromDate',
        ADDR_TO: 'ToDate',
      },
    },
    PAT_NOK: { name: 'NextOfKin', columns: { NOK_ID: 'NextOfKinID', NOK_PATID: 'PatientID', NOK_NAME: 'FullName', NOK_REL: 'Relationship', NOK_TEL: 'ContactPhone' } },
    GP_REG: { name: 'GPRegistration', columns: { GPR_ID: 'RegistrationID', GPR_PATID: 'PatientID', GPR_GPPRAC: 'PracticeCode', GPR_GPCODE: null, GPR_FROM: 'StartDate', GPR_TO: 'EndDate' } },
    REF: {
      name: 'Referral',
      columns: { REF_ID: 'ReferralID', REF_PATID: 'PatientID', REF_DT: 'ReceivedDate', REF_RTT_START: 'RTTClockStart', REF_SPEC: 'Specialty', REF_SRC: 'ReferralSource', REF_PRIORITY: 'Priority' },
    },
    OP_APPT: {
      name: 'OutpatientAppointment',
      columns: {
        APPT_ID: 'AppointmentID',
        APPT_PATID: 'PatientID',
        APPT_REFID: 'ReferralID',
        APPT_DT: 'AppointmentDate',
        APPT_TIME: 'AppointmentTime',
        APPT_CLINIC: 'ClinicCode',
        APPT_STATUS: 'AttendanceStatus',
        APPT_OUTCOME: 'Outcome',
      },
    },
    WL_ENTRY: {
      name: 'WaitingList',
      columns: {
        WL_ID: 'WaitingListID',
        WL_PATID: 'PatientID',
        WL_REFID: 'ReferralID',
        WL_ADDED_DT: 'DateAdded',
        WL_SPEC: 'Specialty',
        WL_PROC: 'PlannedProcedure',
        WL_STATUS: 'Status',
        WL_REMOVED_DT: 'DateRemoved',
      },
    },
    IP_SPELL: {
      name: 'InpatientSpell',
      columns: {
        SPELL_ID: 'SpellID',
        SPELL_PATID: 'PatientID',
        ADM_DT: 'AdmissionDate',
        ADM_TIME: 'AdmissionTime',
        ADM_METH: 'AdmissionMethod',
        SPELL_SPEC: 'Specialty',
        DISCH_DT: 'DischargeDate',
        DISCH_METH: 'DischargeMethod',
      },
    },
    IP_WARD: { name: 'WardStay', columns: { WSTAY_ID: 'WardStayID', WSTAY_SPELLID: 'SpellID', WARD_CODE: 'WardCode', WSTAY_START: 'StartDate', WSTAY_END: 'EndDate' } },
    DIAG: { name: 'Diagnosis', columns: { DIAG_ID: 'DiagnosisID', DIAG_SPELLID: 'SpellID', DIAG_SEQ: 'Sequence', DIAG_CODE: 'DiagnosisCode' } },
    PROC: { name: 'Procedure', columns: { PROC_ID: 'ProcedureID', PROC_SPELLID: 'SpellID', PROC_SEQ: 'Sequence', PROC_CODE: 'ProcedureCode', PROC_DT: 'ProcedureDate' } },
    ALLERGY: {
      name: 'Allergy',
      columns: { ALG_ID: 'AllergyID', ALG_PATID: 'PatientID', ALG_SCTID: 'AgentConceptID', ALG_DESC: 'AgentDescription', ALG_SEVERITY: 'Severity', ALG_RECORDED_DT: 'RecordedDate' },
    },
    ALERT: { name: 'ClinicalAlert', columns: { ALRT_ID: 'AlertID', ALRT_PATID: 'PatientID', ALRT_SCTID: 'ConceptID', ALRT_DESC: 'AlertText', ALRT_START: 'StartDate', ALRT_END: 'EndDate' } },
    MEDS: {
      name: 'MedicationOrder',
      columns: {
        MED_ID: 'OrderID',
        MED_PATID: 'PatientID',
        MED_DMDID: 'DmdProductID',
        MED_NAME: 'ProductName',
        MED_DOSE: 'Dose',
        MED_ROUTE: 'Route',
        MED_FREQ: 'Frequency',
        MED_START: 'StartDate',
        MED_END: 'StopDate',
      },
    },
    LAB: {
      name: 'LabResult',
      columns: {
        LAB_ID: 'ResultID',
        LAB_PATID: 'PatientID',
        LAB_LOINC: 'LoincCode',
        LAB_TEST: 'TestName',
        LAB_VALUE: 'ResultValue',
        LAB_UNITS: 'Units',
        LAB_REF_LOW: 'RangeLow',
        LAB_REF_HIGH: 'RangeHigh',
        LAB_COLL_DT: 'CollectionDate',
      },
    },
  },
  extras: {
    PAT_MAST: { LastUpdated: (r) => `2024-0${1 + (r % 9)}-1${r % 10} 10:${10 + (r % 50)}:00`, UpdatedBy: (r) => ['SYSTEM', 'JBLOGGS', 'ASMITH', 'MIGRATE'][r % 4] },
    OP_APPT: { BookedBy: (r) => ['RECEPT1', 'RECEPT2', 'CLINIC'][r % 3] },
  },
};

export const TERSE: Vendor = {
  name: 'terse',
  dateFormat: 'yyyymmdd',
  unpad: false,
  tables: {
    PAT_MAST: {
      name: 'PMI',
      columns: {
        PAT_ID: 'PMIID',
        PAT_HOSPNO: 'PMICASENO',
        PAT_NHSNO: 'PMINHSNO',
        PAT_TITLE: 'PMITITL',
        PAT_SURNAME: 'PMISNAM',
        PAT_FORENM: 'PMIFNAM',
        PAT_MIDNM: 'PMIMNAM',
        PAT_DOB: 'PMIDOB',
        PAT_SEX: 'PMISEX',
        PAT_ETHNIC: 'PMIETHN',
        PAT_MARITAL: 'PMIMARST',
        PAT_DOD: 'PMIDOD',
        PAT_TEL: null,
        PAT_REGDT: 'PMIREGDT',
      },
    },
    PAT_ALIAS: {
      name: 'PMIALS',
      columns: { ALIAS_ID: 'ALSID', ALIAS_PATID: 'ALSPMI', ALIAS_TYPE: 'ALSTYP', ALIAS_SURNAME: 'ALSSNAM', ALIAS_FORENM: 'ALSFNAM', ALIAS_FROM: 'ALSSTDT', ALIAS_TO: 'ALSENDT' },
    },
    PAT_ADDR: {
      name: 'PMIADR',
      columns: {
        ADDR_ID: 'ADRID',
        ADDR_PATID: 'ADRPMI',
        ADDR_LINE1: 'ADRLN1',
        ADDR_LINE2: 'ADRLN2',
        ADDR_TOWN: 'ADRTOWN',
        ADDR_COUNTY: 'ADRCNTY',
        ADDR_PCODE: 'ADRPCD',
        ADDR_FROM: 'ADRSTDT',
        ADDR_TO: 'ADRENDT',
      },
    },
    PAT_NOK: { name: 'PMINOK', columns: { NOK_ID: 'NOKID', NOK_PATID: 'NOKPMI', NOK_NAME: 'NOKNAME', NOK_REL: 'NOKREL', NOK_TEL: 'NOKPHONE' } },
    GP_REG: { name: 'PMIGP', columns: { GPR_ID: 'GPRID', GPR_PATID: 'GPRPMI', GPR_GPPRAC: 'GPRPRAC', GPR_GPCODE: 'GPRGMP', GPR_FROM: 'GPRSTDT', GPR_TO: 'GPRENDT' } },
    REF: { name: 'RFL', columns: { REF_ID: 'RFLID', REF_PATID: 'RFLPMI', REF_DT: 'RFLRCVDT', REF_RTT_START: null, REF_SPEC: 'RFLSPEC', REF_SRC: 'RFLSRC', REF_PRIORITY: 'RFLPRTY' } },
    OP_APPT: {
      name: 'OPA',
      columns: { APPT_ID: 'OPAID', APPT_PATID: 'OPAPMI', APPT_REFID: 'OPARFL', APPT_DT: 'OPADT', APPT_TIME: 'OPATM', APPT_CLINIC: 'OPACLIN', APPT_STATUS: 'OPAATTND', APPT_OUTCOME: 'OPAOUTC' },
    },
    WL_ENTRY: {
      name: 'WLE',
      columns: { WL_ID: 'WLEID', WL_PATID: 'WLEPMI', WL_REFID: 'WLERFL', WL_ADDED_DT: 'WLEADDT', WL_SPEC: 'WLESPEC', WL_PROC: 'WLEPROC', WL_STATUS: 'WLESTAT', WL_REMOVED_DT: 'WLEREMDT' },
    },
    IP_SPELL: {
      name: 'IPS',
      columns: { SPELL_ID: 'IPSID', SPELL_PATID: 'IPSPMI', ADM_DT: 'IPSADMDT', ADM_TIME: 'IPSADMTM', ADM_METH: 'IPSADMMT', SPELL_SPEC: 'IPSSPEC', DISCH_DT: 'IPSDISDT', DISCH_METH: 'IPSDISMT' },
    },
    IP_WARD: { name: 'IPW', columns: { WSTAY_ID: 'IPWID', WSTAY_SPELLID: 'IPWIPS', WARD_CODE: 'IPWWARD', WSTAY_START: 'IPWSTDT', WSTAY_END: 'IPWENDT' } },
    DIAG: { name: 'DGN', columns: { DIAG_ID: 'DGNID', DIAG_SPELLID: 'DGNIPS', DIAG_SEQ: 'DGNSEQ', DIAG_CODE: 'DGNICD' } },
    PROC: { name: 'PRC', columns: { PROC_ID: 'PRCID', PROC_SPELLID: 'PRCIPS', PROC_SEQ: 'PRCSEQ', PROC_CODE: 'PRCOPCS', PROC_DT: 'PRCDT' } },
    ALLERGY: { name: 'ALG', columns: { ALG_ID: 'ALGID', ALG_PATID: 'ALGPMI', ALG_SCTID: 'ALGSCT', ALG_DESC: 'ALGTXT', ALG_SEVERITY: 'ALGSEV', ALG_RECORDED_DT: 'ALGRECDT' } },
    ALERT: { name: 'ALR', columns: { ALRT_ID: 'ALRID', ALRT_PATID: 'ALRPMI', ALRT_SCTID: 'ALRSCT', ALRT_DESC: 'ALRTXT', ALRT_START: 'ALRSTDT', ALRT_END: 'ALRENDT' } },
    MEDS: {
      name: 'RX',
      columns: { MED_ID: 'RXID', MED_PATID: 'RXPMI', MED_DMDID: 'RXDMD', MED_NAME: 'RXNAME', MED_DOSE: 'RXDOSE', MED_ROUTE: 'RXRTE', MED_FREQ: 'RXFRQ', MED_START: 'RXSTDT', MED_END: 'RXENDT' },
    },
    LAB: {
      name: 'PTH',
      columns: {
        LAB_ID: 'PTHID',
        LAB_PATID: 'PTHPMI',
        LAB_LOINC: 'PTHLOINC',
        LAB_TEST: 'PTHTEST',
        LAB_VALUE: 'PTHRES',
        LAB_UNITS: 'PTHUNIT',
        LAB_REF_LOW: 'PTHLO',
        LAB_REF_HIGH: 'PTHHI',
        LAB_COLL_DT: 'PTHCOLDT',
      },
    },
  },
  extras: {
    PAT_MAST: { PMIUSRID: (r) => ['OPR01', 'OPR02', 'OPR07', 'BATCH'][r % 4], PMIUPDDT: (r) => `2023${String(1 + (r % 12)).padStart(2, '0')}${String(1 + (r % 28)).padStart(2, '0')}` },
    IP_SPELL: { IPSWARD: (r) => ['W01   ', 'W02   ', 'ICU   ', 'AMU   '][r % 4] },
  },
};
