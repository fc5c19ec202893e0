/**
 * PostgreSQL's failures on the running bot, which reaches its own database (copied from the migrated template)
 * through a loopback TCP proxy, with one pooled connection (DATABASE_POOL_SIZE=1) so each staging meets the request:
 * - refused: the proxy stops listening (ECONNREFUSED), as a server that is not there;
 * - lost: the proxy drops the connection while the bot's statement waits on a row lock the test holds (closed under
 *   the /imagine, reset under the reaction);
 * - serialization failure: a trigger on Creation raises SQLSTATE 40001 every time, so the retry runs out;
 * - read-only: `default_transaction_read_only` on the database, the bot's sessions terminated (SQLSTATE 25006);
 * - disk full: a trigger on Creation raises SQLSTATE 53100, what PostgreSQL answers when it cannot extend a file (a real
 *   full disk would need a tiny filesystem mounted for the server's data: this stages the same answer through the
 *   real driver and adapter, which is the code path Salon has).
 * The triggers fire on Creation's inserts and updates: a creation's insert, and a reaction's recount of its post.
 */
import pg from "pg";
import { expect, inject } from "vitest";
import { onServer, scratchDatabase, type ScratchDatabase } from "../../../prisma/postgres-scratch.js";
import { startHarness } from "../../support/harness.js";
import { databaseRows } from "../../support/test-database.js";
import type { DatabaseStaging, Failure } from "./database-staging.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

/** The bot's sessions (postgres.ts names them), as pg_stat_activity shows them. */
const BOT = `datname = current_database() AND application_name = 'salon' AND pid <> pg_backend_pid()`;

export function postgresStaging(): DatabaseStaging {
  let database: ScratchDatabase | undefined;
  let proxy: TcpProxy | undefined;
  const db = () => database ?? raise("start() first");
  const via = () => proxy ?? raise("start() first");
  /** One statement on the bot's database, from a session of the test's own. */
  const run = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: db().url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  /** Ends the bot's sessions (its pool sees `error` on them), and resolves once they are gone. */
  const terminateBot = async () => {
    await run(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${BOT}`);
    while ((await run(`SELECT 1 FROM pg_stat_activity WHERE ${BOT}`)).length > 0) await new Promise((r) => setTimeout(r, 20));
  };
  const raising = (sqlstate: string): Failure & { attempts(): Promise<number> } => {
    const name = `salon_fault_${sqlstate}`;
    return {
      async break() {
        // A sequence is not transactional: it counts the inserts the rolled-back transactions tried (a creation's, not
        // a reaction's recount).
        await run(`
          CREATE SEQUENCE ${name}_attempts;
          CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'INSERT' THEN PERFORM nextval('${name}_attempts'); END IF;
            RAISE EXCEPTION 'staged by the fault test' USING ERRCODE = '${sqlstate}';
          END $$;
          CREATE TRIGGER ${name} BEFORE INSERT OR UPDATE ON "Creation" FOR EACH ROW EXECUTE FUNCTION ${name}();`);
      },
      async heal() {
        await run(`DROP TRIGGER ${name} ON "Creation"; DROP FUNCTION ${name}();`);
      },
      async attempts() {
        const [row] = await run<{ n: string }>(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM ${name}_attempts`);
        return Number(row!.n);
      },
    };
  };
  // The waits the test's lock made the bot's sessions start, that a drop already ended (the server only notices a
  // client gone once the lock is granted).
  const dropped = new Set<number>();
  let holder: pg.Client | undefined;
  const serialization = raising("40001");
  return {
    async start() {
      const server = process.env.TEST_DATABASE_URL ?? raise("TEST_DATABASE_URL names no server");
      database = await scratchDatabase(server, "salon_faults", inject("postgresTemplate"));
      const direct = new URL(database.url);
      proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
      const proxied = new URL(database.url);
      proxied.hostname = "127.0.0.1";
      proxied.port = String(proxy.port);
      return startHarness({ env: { DATABASE_URL: proxied.toString(), DATABASE_POOL_SIZE: "1" } });
    },
    rows: (sql, ...params) => databaseRows(db().url, sql, ...params),
    failures: {
      "refusing connections": { break: () => via().refuse(), heal: () => via().accept() },
      "losing the connection mid-statement": {
        async break() {
          holder = new pg.Client({ connectionString: db().url });
          await holder.connect();
          // Every write of /imagine and of a reaction needs these rows (a member's or a reaction's foreign key, the
          // community's limits lock): the bot's statement waits, and the proxy drops its connection meanwhile.
          await holder.query(`BEGIN; SELECT 1 FROM "Community" FOR UPDATE; SELECT 1 FROM "Creation" FOR UPDATE`);
        },
        async strike() {
          for (;;) {
            const waiting = await run<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE ${BOT} AND wait_event_type = 'Lock'`);
            const fresh = waiting.filter((w) => !dropped.has(w.pid));
            if (fresh.length > 0) {
              // The first drop closes the connection, the next resets it: pg reads "Connection terminated
              // unexpectedly", then ECONNRESET.
              via().drop(dropped.size === 0 ? "end" : "reset");
              for (const w of fresh) dropped.add(w.pid);
              return;
            }
            await new Promise((r) => setTimeout(r, 10));
          }
        },
        async heal() {
          await holder?.query("ROLLBACK");
          await holder?.end();
          holder = undefined;
          // The dropped sessions' statements get their locks now and run to their end (a statement outside a
          // transaction commits), then their sessions find the client gone: once they are, nothing more lands.
          const pids = [...dropped];
          while ((await run(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [pids])).length > 0) await new Promise((r) => setTimeout(r, 20));
        },
      },
      "failing to serialize after the retries": {
        ...serialization,
        async check() {
          // The creation's transaction ran again on the conflict before it gave up (retry.ts: 20 attempts, or 8 s).
          const attempts = await serialization.attempts();
          expect(attempts, "the creation's attempts").toBeGreaterThan(1);
        },
      },
      "read-only": {
        async break() {
          // From the maintenance database: a session on this one could not turn it back.
          await onServer(db().url, `ALTER DATABASE "${db().name}" SET default_transaction_read_only = on`);
          await terminateBot();
        },
        async heal() {
          await onServer(db().url, `ALTER DATABASE "${db().name}" RESET default_transaction_read_only`);
          await terminateBot();
        },
      },
      "disk full": raising("53100"),
    },
    async stop() {
      await holder?.end();
      await proxy?.close();
      await database?.drop();
    },
  };
}

function raise(message: string): never {
  throw new Error(message);
}
