/**
 * `isStoreUnavailable` on the shapes PostgreSQL's failures reach the store in: Prisma's errors around what
 * @prisma/adapter-pg reported (copied from the bot's logs in test/faults/database.test.ts, messages shortened), the
 * errors the adapter rethrows as pg or Node gave them, and Node's own network errors. A request's own fault (a unique
 * key taken, bad SQL, a database that does not exist, a wrong password) stays what it is.
 */
import { connect } from "node:net";
import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { Prisma } from "../../src/store/generated/client.js";
import { isStoreUnavailable } from "../../src/store/store-errors.js";
import { freePort } from "../support/salon-process.js";

/** Prisma's error around the adapter's report, as the client throws it. */
function fromAdapter(code: string, cause: ConstructorParameters<typeof DriverAdapterError>[0]): Prisma.PrismaClientKnownRequestError {
  return new Prisma.PrismaClientKnownRequestError("Invalid invocation", { code, clientVersion: Prisma.prismaVersion.client, meta: { driverAdapterError: new DriverAdapterError(cause) } });
}
function prismaCode(code: string): Prisma.PrismaClientKnownRequestError {
  return new Prisma.PrismaClientKnownRequestError("Invalid invocation", { code, clientVersion: Prisma.prismaVersion.client });
}
const postgres = (code: string, message: string) => ({ kind: "postgres" as const, originalCode: code, originalMessage: message, code, severity: "ERROR", message, detail: undefined, column: undefined, hint: undefined });

describe("which database errors mean 'unavailable, try again'", () => {
  it.each([
    ["connection refused (P1001)", fromAdapter("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 })],
    ["connection refused in raw SQL (P2010)", fromAdapter("P2010", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 })],
    ["connection reset under a statement", fromAdapter("P2010", { kind: "ConnectionClosed" })],
    ["a socket timeout", fromAdapter("P2010", { kind: "SocketTimeout" })],
    ["too many connections (53300)", fromAdapter("P2010", { kind: "TooManyConnections", cause: "sorry, too many clients already" })],
    ["serialization failure after the retries (P2034)", fromAdapter("P2034", { kind: "TransactionWriteConflict", originalCode: "40001", originalMessage: "could not serialize access" })],
    ["deadlock (40P01)", fromAdapter("P2010", postgres("40P01", "deadlock detected"))],
    ["read-only transaction (25006)", fromAdapter("P2010", postgres("25006", "cannot execute INSERT in a read-only transaction"))],
    ["disk full (53100) on a model call (P2039)", fromAdapter("P2039", postgres("53100", "could not extend file"))],
    ["an I/O error (58030)", fromAdapter("P2010", postgres("58030", "could not write to file"))],
    ["the session terminated by an administrator (57P01)", fromAdapter("P2010", postgres("57P01", "terminating connection due to administrator command"))],
    ["a lock timeout (55P03)", fromAdapter("P2010", postgres("55P03", "canceling statement due to lock timeout"))],
    ["the server closed the connection (P1017)", prismaCode("P1017")],
    ["a wait for a pooled connection that timed out (P2024)", prismaCode("P2024")],
    ["the adapter's own error, unwrapped", new DriverAdapterError({ kind: "ConnectionClosed" })],
    ["pg's end of stream under a query", new Error("Connection terminated unexpectedly")],
    ["pg-pool's connection timeout", new Error("timeout exceeded when trying to connect")],
    ["a write to a closed socket (EPIPE, rethrown by the adapter)", Object.assign(new Error("write EPIPE"), { code: "EPIPE", syscall: "write", errno: -32 })],
    ["DNS failing for now (EAI_AGAIN)", Object.assign(new Error("getaddrinfo EAI_AGAIN db"), { code: "EAI_AGAIN", syscall: "getaddrinfo", errno: -3001 })],
  ])("%s", (_what, error) => {
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it("pg's own refusal when nothing listens", async () => {
    const client = new pg.Client({ host: "127.0.0.1", port: await freePort(), user: "salon", database: "salon" });
    const error = await client.connect().then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it("Node's AggregateError when every address of a host refused (localhost as ::1 and 127.0.0.1)", async () => {
    const port = await freePort(); // nothing listens on it
    const socket = connect({
      host: "db.test",
      port,
      autoSelectFamily: true,
      lookup: (_host, _options, done) => (done as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: "127.0.0.1", family: 4 }, { address: "127.0.0.2", family: 4 }]),
    });
    const error = await new Promise<unknown>((resolve) => socket.once("error", resolve));
    expect(error).toBeInstanceOf(AggregateError);
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique key taken (P2002)", fromAdapter("P2002", { kind: "UniqueConstraintViolation", constraint: { fields: ["id"] }, originalCode: "23505", originalMessage: "duplicate key value violates unique constraint" })],
    ["bad SQL (42601)", fromAdapter("P2010", postgres("42601", "syntax error at or near"))],
    ["a database that does not exist", fromAdapter("P1003", { kind: "DatabaseDoesNotExist", db: "salon", originalCode: "3D000", originalMessage: 'database "salon" does not exist' })],
    ["a wrong password", fromAdapter("P1000", { kind: "AuthenticationFailed", user: "salon", originalCode: "28P01", originalMessage: 'password authentication failed for user "salon"' })],
    ["a record not found (P2025)", prismaCode("P2025")],
    ["any other error", new Error("something else")],
  ])("not %s", (_what, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
  });
});
