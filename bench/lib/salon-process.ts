/**
 * Salon's process as `npm start` runs it: the `build` step its `prestart` runs, then the command line of its `start`
 * script (`node <flags> dist/main.js`), read from package.json so the benchmarks always run what operators run.
 * Also what the memory benchmark needs to run its own helpers as plain JavaScript beside it.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BENCH = path.join(ROOT, "bench");

export interface StartCommand {
  /** The node flags of the start script, e.g. `--max-semi-space-size=1`. */
  nodeArgs: string[];
  /** The entry point, absolute. */
  entry: string;
}

/** The start script's command line; it must be `node [flags] <file.js>`, which the benchmarks run as written. */
export async function salonStartCommand(): Promise<StartCommand> {
  const manifest = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const start = manifest.scripts.start ?? "";
  const words = start.trim().split(/\s+/);
  const entry = words.at(-1) ?? "";
  if (words[0] !== "node" || !entry.endsWith(".js") || words.slice(1, -1).some((word) => !word.startsWith("--"))) {
    throw new Error(`the benchmarks run "npm start" as node [flags] <file.js>; package.json's start script is "${start}"`);
  }
  return { nodeArgs: words.slice(1, -1), entry: path.join(ROOT, entry) };
}

/** `npm run build`, as `npm start`'s prestart step runs it; resolves with its duration in ms. */
export async function buildSalon(): Promise<number> {
  const started = performance.now();
  await promisify(execFile)("npm", ["run", "--silent", "build"], { cwd: ROOT });
  return performance.now() - started;
}

/** A TCP port nobody listens on right now (for a child's `PORT`). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once Salon's `GET /healthz` answers 200 with Discord ready; rejects if `exited()` or after `timeoutMs`. */
/**
 * Waits until 5 s (and a margin) have passed since `identifiedBefore` (performance.now() of a moment after the previous
 * bot identified, e.g. once it was ready). Discord, and the loopback Discord with it, refuse an IDENTIFY within 5 s of
 * the bot's last one in the bucket (Invalid Session): bots started one after another on one loopback Discord would
 * otherwise measure the refusal and discord.js's retry, not their start.
 */
export async function afterIdentifyWindow(identifiedBefore: number | undefined): Promise<void> {
  const wait = identifiedBefore === undefined ? 0 : identifiedBefore + 5_100 - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

export async function waitDiscordReady(port: number, exited: () => boolean, timeoutMs: number, label: string): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error(`${label}: salon exited; see its log`);
    const ready = await fetch(`http://127.0.0.1:${port}/healthz`)
      .then(async (r) => r.status === 200 && ((await r.json()) as { platforms?: { discord?: { ready?: boolean } } }).platforms?.discord?.ready === true)
      .catch(() => false);
    if (ready) return;
    if (performance.now() > until) throw new Error(`${label}: not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Transpiles bench modules (paths relative to `bench/`, with every bench module they import) to JavaScript under
 * `outDir`, in the same layout, so they run under plain node as Salon's build does (without tsx's loader thread,
 * which would weigh on their memory). Returns the output path of each requested module.
 */
export async function transpileBenchModules(files: string[], outDir: string): Promise<string[]> {
  const ts = (await import("typescript")).default;
  const done = new Set<string>();
  const pending = [...files];
  while (pending.length > 0) {
    const file = path.normalize(pending.pop()!);
    if (done.has(file)) continue;
    done.add(file);
    const source = await readFile(path.join(BENCH, file), "utf8");
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 }, fileName: file });
    const out = path.join(outDir, file.replace(/\.ts$/, ".js"));
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, outputText);
    // Relative imports of other bench modules; anything outside bench/ (Salon itself) is not meant to be imported here.
    for (const [, specifier] of source.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+"(\.[^"]+)\.js"/gm)) {
      const target = path.join(path.dirname(file), `${specifier}.ts`);
      if (target.startsWith("..")) throw new Error(`${file} imports ${specifier}, outside bench/`);
      pending.push(target);
    }
  }
  // Packages resolve from the project's node_modules.
  await symlink(path.join(ROOT, "node_modules"), path.join(outDir, "node_modules")).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  return files.map((file) => path.join(outDir, file.replace(/\.ts$/, ".js")));
}
