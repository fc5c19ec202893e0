/**
 * The results as one plain-text table: figure, how many runs, the median run (Salon's value, unit, the baseline's
 * value, the ratio), the worst run beside it (when there were several), the goal and whether it was met.
 */
import type { CombinedFigure } from "./figures.js";

function show(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return "∞";
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const times = (ratio: number | null) => (ratio === null ? "–" : `${show(ratio)}×`);

/** The goal, and what it was judged on when there were several runs. */
export function goalText(f: CombinedFigure): string {
  if (!f.goal) return "(information)";
  if (f.runs === 1) return f.goal;
  return `${f.goal}, ${f.judgedOn === "worst run" ? "worst" : "median"} of ${f.runs}`;
}

export function renderTable(figures: CombinedFigure[]): string {
  const header = ["figure", "runs", "Salon", "unit", "baseline", "ratio", "worst: Salon", "baseline", "ratio", "goal", "met?"];
  const rows = figures.map((f) => {
    const several = f.runs > 1;
    return [
      f.name,
      String(f.runs),
      show(f.value),
      f.unit,
      show(f.baseline),
      times(f.ratio),
      several ? show(f.worst.value) : "",
      several ? show(f.worst.baseline) : "",
      several ? times(f.worst.ratio) : "",
      goalText(f),
      f.met === null ? "" : f.met ? "yes" : "NO",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([1, 2, 4, 5, 6, 7, 8]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
