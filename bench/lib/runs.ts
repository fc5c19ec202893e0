/**
 * Several runs of one benchmark, combined figure by figure: the median run and the worst run, side by side. Runs are
 * ranked by what each figure's goal reads (its ratio to the baseline measured beside it, or its value), worst last; the
 * median is the nearest-rank middle run, and its value, baseline and ratio are reported together, from that one run.
 * A tail figure meets its goal only if every run does (the worst run does); any other figure, if its median run does.
 */
import type { CombinedFigure, Figure } from "./figures.js";

function score(f: Figure): number {
  const n = (f.judge ?? (f.ratio === null ? "value" : "ratio")) === "ratio" && f.ratio !== null ? f.ratio : f.value;
  const badness = f.higherIsBetter ? -n : n;
  // A run that measured nothing (NaN) ranks as the worst.
  return Number.isNaN(badness) ? Number.POSITIVE_INFINITY : badness;
}

export function combineRuns(runs: Figure[][]): CombinedFigure[] {
  const names = [...new Set(runs.flatMap((figures) => figures.map((f) => f.name)))];
  return names.map((name) => {
    const each = runs.flatMap((figures) => figures.filter((f) => f.name === name));
    const ranked = [...each].sort((a, b) => score(a) - score(b));
    const median = ranked[Math.ceil(ranked.length / 2) - 1]!;
    const worst = ranked[ranked.length - 1]!;
    const tail = median.tail === true;
    const mets = each.map((f) => f.met);
    const met = mets.every((m) => m === null) ? null : tail ? mets.every((m) => m !== false) : median.met;
    return {
      ...median,
      met,
      runs: each.length,
      worst: { value: worst.value, baseline: worst.baseline, ratio: worst.ratio },
      perRun: each.map((f) => ({ value: f.value, baseline: f.baseline, ratio: f.ratio, met: f.met })),
      judgedOn: tail ? "worst run" : "median run",
    };
  });
}
