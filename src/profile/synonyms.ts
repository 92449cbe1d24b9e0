/**
 * The shipped synonym dictionary: healthcare and legacy-system abbreviations → canonical
 * concept words. Written from NHS Data Dictionary vocabulary and the naming habits of UK PAS /
 * EPR products (fixed-width upper-case names, module prefixes, dropped vowels); it ships with
 * the package, so matching needs no network service and no model download.
 *
 * A value is one expansion (space-separated concepts, e.g. `dob` → `birth date`) or several
 * alternatives separated by `|` when an abbreviation is genuinely ambiguous (`ref` is a
 * referral in a PAS but a reference range in pathology); matching picks the alternative the
 * other name supports.
 */

const ENTRIES: Record<string, string> = {
  // People and identity
  pat: 'patient', pt: 'patient', ptnt: 'patient', patnt: 'patient', patient: 'patient', pers: 'patient', person: 'patient',
  client: 'patient', subj: 'patient', subject: 'patient', member: 'patient',
  pmi: 'patient master', mpi: 'patient master', mast: 'master', mstr: 'master', master: 'master', main: 'master',
  idx: 'index', index: 'index', demog: 'patient master', demographics: 'patient master', demographic: 'patient master',
  nhs: 'nhs', national: 'nhs', nhsno: 'nhs number', nhsnum: 'nhs number', nhsnbr: 'nhs number',
  no: 'number', num: 'number', nbr: 'number', nr: 'number', nmbr: 'number', number: 'number',
  id: 'id', ident: 'id', identifier: 'id', key: 'id', uid: 'id', guid: 'id', uuid: 'id', seqid: 'id', pk: 'id',
  hosp: 'hospital', hsp: 'hospital', hospital: 'hospital', hospno: 'hospital number', mrn: 'hospital number', crn: 'hospital number',
  casenote: 'hospital number', caseno: 'hospital number', case: 'hospital', cn: 'hospital number', district: 'hospital|county', dist: 'hospital', local: 'hospital',
  dob: 'birth date', bdate: 'birth date', birthdate: 'birth date', birthdt: 'birth date', brthdt: 'birth date', birth: 'birth', born: 'birth', brth: 'birth', bday: 'birth date', birthday: 'birth date',
  dod: 'death date', deathdate: 'death date', death: 'death', deceased: 'death', died: 'death', dth: 'death', dec: 'death',
  sur: 'family name', surname: 'family name', surnm: 'family name', snm: 'family name', sname: 'family name', snam: 'family name',
  lname: 'family name', lastname: 'family name', last: 'family', family: 'family', fam: 'family', famnm: 'family name',
  fore: 'given', forenm: 'given name', forename: 'given name', forenames: 'given name', fname: 'given name',
  firstname: 'given name', first: 'given', given: 'given', givnm: 'given name', gname: 'given name', fnam: 'given name', chrstn: 'given name', christian: 'given',
  mid: 'middle', middle: 'middle', midnm: 'middle name', mname: 'middle name', mnam: 'middle name', other: 'middle', oth: 'middle',
  nm: 'name', nam: 'name', name: 'name', nme: 'name', mnemonic: 'name', full: 'full', fullname: 'full name',
  title: 'title|name', ttl: 'title', prefix: 'title', salutation: 'title',
  suffix: 'suffix',
  sex: 'sex', gender: 'sex', gndr: 'sex', gend: 'sex', gen: 'sex',
  eth: 'ethnicity', ethnic: 'ethnicity', ethnicity: 'ethnicity', ethn: 'ethnicity', ethnc: 'ethnicity', race: 'ethnicity', origin: 'ethnicity',
  mar: 'marital', marital: 'marital', mstat: 'marital status', maritalstatus: 'marital status', civil: 'marital', civ: 'marital',
  relig: 'religion', religion: 'religion', rel: 'relationship|religion',
  lang: 'language', language: 'language', nat: 'nationality', nationality: 'nationality', occ: 'occupation', occupation: 'occupation',
  email: 'email', eml: 'email', mail: 'email',
  tel: 'telephone', telno: 'telephone', phone: 'telephone', phn: 'telephone', telephone: 'telephone', mob: 'telephone', mobile: 'telephone', ph: 'telephone',
  // Address
  addr: 'address', address: 'address', adr: 'address', adrs: 'address', add: 'address|added', res: 'result|address', residence: 'address', home: 'address',
  ln: 'line', line: 'line|sequence', street: 'line', str: 'line', locality: 'line',
  town: 'town', city: 'town', twn: 'town', posttown: 'town',
  cnty: 'county', county: 'county', cty: 'county', state: 'county|status', region: 'county', province: 'county',
  pcode: 'postcode', postcode: 'postcode', pcd: 'postcode', pc: 'postcode', zip: 'postcode', zipcode: 'postcode', pstcd: 'postcode', postal: 'postcode',
  country: 'country', ctry: 'country',
  // Organisations and staff
  gp: 'gp', gmp: 'gp', pcp: 'gp', prsnl: 'gp|consultant', personnel: 'gp|consultant', gpcode: 'gp code', doctor: 'gp', dr: 'gp', practitioner: 'gp|consultant',
  prac: 'practice', pract: 'practice', practice: 'practice', surgery: 'practice', gpprac: 'gp practice', gppr: 'gp practice', ods: 'practice code',
  org: 'organisation', organisation: 'organisation', organization: 'organisation', provider: 'organisation', prov: 'organisation', site: 'organisation',
  cons: 'consultant', consultant: 'consultant', cnslt: 'consultant', clinician: 'consultant', hcp: 'consultant',
  reg: 'registration', regd: 'registration', registered: 'registration', registration: 'registration', regn: 'registration', enrol: 'registration',
  // Pathway
  ref: 'referral|reference', referral: 'referral', refl: 'referral', refd: 'referral', referred: 'referral',
  refsrc: 'referral source', referrer: 'referral source', requester: 'referral source', src: 'source', source: 'source', srce: 'source', from: 'start|source',
  pri: 'priority', prio: 'priority', priority: 'priority', prty: 'priority', urg: 'priority', urgency: 'priority',
  rcvd: 'received', received: 'received', receipt: 'received', recv: 'received',
  rtt: 'rtt', clock: 'clock', pathway: 'pathway',
  start: 'start', strt: 'start', st: 'start|line', begin: 'start', beg: 'start', commenced: 'start', started: 'start', eff: 'start', effective: 'start', valid: 'start', onset: 'start',
  end: 'end', to: 'end', until: 'end', till: 'end', stop: 'end', stp: 'end', stopped: 'end', fin: 'end', finish: 'end', ceased: 'end', expiry: 'end', expiration: 'end', expires: 'end', en: 'end',
  appt: 'appointment encounter', app: 'appointment', apt: 'appointment', appointment: 'appointment encounter', appnt: 'appointment encounter', booking: 'appointment encounter', bkg: 'appointment',
  clin: 'clinic', clinic: 'clinic', cln: 'clinic', session: 'clinic',
  loc: 'clinic|ward', location: 'clinic|ward', dept: 'clinic|ward', department: 'clinic|ward',
  stat: 'status', status: 'status', sts: 'status', stt: 'status',
  attend: 'attendance', attended: 'attendance', att: 'attendance', attendance: 'attendance encounter', dna: 'attendance',
  outc: 'outcome', otcm: 'outcome',
  op: 'outpatient', opd: 'outpatient', opa: 'outpatient appointment', outpat: 'outpatient', outpatient: 'outpatient',
  ip: 'inpatient', inpat: 'inpatient', inpatient: 'inpatient',
  wl: 'waiting list', wait: 'waiting', waiting: 'waiting', wlist: 'waiting list', list: 'list', elective: 'waiting list',
  added: 'added', removed: 'removed', remove: 'removed', rem: 'removed', rmvd: 'removed', planned: 'planned', intended: 'planned',
  serv: 'service|specialty', service: 'service|specialty', spec: 'specialty', spc: 'specialty', specialty: 'specialty', speciality: 'specialty', splty: 'specialty', tfc: 'specialty', spcl: 'specialty',
  proc: 'procedure', px: 'procedure', procedure: 'procedure', prc: 'procedure', prcd: 'procedure', oper: 'procedure', operation: 'procedure', opcs: 'opcs procedure', surg: 'procedure',
  diag: 'diagnosis', dx: 'diagnosis', diagnosis: 'diagnosis', dg: 'diagnosis', icd: 'icd diagnosis', condition: 'diagnosis', cond: 'diagnosis', problem: 'diagnosis',
  adm: 'admission', admit: 'admission', admitted: 'admission', admission: 'admission encounter', admn: 'admission', adms: 'admission', stay: 'stay',
  disch: 'discharge', dis: 'discharge', dsch: 'discharge', dischg: 'discharge', discharged: 'discharge', discharge: 'discharge', dc: 'discharge', sep: 'discharge',
  meth: 'method', method: 'method', mthd: 'method', mt: 'method', mode: 'method',
  ward: 'ward', wrd: 'ward', wd: 'ward', bed: 'ward',
  wstay: 'ward stay', los: 'stay',
  spell: 'spell encounter', episode: 'episode encounter', epi: 'episode encounter', eps: 'episode encounter',
  enc: 'encounter', encounter: 'encounter', visit: 'visit encounter', contact: 'encounter|telephone', spl: 'spell encounter',
  // Clinical
  alg: 'allergy', allergy: 'allergy', allerg: 'allergy', alrg: 'allergy', sensitivity: 'allergy', adverse: 'allergy', intolerance: 'allergy',
  alrt: 'alert', alert: 'alert', alr: 'alert', warning: 'alert', flag: 'flag', flg: 'flag', ind: 'flag', indicator: 'flag', yn: 'flag',
  med: 'medication', meds: 'medication', medication: 'medication', drug: 'medication', drg: 'medication', rx: 'medication', presc: 'medication',
  prescription: 'medication', mdctn: 'medication', medicine: 'medication', order: 'medication|sequence',
  dmd: 'dmd product', dmdid: 'dmd product id', vmp: 'dmd product', amp: 'dmd product', product: 'product', prod: 'product',
  dose: 'dose', dse: 'dose', dosage: 'dose', strength: 'dose',
  route: 'route', rte: 'route', rt: 'route',
  freq: 'frequency', frq: 'frequency', frequency: 'frequency', timing: 'frequency',
  lab: 'lab', labs: 'lab', path: 'lab', pathology: 'lab', test: 'test', tst: 'test', component: 'test', investigation: 'test', inv: 'test', obs: 'observation result', observation: 'observation result', measurement: 'observation result',
  result: 'result', rslt: 'result', rsl: 'result', outcome: 'outcome',
  loinc: 'loinc test', snomed: 'snomed', sct: 'snomed', sctid: 'snomed id', concept: 'snomed|code', conceptid: 'snomed id|code',
  val: 'value', value: 'value', vl: 'value', reading: 'value', amount: 'value', qty: 'quantity', quantity: 'quantity',
  unit: 'unit', units: 'unit', uom: 'unit', unt: 'unit',
  low: 'low', lo: 'low', lower: 'low', min: 'low', lwr: 'low', high: 'high', hi: 'high', upper: 'high', max: 'high', hgh: 'high',
  range: 'range', rng: 'range', reference: 'reference', norm: 'reference', normal: 'reference',
  coll: 'collected', collected: 'collected', collection: 'collected', col: 'collected', sample: 'collected', smp: 'collected', specimen: 'collected',
  desc: 'description', description: 'description', descr: 'description', dsc: 'description', text: 'description', txt: 'description',
  term: 'description|end', display: 'description', narrative: 'description', comment: 'description', cmt: 'description', note: 'description', notes: 'description',
  sev: 'severity', severity: 'severity', svrty: 'severity', svr: 'severity',
  sub: 'substance', subst: 'substance', substance: 'substance', agent: 'substance', allergen: 'substance', causative: 'substance',
  // Generic
  code: 'code', cd: 'code', cde: 'code', cod: 'code', coding: 'code', codeable: 'code',
  type: 'type', typ: 'type', tp: 'type', kind: 'type', category: 'category', cat: 'category', class: 'category', cls: 'category', grp: 'category', group: 'category',
  seq: 'sequence', sequence: 'sequence', seqno: 'sequence', position: 'sequence', pos: 'sequence', rank: 'sequence', ord: 'sequence',
  relationship: 'relationship', reltn: 'relationship', relation: 'relationship', relat: 'relationship',
  nok: 'kin', kin: 'kin', nextofkin: 'kin',
  alias: 'alias', aka: 'alias', alt: 'alias', alternative: 'alias', prev: 'alias', previous: 'alias', maiden: 'alias',
  dt: 'date', date: 'date', dte: 'date', dat: 'date', day: 'date', dtm: 'date time', dttm: 'date time', datetime: 'date time', timestamp: 'date time', ts: 'date time',
  tm: 'time', time: 'time', tim: 'time', hr: 'time',
  yr: 'year', year: 'year', mth: 'month', month: 'month',
  created: 'created', create: 'created', crt: 'created', cre: 'created', entered: 'created', ins: 'created', inserted: 'created',
  upd: 'updated', update: 'updated', updated: 'updated', modified: 'updated', mod: 'updated', lastupd: 'updated', amended: 'updated', chg: 'updated', changed: 'updated',
  usr: 'user', user: 'user', by: 'user', operator: 'user', opr: 'user', staff: 'user', userid: 'user',
  active: 'active', actv: 'active', current: 'active', curr: 'active', cur: 'active', live: 'active', deleted: 'deleted', del: 'deleted',
  // Soft deletion: a record archived or voided is a deleted one.
  archive: 'deleted', archived: 'deleted', voided: 'deleted', void: 'deleted', creator: 'created user', modifier: 'updated user',
  recorded: 'recorded', rec: 'recorded', recd: 'recorded', noted: 'recorded', entry: 'entry', ent: 'entry',
  performed: 'performed', perf: 'performed', done: 'performed',
  rowversion: 'updated', version: 'version', ver: 'version', sys: 'system', system: 'system',
  // Generic database words, known so that they are never cut into dictionary pieces (HIST is not HI + ST).
  event: 'event', evt: 'event', item: 'item', hist: 'history', hx: 'history', history: 'history', parent: 'parent', entity: 'entity',
  amt: 'value', total: 'total', cost: 'cost', price: 'cost', payer: 'payer', insurance: 'payer',
};

