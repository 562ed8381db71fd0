// Linear and logarithmic scales with "nice" ticks (steps of 1, 2 or 5 x 10^k).

const E10 = Math.sqrt(50);
const E5 = Math.sqrt(10);
const E2 = Math.sqrt(2);

/** The tick step for about `count` ticks over [start, stop]: 1, 2 or 5 times a power of ten. */
export function tickStep(start: number, stop: number, count: number): number {
  const span = Math.abs(stop - start);
  if (!(span > 0) || !(count > 0)) return 0;
  const raw = span / count;
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= E10 ? 10 : error >= E5 ? 5 : error >= E2 ? 2 : 1;
  return factor * 10 ** power;
}

/** Tick values within [start, stop] (inclusive, with a little tolerance), ascending. */
export function ticks(start: number, stop: number, count: number): number[] {
  const lo = Math.min(start, stop);
  const hi = Math.max(start, stop);
  const step = tickStep(lo, hi, count);
  if (step === 0 || !Number.isFinite(step)) return Number.isFinite(lo) ? [lo] : [];
  const eps = step * 1e-9;
  const first = Math.ceil((lo - eps) / step);
  const last = Math.floor((hi + eps) / step);
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(cleanFloat(i * step, step));
  return out;
}

/** Rounds away float noise: 0.30000000000000004 -> 0.3 for a step of 0.1. */
function cleanFloat(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(20, decimals)));
}

/** Extends [d0, d1] outward to multiples of the tick step. */
export function niceDomain(d0: number, d1: number, count: number): [number, number] {
  if (d0 === d1) {
    const pad = d0 === 0 ? 1 : Math.abs(d0) * 0.1;
    return [d0 - pad, d1 + pad];
  }
  let lo = Math.min(d0, d1);
  let hi = Math.max(d0, d1);
  for (let i = 0; i < 3; i++) {
    const step = tickStep(lo, hi, count);
    const nlo = Math.floor(lo / step) * step;
    const nhi = Math.ceil(hi / step) * step;
    if (nlo === lo && nhi === hi) break;
    lo = nlo;
    hi = nhi;
  }
  return [cleanFloat(lo, tickStep(lo, hi, count)), cleanFloat(hi, tickStep(lo, hi, count))];
}

/** Formats ticks with as many decimals as the step needs (0.05 -> 2 decimals, 500 -> 0). */
export function tickFormatter(values: readonly number[]): (v: number) => string {
  let decimals = 0;
  for (const v of values) {
    for (let d = 0; d <= 6; d++) {
      if (Math.abs(Number(v.toFixed(d)) - v) < 1e-9 * Math.max(1, Math.abs(v))) { decimals = Math.max(decimals, d); break; }
      if (d === 6) decimals = 6;
    }
  }
  const big = values.some((v) => Math.abs(v) >= 1e6);
  const tiny = values.every((v) => v === 0 || Math.abs(v) < 1e-4);
  return (v: number) => {
    if (v === 0) return '0';
    if (big || tiny) return formatExponent(v);
    return v.toFixed(decimals).replace('-', '\u2212');
  };
}

/** 1.5e+06 -> '1.5×10⁶'. */
export function formatExponent(v: number): string {
  const [mant, exp] = v.toExponential().split('e');
  const m = Number(mant);
  const e = Number(exp);
  const sup = String(e).replace('-', '\u207b').replace(/\d/g, (d) => '\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079'[Number(d)]!);
  const mText = Number.isInteger(m) ? String(m) : m.toFixed(1);
  return `${m === 1 ? '' : `${mText.replace('-', '\u2212')}\u00d7`}10${sup}`;
}

export interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  ticks(count?: number): number[];
  format(values: readonly number[]): (v: number) => string;
  readonly kind: 'linear' | 'log';
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = ((v: number) => r0 + (v - d0) * k) as Scale;
  Object.assign(f, {
    domain, range, kind: 'linear' as const,
    ticks: (count = 6) => ticks(d0, d1, count),
    format: tickFormatter,
  });
  return f;
}

/** Base-10 log scale; ticks at powers of ten, plus 2 and 5 times them when the domain spans few decades. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const [r0, r1] = range;
  const k = l1 === l0 ? 0 : (r1 - r0) / (l1 - l0);
  const f = ((v: number) => r0 + (Math.log10(v) - l0) * k) as Scale;
  Object.assign(f, {
    domain, range, kind: 'log' as const,
    ticks: () => {
      const lo = Math.min(d0, d1);
      const hi = Math.max(d0, d1);
      const decades = Math.log10(hi / lo);
      const mult = decades < 1.5 ? [1, 2, 3, 5] : decades < 4 ? [1, 2, 5] : [1];
      const out: number[] = [];
      for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
        for (const m of mult) {
          const v = m * 10 ** e;
          if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(Number(v.toPrecision(12)));
        }
      }
      return out;
    },
    format: (values: readonly number[]) => {
      const span = Math.max(...values) / Math.min(...values);
      return (v: number) => {
        if (span >= 1e4 || Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3) return formatExponent(v);
        return String(Number(v.toPrecision(6))).replace('-', '\u2212');
      };
    },
  });
  return f;
}

/** The domain of finite values, or undefined when there is none. */
export function extent(values: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}
