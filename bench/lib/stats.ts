/** Percentiles by the nearest-rank method: p99 of 500 samples is the 495th smallest. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function max(samples: readonly number[]): number {
  return samples.reduce((m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
