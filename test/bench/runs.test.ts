/**
 * How `npm run bench` combines several runs of a benchmark (bench/lib/runs.ts): the median run and the worst run side
 * by side, a tail figure judged on its worst run. Pure data in, data out: nothing here measures a time.
 */
import { describe, expect, it } from "vitest";
import { figure, type Figure } from "../../bench/lib/figures.js";
import { combineRuns } from "../../bench/lib/runs.js";
import { renderTable } from "../../bench/lib/table.js";

const p99 = (value: number, baseline: number): Figure =>
  figure({ name: "ack.p99", value, unit: "ms", baseline, goal: "≤ 1.5× baseline", met: value <= 1.5 * baseline, tail: true });
const p50 = (value: number, baseline: number): Figure => figure({ name: "ack.p50", value, unit: "ms", baseline, goal: "", met: null });
const rate = (value: number, baseline: number): Figure =>
  figure({ name: "reactions.rate", value, unit: "events/s", baseline, goal: "≥ 0.5× baseline", met: value >= 0.5 * baseline, higherIsBetter: true });

describe("combining the runs of a benchmark", () => {
  it("reports the median run and the worst run of a tail figure, and misses its goal when only the worst run does", () => {
    // Four quiet runs and one whose first burst stalled (the run of issue 9: 1,039 ms beside 259).
    const runs = [[p99(270, 235)], [p99(1039, 259)], [p99(280, 240)], [p99(262, 250)], [p99(300, 250)]];
    const [combined] = combineRuns(runs);
    expect(combined).toMatchObject({ name: "ack.p99", runs: 5, value: 280, baseline: 240, worst: { value: 1039, baseline: 259 }, met: false, judgedOn: "worst run" });
    expect(combined!.perRun.map((r) => r.value)).toEqual([270, 1039, 280, 262, 300]);
  });

  it("meets a tail figure's goal when every run does, and ranks the runs by the ratio to the baseline measured beside each", () => {
    // The slowest value (400 ms) came in the run whose baseline was slow too: the worst run is the one with the worst ratio.
    const [combined] = combineRuns([[p99(400, 380)], [p99(300, 210)], [p99(250, 240)]]);
    expect(combined).toMatchObject({ met: true, value: 400, worst: { value: 300, baseline: 210 } });
  });

  it("judges other figures on the median run, and a rate's worst run is its lowest", () => {
    const [combined] = combineRuns([[rate(10_000, 38_000)], [rate(25_000, 38_000)], [rate(24_000, 38_000)]]);
    expect(combined).toMatchObject({ value: 24_000, worst: { value: 10_000 }, met: true, judgedOn: "median run" });
  });

  it("keeps a single run's figure as it was", () => {
    const [combined] = combineRuns([[p99(270, 235)]]);
    expect(combined).toMatchObject({ runs: 1, value: 270, met: true, worst: { value: 270, baseline: 235 } });
  });

  it("prints the median and the worst run side by side, with what each goal was judged on", () => {
    const table = renderTable(combineRuns([[p50(170, 150), p99(270, 235)], [p50(180, 150), p99(1039, 259)], [p50(175, 155), p99(280, 240)]]));
    // The median of a figure is one run, ranked by its ratio: 175/155 = 1.129×, 170/150 = 1.133×, 180/150 = 1.2×.
    const [header, , first, second] = table.split("\n");
    expect(header!.split(/\s{2,}/)).toEqual(["figure", "runs", "Salon", "unit", "baseline", "ratio", "worst: Salon", "baseline", "ratio", "goal", "met?"]);
    expect(first!.split(/\s{2,}/)).toEqual(["ack.p50", "3", "170", "ms", "150", "1.13×", "180", "150", "1.2×", "(information)"]);
    expect(second!.split(/\s{2,}/)).toEqual(["ack.p99", "3", "280", "ms", "240", "1.17×", "1,039", "259", "4.01×", "≤ 1.5× baseline, worst of 3", "NO"]);
  });
});
