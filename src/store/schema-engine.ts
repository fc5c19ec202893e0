/**
 * Prisma's own schema engine, compiled to WebAssembly, driven through a driver adapter: migrations apply offline,
 * with no native engine to download. Node 20 cannot `import` a .wasm file without a flag, so the module is
 * instantiated here by hand, exactly as the package's own entry point would.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";

let loaded: Promise<void> | undefined;

// Node's global WebAssembly, typed only as far as used here (@types/node 20 does not declare it).
const wasmApi = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Buffer, imports: object): Promise<{ instance: { exports: { __wbindgen_start(): void } } }> };
}).WebAssembly;

function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    // require.resolve rather than import.meta.resolve, which vitest's module runner (a global setup) does not have.
    const wasmPath = path.join(path.dirname(createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
    const { instance } = await wasmApi.instantiate(await readFile(wasmPath), { "./schema_engine_bg.js": bindings });
    const exports = instance.exports;
    bindings.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return loaded;
}

/** Opens a schema engine on the database behind `adapter`, knowing the given schema files. */
export async function openSchemaEngine(
  adapter: SqlMigrationAwareDriverAdapterFactory,
  schemaFiles: [path: string, content: string][],
  log: (message: string) => void = () => {},
): Promise<SchemaEngine> {
  await loadWasm();
  return (bindings.SchemaEngine as unknown as typeof SchemaEngine).new(
    { datamodels: schemaFiles },
    log,
    bindMigrationAwareSqlAdapterFactory(adapter),
  );
}
