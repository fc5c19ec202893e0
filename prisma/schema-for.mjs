// prisma/schema.prisma is the one definition of Salon's models. Each other provider's schema is derived from it here,
// changing only the datasource's provider and where the generator writes that provider's client, so the models of
// the two cannot drift (test/store/migrations.test.ts holds them to it).
//   node prisma/schema-for.mjs postgresql   writes prisma/postgresql/schema.prisma (beside its migrations)
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The providers other than SQLite's, each with the folder its schema and migrations live in. */
export const DERIVED = {
  postgresql: { dir: path.join(here, "postgresql"), client: "generated-postgresql" },
};

/** The schema of `provider`, derived from the text of prisma/schema.prisma. */
export function schemaFor(source, provider) {
  const target = DERIVED[provider];
  if (!target) throw new Error(`no derived schema for provider "${provider}": known are ${Object.keys(DERIVED).join(", ")}`);
  let datasources = 0;
  let outputs = 0;
  const text = source
    .replace(/(datasource\s+db\s*\{[^}]*?provider\s*=\s*)"sqlite"/, (_, head) => {
      datasources++;
      return `${head}"${provider}"`;
    })
    .replace(/(generator\s+client\s*\{[^}]*?output\s*=\s*)"\.\.\/src\/store\/generated"/, (_, head) => {
      outputs++;
      return `${head}"${path.relative(target.dir, path.join(here, "..", "src", "store", target.client)).split(path.sep).join("/")}"`;
    });
  if (datasources !== 1 || outputs !== 1) {
    throw new Error('prisma/schema.prisma must keep `provider = "sqlite"` in `datasource db` and `output = "../src/store/generated"` in `generator client`');
  }
  return `// Derived from prisma/schema.prisma by prisma/schema-for.mjs (npm install runs it): edit that file, not this one.\n${text}`;
}

/** Writes the derived schema of `provider`; returns its path. */
export function writeSchemaFor(provider) {
  const file = path.join(DERIVED[provider].dir, "schema.prisma");
  writeFileSync(file, schemaFor(readFileSync(path.join(here, "schema.prisma"), "utf8"), provider));
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const provider = process.argv[2];
  if (!provider) {
    console.error(`usage: node prisma/schema-for.mjs <${Object.keys(DERIVED).join("|")}>`);
    process.exit(2);
  }
  console.log(path.relative(process.cwd(), writeSchemaFor(provider)));
}
