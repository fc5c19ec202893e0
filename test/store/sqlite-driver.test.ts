import { describe, expect, it } from "vitest";
import { wrongNodeBuild } from "../../src/store/sqlite-driver.js";

describe("better-sqlite3 built for another Node", () => {
  it("says which Node it was built for, which one runs, and how to rebuild it", () => {
    // Node's own message, as seen here running Node 24 over a build against Node 20's headers.
    const dlopen = new Error(
      "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\n" +
        "NODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 137. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
    );
    const explained = wrongNodeBuild(dlopen);
    expect(explained?.message).toMatch(/built for Node 20 \(ABI 115\) but Salon runs on v[\d.]+, Node 24 \(ABI 137\)/);
    expect(explained?.message).toContain("npm rebuild better-sqlite3");
    expect(explained?.cause).toBe(dlopen);
  });

  it("leaves any other failure to open a file as it is", () => {
    expect(wrongNodeBuild(new Error("SQLITE_CANTOPEN: unable to open database file"))).toBeUndefined();
  });
});
