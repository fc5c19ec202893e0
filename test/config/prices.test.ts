import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config.js";
import { BUILT_IN_PRICES, loadPriceTable } from "../../src/config/prices.js";
import { priceMicroUsd } from "../../src/core/pricing.js";
import { QUALITIES, type ImageSize } from "../../src/core/types.js";

const SIZES: ImageSize[] = ["1024x1024", "1024x1536", "1536x1024"];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "salon-prices-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pricesFile(content: unknown): Promise<string> {
  const file = path.join(dir, "prices.json");
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

describe("the built-in price table", () => {
  it("prices every quality and size of every model", () => {
    for (const [model, prices] of Object.entries(BUILT_IN_PRICES)) {
      for (const quality of QUALITIES) {
        for (const size of SIZES) expect(prices[quality][size], `${model} ${quality} ${size}`).toBeGreaterThan(0);
      }
    }
  });

  it("carries OpenAI's published per-image prices", () => {
    expect(priceMicroUsd(BUILT_IN_PRICES, "gpt-image-1", "low", "1024x1024")).toBe(11_000);
    expect(priceMicroUsd(BUILT_IN_PRICES, "gpt-image-1", "high", "1536x1024")).toBe(250_000);
    expect(priceMicroUsd(BUILT_IN_PRICES, "gpt-image-1-mini", "medium", "1024x1536")).toBe(15_000);
    expect(priceMicroUsd(BUILT_IN_PRICES, "gpt-image-1.5", "high", "1024x1024")).toBe(133_000);
  });

  it("charges gpt-image-2, the default model, at gpt-image-1's prices, the highest known", () => {
    expect(BUILT_IN_PRICES["gpt-image-2"]).toEqual(BUILT_IN_PRICES["gpt-image-1"]);
    for (const quality of QUALITIES) {
      for (const size of SIZES) {
        const highest = Math.max(...Object.values(BUILT_IN_PRICES).map((m) => m[quality][size]));
        expect(BUILT_IN_PRICES["gpt-image-2"]![quality][size]).toBe(highest);
      }
    }
  });
});

describe("loadPriceTable", () => {
  it("returns the built-in table when no PRICES_FILE is set", async () => {
    expect(await loadPriceTable()).toEqual(BUILT_IN_PRICES);
    expect(await loadPriceTable("")).toEqual(BUILT_IN_PRICES);
  });

  it("returns a copy that callers cannot use to change the built-in table", async () => {
    const table = await loadPriceTable();
    table["gpt-image-1"]!.low["1024x1024"] = 99;
    expect(BUILT_IN_PRICES["gpt-image-1"]!.low["1024x1024"]).toBe(0.011);
  });

  it("lets the file replace a built-in model's prices and add new models", async () => {
    const custom = { low: { "1024x1024": 0.02, "1024x1536": 0.03, "1536x1024": 0.03 }, medium: { "1024x1024": 0.05, "1024x1536": 0.07, "1536x1024": 0.07 }, high: { "1024x1024": 0.2, "1024x1536": 0.3, "1536x1024": 0.3 } };
    const table = await loadPriceTable(await pricesFile({ "gpt-image-2": custom, "my-proxy-model": custom }));
    expect(table["gpt-image-2"]).toEqual(custom);
    expect(table["my-proxy-model"]).toEqual(custom);
    expect(table["gpt-image-1-mini"]).toEqual(BUILT_IN_PRICES["gpt-image-1-mini"]);
  });

  it("names the file and every entry that is wrong", async () => {
    const file = await pricesFile({ "gpt-image-2": { low: { "1024x1024": "cheap", "1024x1536": 0.01, "1536x1024": -1 }, medium: {}, high: {} } });
    const error = await loadPriceTable(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems.length).toBeGreaterThanOrEqual(8);
    expect(problems.every((p) => p.startsWith(`PRICES_FILE ${file}: gpt-image-2.`))).toBe(true);
    expect(problems.some((p) => p.includes("gpt-image-2.low.1024x1024"))).toBe(true);
    expect(problems.some((p) => p.includes("gpt-image-2.low.1536x1024"))).toBe(true);
  });

  it("rejects prices that can only be typos, such as 25 USD per image", async () => {
    const high = { "1024x1024": 25, "1024x1536": 0.3, "1536x1024": 0.3 };
    const file = await pricesFile({ m: { low: high, medium: high, high } });
    await expect(loadPriceTable(file)).rejects.toThrow(/m\.low\.1024x1024/);
  });

  it("explains a file that is missing or not JSON", async () => {
    await expect(loadPriceTable(path.join(dir, "nope.json"))).rejects.toThrow(/PRICES_FILE .*nope\.json cannot be read \(ENOENT\).*unset PRICES_FILE/);
    await expect(loadPriceTable(await pricesFile("{ not json"))).rejects.toThrow(/is not valid JSON/);
  });
});
