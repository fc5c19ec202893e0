/** One line of the results table and of `bench/results.json`. */
export interface Figure {
  /** Stable identifier, e.g. `ack.p99`: compare it from run to run. */
  name: string;
  value: number;
  unit: string;
  /** The baseline's value for the same figure, measured in the same run (null when the figure has none). */
  baseline: number | null;
  /** What the baseline is, in words. */
  baselineIs?: string;
  /** value ÷ baseline. */
  ratio: number | null;
  /** The goal, in words (empty for figures reported for information). */
  goal: string;
  /** Whether the goal was met (null when the figure has no goal of its own). */
  met: boolean | null;
  note?: string;
}

/** What a benchmark module reports. */
export interface BenchmarkReport {
  benchmark: string;
  seconds: number;
  figures: Figure[];
  /** Facts about the run worth keeping next to the figures (data sizes, scale, settings). */
  facts?: Record<string, unknown>;
}

export function figure(f: Omit<Figure, "ratio"> & { ratio?: number | null }): Figure {
  const ratio = f.ratio !== undefined ? f.ratio : f.baseline ? f.value / f.baseline : null;
  return { ...f, ratio };
}
