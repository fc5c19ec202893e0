/** Child process: runs one benchmark module (`bench/benchmarks/<name>.ts`) in a fresh process and returns its report. */
import type { BenchContext } from "./context.js";
import type { BenchmarkReport } from "./figures.js";
import { serve } from "./rpc.js";

serve({
  async run(arg: { name: string; ctx: BenchContext }): Promise<BenchmarkReport> {
    const started = performance.now();
    const module = (await import(`../benchmarks/${arg.name}.ts`)) as { run(ctx: BenchContext): Promise<Omit<BenchmarkReport, "benchmark" | "seconds">> };
    const report = await module.run(arg.ctx);
    return { benchmark: arg.name, seconds: (performance.now() - started) / 1000, ...report };
  },
});
