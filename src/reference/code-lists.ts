/**
 * The national code lists Ferry ships (reference/nhs-data-dictionary/*.csv): the targets local
 * PAS codes are mapped onto. They are read from the package at run time rather than compiled
 * in, so a trust can inspect exactly the file a check used.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { FerryError } from '../errors.js';
import { didYouMean } from '../contract/suggest.js';

/** Where the shipped lists live, relative to this module (src/reference → package root). */
export const REFERENCE_DIR = fileURLToPath(new URL('../../reference/nhs-data-dictionary/', import.meta.url));

/** One shipped list: its CLI name, the NHS Data Dictionary data element it carries and where it came from. */
export interface ReferenceListInfo {
  name: string;
  /** The NHS Data Dictionary data element, as the Dictionary spells it. */
  element: string;
  /** Where the rows were copied from (see NOTICE.md next to the files). */
  origin: string;
}

/** A national code. */
export interface ReferenceCode {
  code: string;
  display: string;
  definition: string;
}

/** A list with its codes. */
export interface ReferenceList extends ReferenceListInfo {
  file: string;
  codes: ReferenceCode[];
}

export const REFERENCE_LISTS: readonly ReferenceListInfo[] = [
  { name: 'person-stated-gender', element: 'PERSON STATED GENDER CODE', origin: 'HL7 UK NHSDataModelAndDictionary-PersonStatedGenderCode' },
  { name: 'ethnic-category', element: 'ETHNIC CATEGORY', origin: 'HL7 UK UKCore-EthnicCategoryEngland' },
  { name: 'marital-status', element: 'PERSON MARITAL STATUS', origin: 'HL7 UK UKCore-PersonMaritalStatusEngland' },
  { name: 'admission-method', element: 'ADMISSION METHOD (HOSPITAL PROVIDER SPELL)', origin: 'HL7 UK UKCore-AdmissionMethodEngland' },
  { name: 'admission-source', element: 'SOURCE OF ADMISSION (HOSPITAL PROVIDER SPELL)', origin: 'HL7 UK UKCore-SourceOfAdmissionEngland' },
  {
    name: 'discharge-method',
    element: 'DISCHARGE METHOD (HOSPITAL PROVIDER SPELL)',
    origin: 'HL7 UK UKCore-DischargeMethodEngland, plus code 2 from NHSDataModelAndDictionary-DischargeMethod',
  },
  { name: 'discharge-destination', element: 'DISCHARGE DESTINATION (HOSPITAL PROVIDER SPELL)', origin: 'HL7 UK UKCore-DischargeDestinationEngland' },
  { name: 'attendance-status', element: 'ATTENDED OR DID NOT ATTEND', origin: 'written from the NHS Data Dictionary (not in the HL7 UK CodeSystems)' },
  { name: 'outcome-of-attendance', element: 'OUTCOME OF ATTENDANCE', origin: 'HL7 UK UKCore-OutcomeOfAttendanceEngland' },
];

/** Names of the shipped lists, in the order they are listed. */
export function referenceListNames(): string[] {
  return REFERENCE_LISTS.map((l) => l.name);
}

/** Loads one shipped list by name; an unknown name is a usage error that lists the names. */
export async function loadReferenceList(name: string): Promise<ReferenceList> {
  const info = REFERENCE_LISTS.find((l) => l.name === name);
  if (!info) {
    const names = referenceListNames();
    throw new FerryError('usage', 'reference.unknown', `no reference list named ${name}${didYouMean(name, names)}; the lists are ${names.join(', ')}`);
  }
  const file = `${REFERENCE_DIR}${info.name}.csv`;
  const rows = parse(await readFile(file), { columns: true, bom: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const codes = rows.map((r) => ({ code: r.code, display: r.display, definition: r.definition ?? '' }));
  return { ...info, file, codes };
}
