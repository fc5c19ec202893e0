/**
 * Moves a community from SQLite to PostgreSQL: copies a SQLite database of Salon into an empty PostgreSQL database,
 * after applying the PostgreSQL migrations to it (src/store/copy-database.ts). Stop Salon first: what it writes to the
 * SQLite file during the copy would not be in it.
 * Usage: npm run db:copy -- --from file:./data/salon.db --to postgresql://role:password@host:5432/database
 */
import { copyDatabase, CopyRefusedError } from "../src/store/copy-database.js";
import { redactedUrl } from "../src/store/postgres.js";

const USAGE =
  "Usage: npm run db:copy -- --from file:./data/salon.db --to postgresql://role:password@host:5432/database\n" +
  "Copies a SQLite database of Salon into an empty PostgreSQL database (migrated first). Stop Salon before copying.";

/** `--from X --to Y` (or `--from=X`), or the reason they are not. */
function parseArgs(argv: string[]): { from: string; to: string } | string {
  const found: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(from|to)(?:=(.*))?$/.exec(argv[i]!);
    if (!match) return `unexpected argument ${JSON.stringify(argv[i])}`;
    const value = match[2] ?? argv[++i];
    if (!value) return `--${match[1]} needs a value`;
    if (found[match[1]!] !== undefined) return `--${match[1]} given twice`;
    found[match[1]!] = value;
  }
  if (!found.from || !found.to) return `missing ${["from", "to"].filter((k) => !found[k]).map((k) => `--${k}`).join(" and ")}`;
  return { from: found.from, to: found.to };
}

const args = parseArgs(process.argv.slice(2));
if (typeof args === "string") {
  console.error(`db:copy: ${args}\n${USAGE}`);
  process.exit(2);
}
try {
  const result = await copyDatabase(args.from, args.to, { progress: (table, rows) => console.log(`${table}: ${rows} rows`) });
  if (result.migrated.length) console.log(`Applied ${result.migrated.length} PostgreSQL migration(s) first: ${result.migrated.join(", ")}`);
  const total = result.tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(`Copied ${total} rows into ${redactedUrl(args.to)}. Start Salon with DATABASE_URL set to it.`);
} catch (error) {
  console.error(error instanceof CopyRefusedError ? `db:copy: ${error.message}` : `db:copy failed, nothing was copied: ${(error as Error).message}`);
  process.exit(1);
}
