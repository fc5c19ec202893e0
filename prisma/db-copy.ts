/**
 * Moves a community from SQLite to PostgreSQL: copies a SQLite database of Salon into an empty PostgreSQL database,
 * after applying the PostgreSQL migrations to it (src/store/copy-database.ts). Stop Salon first: what it writes to the
 * SQLite file during the copy would not be in it.
 * Usage: npm run db:copy -- --from file:./data/salon.db --to postgresql://role:password@host:5432/database --images ./data
 * (`--images DATA_DIR` copies the image files into PostgreSQL's image store; `--no-images` when they are in the bucket
 * IMAGE_STORE_URL names, which the PostgreSQL deployment keeps using.)
 */
import { copyDatabase, CopyRefusedError } from "../src/store/copy-database.js";
import { redactedUrl } from "../src/store/postgres.js";

const USAGE =
  "Usage: npm run db:copy -- --from file:./data/salon.db --to postgresql://role:password@host:5432/database (--images ./data | --no-images)\n" +
  "Copies a SQLite database of Salon into an empty PostgreSQL database (migrated first). Stop Salon before copying.\n" +
  "--images DATA_DIR copies the image files of the SQLite deployment into PostgreSQL (where every host reads them);\n" +
  "--no-images leaves them where they are: only when IMAGE_STORE_URL already keeps them in a bucket.";

/** `--from X --to Y` (or `--from=X`), or the reason they are not. */
function parseArgs(argv: string[]): { from: string; to: string; images: string | null } | string {
  const found: Record<string, string> = {};
  let noImages = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--no-images") {
      noImages = true;
      continue;
    }
    const match = /^--(from|to|images)(?:=(.*))?$/.exec(argv[i]!);
    if (!match) return `unexpected argument ${JSON.stringify(argv[i])}`;
    const value = match[2] ?? argv[++i];
    if (!value) return `--${match[1]} needs a value`;
    if (found[match[1]!] !== undefined) return `--${match[1]} given twice`;
    found[match[1]!] = value;
  }
  if (!found.from || !found.to) return `missing ${["from", "to"].filter((k) => !found[k]).map((k) => `--${k}`).join(" and ")}`;
  if (noImages === (found.images !== undefined)) return noImages ? "--images and --no-images together" : "say where the images are: --images DATA_DIR, or --no-images";
  return { from: found.from, to: found.to, images: found.images ?? null };
}

const args = parseArgs(process.argv.slice(2));
if (typeof args === "string") {
  console.error(`db:copy: ${args}\n${USAGE}`);
  process.exit(2);
}
try {
  const result = await copyDatabase(args.from, args.to, { progress: (table, rows) => console.log(`${table}: ${rows} rows`), ...(args.images ? { imagesDir: args.images } : {}) });
  if (result.migrated.length) console.log(`Applied ${result.migrated.length} PostgreSQL migration(s) first: ${result.migrated.join(", ")}`);
  const total = result.tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(`Copied ${total} rows into ${redactedUrl(args.to)}. Start Salon with DATABASE_URL set to it.`);
  if (result.images) {
    console.log(`Copied ${result.images.copied} images into the database's image store.`);
    if (result.images.missing.length) console.warn(`${result.images.missing.length} images the creations refer to were not in ${args.images}/images (or damaged), so their posts keep no image: ${result.images.missing.join(", ")}`);
  }
} catch (error) {
  console.error(error instanceof CopyRefusedError ? `db:copy: ${error.message}` : `db:copy failed, nothing was copied: ${(error as Error).message}`);
  process.exit(1);
}
