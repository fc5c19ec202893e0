/** The results as one plain-text table: figure, Salon's value, unit, the baseline's value, the ratio, the goal, met?. */
import type { Figure } from "./figures.js";

function show(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return "∞";
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function renderTable(figures: Figure[]): string {
  const header = ["figure", "Salon", "unit", "baseline", "ratio", "goal", "met?"];
  const rows = figures.map((f) => [
    f.name,
    show(f.value),
    f.unit,
    show(f.baseline),
    f.ratio === null ? "–" : `${show(f.ratio)}×`,
    f.goal || "(information)",
    f.met === null ? "" : f.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([1, 3, 4]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
