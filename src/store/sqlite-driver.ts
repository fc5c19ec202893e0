/**
 * better-sqlite3 is a native module: its binary is built for one Node.js ABI. Installed under one Node and run under
 * another (a Node upgrade without `npm rebuild`, or an npm `nodedir` pointing at another Node's headers, as on machines
 * that build offline), the first database it opens fails with Node's bare dlopen message. Salon says what to do instead.
 */
import BetterSqlite3 from "better-sqlite3";

/** The `NODE_MODULE_VERSION` of each Node line Salon supports, for the message. */
const NODE_LINES: Record<string, string> = { "115": "Node 20", "127": "Node 22", "137": "Node 24" };

/** A clear error for better-sqlite3 built for another Node, or undefined when `error` is something else. */
export function wrongNodeBuild(error: unknown): Error | undefined {
  const message = error instanceof Error ? error.message : "";
  const match = /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(message);
  if (!match) return undefined;
  const [, built, running] = match as unknown as [string, string, string];
  const name = (abi: string) => `${NODE_LINES[abi] ?? "another Node"} (ABI ${abi})`;
  return new Error(
    `better-sqlite3 was built for ${name(built)} but Salon runs on ${process.version}, ${name(running)}. ` +
      "Rebuild it with the Node that runs Salon: `npm rebuild better-sqlite3` (offline, point npm at that Node's own " +
      "headers: `npm_config_nodedir=<node folder with include/node> npm rebuild better-sqlite3`).",
    { cause: error },
  );
}

/** Opens a SQLite file with better-sqlite3, explaining a binary built for another Node. */
export function openSqliteFile(file: string, options: BetterSqlite3.Options): BetterSqlite3.Database {
  try {
    return new BetterSqlite3(file, options);
  } catch (error) {
    throw wrongNodeBuild(error) ?? error;
  }
}
