/**
 * Prepared statements kept and reused, for the Prisma better-sqlite3 adapter. The adapter prepares every query anew
 * (`client.prepare(sql).bind(args)`, and a bound statement can't be bound again), and Salon's queries are a few
 * hundred distinct texts: in the Slack `/imagine` burst, `prepare` was the largest single cost of the bot's thread
 * (0.6 s of 9.7 s busy, before garbage collection), on the thread that must also acknowledge every command within
 * 3 seconds. Each text is now prepared once; a query binds its values at the call instead.
 */
import type BetterSqlite3 from "better-sqlite3";

/** Distinct statements kept per connection, least recently used dropped first. */
const KEPT = 1_000;

/**
 * A kept statement as the adapter uses one: `bind(values)` returns a use of it with those values, whose `run`, `all`
 * and `get` pass them at the call, and whose `raw()` holds only for this use.
 */
class ReusedStatement {
  private rows: "objects" | "arrays" = "objects";

  constructor(
    private readonly statement: BetterSqlite3.Statement,
    private readonly values: unknown[] = [],
  ) {}

  get reader(): boolean {
    return this.statement.reader;
  }

  bind(...values: unknown[]): ReusedStatement {
    // The adapter binds one array (positional values); better-sqlite3 takes the same as the call's arguments.
    return new ReusedStatement(this.statement, values);
  }

  columns(): BetterSqlite3.ColumnDefinition[] {
    return this.statement.columns();
  }

  raw(on = true): this {
    this.rows = on ? "arrays" : "objects";
    return this;
  }

  run(...values: unknown[]): BetterSqlite3.RunResult {
    return this.statement.run(...this.valuesOr(values));
  }

  all(...values: unknown[]): unknown[] {
    return this.reading().all(...this.valuesOr(values));
  }

  get(...values: unknown[]): unknown {
    return this.reading().get(...this.valuesOr(values));
  }

  private reading(): BetterSqlite3.Statement {
    return this.statement.raw(this.rows === "arrays");
  }

  private valuesOr(values: unknown[]): unknown[] {
    return values.length > 0 ? values : this.values;
  }
}

/** Makes `db.prepare` hand out kept statements (see the top of this file). Returns `db`. */
export function reuseStatements(db: BetterSqlite3.Database, kept = KEPT): BetterSqlite3.Database {
  const prepare = db.prepare.bind(db);
  const statements = new Map<string, BetterSqlite3.Statement>();
  const reusing = (sql: string) => {
    let statement = statements.get(sql);
    if (statement) statements.delete(sql); // re-inserted below: the Map's order is the order of last use
    else statement = prepare(sql);
    statements.set(sql, statement);
    if (statements.size > kept) statements.delete(statements.keys().next().value!);
    return new ReusedStatement(statement);
  };
  db.prepare = reusing as unknown as typeof db.prepare;
  return db;
}
