import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CORE = path.join(ROOT, "src", "core");

/** Packages the domain must never import: platform SDKs, the provider SDK, the ORM, the scheduler, I/O libraries. */
const FORBIDDEN_PACKAGES = [/^discord\.js$/, /^@discordjs\//, /^@slack\//, /^openai$/, /^@prisma\//, /^prisma$/, /^node-cron$/, /^better-sqlite3$/, /^pino$/, /^sharp$/];

/** Every module specifier in a TypeScript source: static imports and re-exports, side-effect imports, `import()`, `require()`. */
function importedSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^;'"`]*?\bfrom\s*["'`]([^"'`]+)["'`]/g,
    /\bimport\s*["'`]([^"'`]+)["'`]/g,
    /\bimport\s*\(\s*["'`]([^"'`]+)["'`]/g,
    /\brequire\s*\(\s*["'`]([^"'`]+)["'`]/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]!));
}

/** Why a specifier imported from `file` breaks the boundary, or null when it is allowed. */
function boundaryViolation(file: string, specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const target = path.resolve(path.dirname(file), specifier);
    return target === CORE || target.startsWith(CORE + path.sep) ? null : `reaches outside src/core (${path.relative(ROOT, target)})`;
  }
  const bare = specifier.replace(/^node:/, "");
  return FORBIDDEN_PACKAGES.some((pattern) => pattern.test(bare) || pattern.test(bare.split("/").slice(0, bare.startsWith("@") ? 2 : 1).join("/")))
    ? `imports ${specifier}`
    : null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(c|m)?tsx?$|\.(c|m)?js$/.test(entry.name) ? [full] : [];
  });
}

describe("the core boundary", () => {
  it("src/core imports no platform SDK, no openai, no Prisma, no node-cron, no pino or sharp, and nothing outside src/core", () => {
    const files = sourceFiles(CORE);
    expect(files.length).toBeGreaterThan(0);
    const violations = files.flatMap((file) =>
      importedSpecifiers(readFileSync(file, "utf8")).flatMap((specifier) => {
        const why = boundaryViolation(file, specifier);
        return why ? [`${path.relative(ROOT, file)} ${why}`] : [];
      }),
    );
    expect(violations).toEqual([]);
  });

  it("finds the core's own imports, so the check above is not vacuous", () => {
    const specifiers = sourceFiles(CORE).flatMap((file) => importedSpecifiers(readFileSync(file, "utf8")));
    expect(specifiers).toContain("./types.js");
  });

  it("catches every form of import that could cross it", () => {
    const file = path.join(CORE, "example.ts");
    const source = [
      'import { Client } from "discord.js";',
      'import type { App } from "@slack/bolt";',
      "import OpenAI, {\n  APIError,\n} from 'openai';",
      'export { PrismaClient } from "@prisma/client";',
      'export * from "../store/prisma-store.js";',
      'import "node-cron";',
      'const db = await import("better-sqlite3");',
      'const pino = require("pino");',
      'import sharp from "sharp";',
      'import { x } from "../discord/render.js";',
      'import { y } from "./types.js";',
      'import { z } from "node:path";',
      '// import { commented } from "openai";',
    ].join("\n");
    const found = importedSpecifiers(source);
    expect([...found].sort()).toEqual(
      ["discord.js", "@slack/bolt", "openai", "@prisma/client", "../store/prisma-store.js", "node-cron", "better-sqlite3", "pino", "sharp", "../discord/render.js", "./types.js", "node:path"].sort(),
    );
    expect(found.map((s) => boundaryViolation(file, s)).filter(Boolean)).toHaveLength(10);
    expect(boundaryViolation(file, "./types.js")).toBeNull();
    expect(boundaryViolation(file, "node:path")).toBeNull();
    expect(boundaryViolation(file, "../core/types.js")).toBeNull();
  });

  it("src/core writes no platform syntax in its sentences: no <#id>, <@id> or Discord's `prompt:` (the adapters render marked words)", () => {
    // The string literals of the code, comments left out: what the core says, not what its documentation explains.
    const literals = (source: string) =>
      [...source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1").matchAll(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g)].map((m) => m[0]);
    const syntax = [/<[#@!]/, /\bprompt: /, /--(?:aspect|quality)\b/];
    const violations = sourceFiles(CORE).flatMap((file) =>
      literals(readFileSync(file, "utf8")).flatMap((text) => (syntax.some((pattern) => pattern.test(text)) ? [`${path.relative(ROOT, file)}: ${text}`] : [])),
    );
    expect(violations).toEqual([]);
    // The check sees what it looks for.
    expect(literals("throw new UserError('x', `e.g. /imagine prompt: a fox`)").some((text) => syntax.some((p) => p.test(text)))).toBe(true);
    expect(literals("return `<#${id}>`; // <#ok in a comment>").some((text) => syntax.some((p) => p.test(text)))).toBe(true);
    expect(literals("const x = { prompt: y }; // prompt: z").some((text) => syntax.some((p) => p.test(text)))).toBe(false);
  });
});
