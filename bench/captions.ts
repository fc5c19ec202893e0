/**
 * `npx tsx bench/captions.ts [rounds]`: what titles and alt text add to the time from an image to its post.
 *
 * Two bots side by side in one process, each the whole bot against its own loopback Discord and OpenAI: one with the
 * text model on (the default), one with `TEXT_MODEL=off`. Rounds alternate between them, so the machine's noise falls
 * on both. For each creation: from the moment the image came back (the loopback OpenAI answering the image request)
 * to the gallery post reaching Discord (the loopback's POST of the message). Printed: the median of each and the
 * difference, in two settings: the loopback's immediate answers, and timings like OpenAI's (an image 3 s, a caption
 * 0.8 s, both asked for at once).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { addCommunity, adminCommand, imagine, startHarness, type Community, type Harness } from "../test/support/harness.js";

const rounds = Number(process.argv[2] ?? 15);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Bot {
  h: Harness;
  c: Community;
  samples: number[];
}

async function bot(env: Record<string, string>): Promise<Bot> {
  const h = await startHarness({ env });
  const c = await addCommunity(h);
  await adminCommand(h, c, "limits", [
    { type: 4, name: "cooldown_seconds", value: 0 },
    { type: 4, name: "per_member_daily", value: 1000 },
  ]);
  return { h, c, samples: [] };
}

/** One creation: image answered → gallery post, in ms. */
async function once(b: Bot, i: number, imageMs: number, captionMs: number): Promise<void> {
  const prompt = `a paper boat on a rainy street, study ${i}`;
  if (captionMs > 0) b.h.openai.scriptText({ delayMs: captionMs });
  const posts = () => b.h.discord.requests.filter((r) => r.method === "POST" && r.path === `/channels/${b.c.gallery.id}/messages` && r.status === 200);
  const before = posts().length;
  await imagine(b.h, b.c, b.c.members[i % b.c.members.length]!, prompt).waitFor((m) => m.content.includes("Posted to the gallery"), 30_000);
  const request = b.h.openai.imageRequests.find((r) => r.body.prompt === prompt)!;
  const post = posts()[before]!;
  // The loopback Discord stamps requests with performance.now(), the loopback OpenAI with Date.now().
  b.samples.push(performance.timeOrigin + post.at - (request.at + imageMs));
}

async function setting(name: string, imageMs: number, captionMs: number): Promise<void> {
  const on = await bot({});
  const off = await bot({ TEXT_MODEL: "off" });
  try {
    for (const b of [on, off]) b.h.openai.setImageDelay(imageMs);
    for (let i = 0; i < rounds; i++) {
      await once(on, i, imageMs, captionMs);
      await once(off, i, imageMs, 0);
      await sleep(20);
    }
    const [withTitles, without] = [median(on.samples), median(off.samples)];
    console.log(
      `${name.padEnd(44)} image → post, median of ${rounds}: titles on ${withTitles.toFixed(1)} ms, off ${without.toFixed(1)} ms; added ${(withTitles - without).toFixed(1)} ms`,
    );
  } finally {
    await on.h.close();
    await off.h.close();
  }
}

await setting("loopback answers at once", 0, 0);
await setting("image 3 s, caption 0.8 s (OpenAI-like)", 3_000, 800);