/** Words dropped before matching: they carry no meaning in a column name. */
// `period` is the container of a FHIR start/end pair (`period_start`): the bare start or end is what it says.
export const STOP_WORDS: ReadonlySet<string> = new Set(['of', 'the', 'and', 'a', 'an', 'is', 'has', 'for', 'in', 'tbl', 'table', 'fld', 'period']);

/** Trailing words that mark a date in modern names: `admitted_on`, `recorded_at`. */
export const DATE_SUFFIXES: ReadonlySet<string> = new Set(['on', 'at', 'when']);

/** Multi-word phrases that name one concept, matched on the words as written or as the dictionary reads them (HOSP_SERV is hospital service). */
export const PHRASES: ReadonlyArray<[string[], string[]]> = [
  [['post', 'code'], ['postcode']],
  [['next', 'kin'], ['kin']],
  [['treatment', 'function'], ['specialty']],
  [['case', 'note'], ['hospital', 'number']],
  [['first', 'name'], ['given', 'name']],
  [['last', 'name'], ['family', 'name']],
  [['date', 'time'], ['date', 'time']],
  // FHIR vocabulary: a general practitioner is the GP; the performer or service type asked for is
  // the specialty; the requester's type is where a referral came from; a CodeableConcept is a code.
  [['general', 'practitioner'], ['gp']],
  [['performer', 'type'], ['specialty']],
  [['service', 'type'], ['specialty']],
  [['requester', 'type'], ['referral', 'source']],
  [['codeable', 'concept'], ['code']],
  // A hospital's (or medical) service is the specialty a patient is under (US usage: HOSP_SERV, MED_SERVICE).
  [['hospital', 'service'], ['specialty']],
  [['medication', 'service'], ['specialty']],
  [['medical', 'service'], ['specialty']],
  // Repeated given names: the second and later ones are middle names (`given_2`; FHIR's `name_given_1` once read one-based).
  [['given', '2'], ['middle']],
  [['given', '3'], ['middle']],
  // A name's prefix is the title (Mr, Dr), not the name it is part of (NamePrefix beside a full Name).
  [['name', 'prefix'], ['title']],
];

/** Concepts that say what kind of value a column holds rather than what it is about: matched with less weight. */
export const GENERIC_CONCEPTS: ReadonlySet<string> = new Set(['id', 'code', 'number', 'date', 'time', 'name', 'value', 'type', 'description', 'status', 'start', 'end']);

/** Expansion alternatives of a word, or undefined when the dictionary does not know it. */
export function lookupWord(word: string): string[][] | undefined {
  const hit = ENTRIES[word];
  if (hit === undefined) return undefined;
  return hit.split('|').map((alt) => alt.split(' '));
}

/** Every dictionary key: the pieces an unseparated upper-case name (PMIDOB) may be made of. */
export const DICTIONARY_WORDS: ReadonlySet<string> = new Set(Object.keys(ENTRIES).filter((k) => !/\d/.test(k)));
