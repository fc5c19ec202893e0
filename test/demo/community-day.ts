/**
 * `npm run demo [-- --platform discord|slack]`: the real bot (discord.js or Bolt, the openai SDK, Prisma, the digest
 * code) against a loopback Discord or Slack and a loopback OpenAI, with no account and no network. A small community
 * plays one day — members create and react — then the clock moves to the next morning and the digest is published.
 * The digest is printed (Slack's Block Kit as readable lines) and its collage is written to demo-output/.
 * The day itself is the shared scenario of test/scenario/community-day.ts, which the tests also play on both platforms.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { COMMUNITY_DAY, playCommunityDay, type Platform } from "../scenario/community-day.js";

const USAGE = "Usage: npm run demo [-- --platform discord|slack]";

function platformFrom(args: string[]): Platform {
  let platform = "discord";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--platform") platform = args[++i] ?? "";
    else if (arg.startsWith("--platform=")) platform = arg.slice("--platform=".length);
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`Unknown argument ${arg}. ${USAGE}`);
      process.exit(2);
    }
  }
  if (platform !== "discord" && platform !== "slack") {
    console.error(`--platform takes discord or slack, not "${platform}". ${USAGE}`);
    process.exit(2);
  }
  return platform;
}

const platform = platformFrom(process.argv.slice(2));
const started = performance.now();
const say = (line: string) => console.log(line);
const label = platform === "discord" ? "Discord" : "Slack";

say(`Starting Salon against a loopback ${label} and a loopback OpenAI…`);
const day = await playCommunityDay(platform, COMMUNITY_DAY, { say, showcase: true });

const outDir = path.resolve("demo-output");
await mkdir(outDir, { recursive: true });
say(`\n──── #gallery (${label}) ────\n${day.digestLines.join("\n")}\n────────────────`);
say(`Digests posted by the first tick: ${day.firstTick}; by a second tick: ${day.secondTick} (exactly once).`);
if (day.collage) {
  const file = path.join(outDir, platform === "discord" ? day.collage.filename : `slack-${day.collage.filename}`);
  await writeFile(file, day.collage.bytes);
  const { width, height } = await sharp(day.collage.bytes).metadata();
  say(`Collage: ${file} (${width}×${height}, ${day.collage.mimeType})`);
}
say(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
