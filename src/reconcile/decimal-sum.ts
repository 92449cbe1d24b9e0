/**
 * Exact decimal arithmetic for business sums: money and doses must not pick up float error,
 * so values are added as scaled bigints.
 */
import { canonicalDecimal } from './canonical.js';

interface Scaled {
  units: bigint;
  scale: number;
}

/** Parses canonical decimal text into a scaled integer. */
function parse(text: string): Scaled {
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  const units = BigInt(int + frac);
  return { units: neg ? -units : units, scale: frac.length };
}

function align(a: Scaled, scale: number): bigint {
  return a.units * 10n ** BigInt(scale - a.scale);
}

/** Renders a scaled integer as canonical decimal text. */
function render(v: Scaled): string {
  const neg = v.units < 0n;
  const digits = (neg ? -v.units : v.units).toString().padStart(v.scale + 1, '0');
  const int = digits.slice(0, digits.length - v.scale);
  const frac = digits.slice(digits.length - v.scale);
  return canonicalDecimal(`${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`);
}

/** A running exact sum. */
export class DecimalSum {
  private total: Scaled = { units: 0n, scale: 0 };

  /** Adds a value; returns false (and adds nothing) when it is not a number. */
  add(value: string | number | bigint): boolean {
    const c = canonicalDecimal(value);
    if (c.startsWith('?')) return false;
    const v = parse(c);
    const scale = Math.max(v.scale, this.total.scale);
    this.total = { units: align(this.total, scale) + align(v, scale), scale };
    return true;
  }

  toString(): string {
    return render(this.total);
  }
}

/** |a − b| of two canonical decimal texts, as canonical decimal text. */
export function decimalDistance(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  const d = align(x, scale) - align(y, scale);
  return render({ units: d < 0n ? -d : d, scale });
}
