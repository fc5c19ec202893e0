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
  /**
   * A tail figure (a p99, a maximum, a count of late answers): over several runs of its benchmark its goal is judged on
   * the worst run, so one bad run cannot hide behind good ones. Other figures are judged on the median run.
   */
  tail?: boolean;
  /** Which number the goal reads, and so which one ranks the runs: the ratio (the default when there is one) or the value. */
  judge?: "ratio" | "value";
  /** Whether a higher number is better (rates); lower is better by default (times, memory, counts of failures). */
  higherIsBetter?: boolean;
}

/** A figure over the runs of its benchmark: the median run's numbers, and the worst run's beside them. */
export interface CombinedFigure extends Figure {
  runs: number;
  /** The worst run's numbers (ranked by what the goal reads); the same as the figure's own when there was one run. */
  worst: { value: number; baseline: number | null; ratio: number | null };
  /** Every run's numbers, in the order they ran. */
  perRun: Array<{ value: number; baseline: number | null; ratio: number | null; met: boolean | null }>;
  /** What `met` was judged on: the worst run (tail figures) or the median run. */
  judgedOn: "worst run" | "median run";
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
