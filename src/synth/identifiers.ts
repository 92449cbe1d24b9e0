/**
 * Identifiers with real structure: NHS numbers in the 999 test range, UK postcodes, ODS GP
 * practice codes and dm+d product ids. Check digits come from src/rules, so generator and
 * validators can never disagree about what "valid" means.
 */
import { nhsNumberCheckDigit } from '../rules/nhs-number.js';
import { verhoeffCheckDigit } from '../rules/verhoeff.js';
import type { Prng } from './prng.js';

/**
 * Stems 999000000–999999999: one million, of which about 909,000 have a check digit (the rest
 * would need a check digit of 10 and are never issued). Above that many patients numbers repeat.
 */
export const NHS_STEMS = 1_000_000;
// A multiplier coprime to 10^6 turns a counter into a permutation of the stems, so consecutive
// patients get scattered numbers (as real ones are) without any bookkeeping.
const STEM_MULTIPLIER = 919_993;

/** Yields valid 999-range NHS numbers in a seed-dependent order, each once (up to ~909,000). */
export class NhsNumberSequence {
  private counter = 0;
  private readonly offset: number;

  constructor(seed: number) {
    this.offset = ((seed % NHS_STEMS) + NHS_STEMS) % NHS_STEMS;
  }

  /** The next valid number. */
  next(): string {
    for (;;) {
      const k = this.counter++ % NHS_STEMS;
      // k * multiplier < 2^53, so plain number arithmetic is exact.
      const stem = (((k * STEM_MULTIPLIER) % NHS_STEMS) + this.offset) % NHS_STEMS;
      const first9 = `999${String(stem).padStart(6, '0')}`;
      const check = nhsNumberCheckDigit(first9);
      if (check !== null) return first9 + check;
    }
  }
}

/** The same number with a different, therefore wrong, check digit. */
export function withWrongCheckDigit(nhs: string, rng: Prng): string {
  const right = nhs.charCodeAt(9) - 48;
  return nhs.slice(0, 9) + ((right + 1 + rng.int(9)) % 10);
}

/** Real postcode areas with a post town and county, so address lines agree with each other. */
export const POSTCODE_AREAS: ReadonlyArray<{ area: string; town: string; county: string; districts: number }> = [
  { area: 'LS', town: 'LEEDS', county: 'WEST YORKSHIRE', districts: 29 },
  { area: 'BD', town: 'BRADFORD', county: 'WEST YORKSHIRE', districts: 24 },
  { area: 'HD', town: 'HUDDERSFIELD', county: 'WEST YORKSHIRE', districts: 9 },
  { area: 'WF', town: 'WAKEFIELD', county: 'WEST YORKSHIRE', districts: 17 },
  { area: 'S', town: 'SHEFFIELD', county: 'SOUTH YORKSHIRE', districts: 36 },
  { area: 'YO', town: 'YORK', county: 'NORTH YORKSHIRE', districts: 32 },
  { area: 'HU', town: 'HULL', county: 'EAST RIDING OF YORKSHIRE', districts: 20 },
  { area: 'M', town: 'MANCHESTER', county: 'GREATER MANCHESTER', districts: 50 },
  { area: 'L', town: 'LIVERPOOL', county: 'MERSEYSIDE', districts: 40 },
  { area: 'B', town: 'BIRMINGHAM', county: 'WEST MIDLANDS', districts: 50 },
  { area: 'NE', town: 'NEWCASTLE UPON TYNE', county: 'TYNE AND WEAR', districts: 49 },
  { area: 'NG', town: 'NOTTINGHAM', county: 'NOTTINGHAMSHIRE', districts: 25 },
  { area: 'LE', town: 'LEICESTER', county: 'LEICESTERSHIRE', districts: 19 },
  { area: 'BS', town: 'BRISTOL', county: 'AVON', districts: 41 },
  { area: 'EX', town: 'EXETER', county: 'DEVON', districts: 39 },
  { area: 'NR', town: 'NORWICH', county: 'NORFOLK', districts: 35 },
  { area: 'OX', town: 'OXFORD', county: 'OXFORDSHIRE', districts: 29 },
  { area: 'CB', town: 'CAMBRIDGE', county: 'CAMBRIDGESHIRE', districts: 25 },
  { area: 'BN', town: 'BRIGHTON', county: 'EAST SUSSEX', districts: 45 },
  { area: 'SO', town: 'SOUTHAMPTON', county: 'HAMPSHIRE', districts: 53 },
  { area: 'CV', town: 'COVENTRY', county: 'WEST MIDLANDS', districts: 37 },
  { area: 'ST', town: 'STOKE-ON-TRENT', county: 'STAFFORDSHIRE', districts: 21 },
  { area: 'PR', town: 'PRESTON', county: 'LANCASHIRE', districts: 26 },
  { area: 'CA', town: 'CARLISLE', county: 'CUMBRIA', districts: 28 },
  { area: 'SE', town: 'LONDON', county: 'GREATER LONDON', districts: 28 },
  { area: 'N', town: 'LONDON', county: 'GREATER LONDON', districts: 22 },
];

// Royal Mail never uses C I K M O V in the inward code.
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

/** A valid-format postcode within the given area. */
export function postcode(area: string, districts: number, rng: Prng): string {
  const district = 1 + rng.int(districts);
  return `${area}${district} ${rng.int(10)}${INWARD_LETTERS[rng.int(20)]}${INWARD_LETTERS[rng.int(20)]}`;
}

/** Malformed postcodes of the kinds legacy data holds: truncated, transposed, numeric, too long. */
export function malformedPostcode(valid: string, rng: Prng): string {
  const compact = valid.replace(' ', '');
  switch (rng.int(4)) {
    case 0:
      return valid.slice(0, valid.length - 2);
    case 1:
      return `${compact.slice(-3)} ${compact.slice(0, -3)}`;
    case 2:
      return String(10000 + rng.int(90000));
    default:
      return `${valid}${INWARD_LETTERS[rng.int(20)]}`;
  }
}

/** A GP practice ODS code: a region letter and five digits (A81001). */
export function gpPracticeCode(rng: Prng): string {
  return `${'ABCDEFGHJKLMNPY'[rng.int(15)]}${String(rng.int(100000)).padStart(5, '0')}`;
}

/** A GP's national code: G and seven digits. */
export function gpCode(rng: Prng): string {
  return `G${String(1_000_000 + rng.int(9_000_000))}`;
}

/** A long-form dm+d id in the UK drug extension: item + namespace 1000001 + partition 10 + Verhoeff digit. */
export function dmdId(item: string): string {
  const body = `${item}100000110`;
  return body + verhoeffCheckDigit(body);
}

/** A telephone number from Ofcom's ranges reserved for drama, which never reach a real person. */
export function phoneNumber(rng: Prng): string {
  return rng.chance(0.6) ? `07700 900${String(rng.int(1000)).padStart(3, '0')}` : `0113 496 0${String(rng.int(1000)).padStart(3, '0')}`;
}
