/** Text shared by every platform, so Discord and Slack say the same thing. */

/** What a member reads when something failed on Salon's side (it is logged). */
export const SORRY = "Something went wrong on my side. It has been logged; please try again in a moment.";

/** "1 like", "N likes": the one way a like count is ever shown. */
export function likes(count: number): string {
  return `${count} ${count === 1 ? "like" : "likes"}`;
}

/** A prompt shortened for lists, on a word boundary when one is near, with an ellipsis. */
export function excerpt(prompt: string, max = 80): string {
  const flat = prompt.replace(/\s+/g, " ").trim();
  const chars = Array.from(flat); // code points: never half of an emoji
  if (chars.length <= max) return flat;
  const cut = chars.slice(0, max - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** Micro-dollars as "$1.23". */
export function usd(micro: number): string {
  return `$${(micro / 1_000_000).toFixed(2)}`;
}

/** "3 seconds", "1 minute 5 seconds". */
export function duration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (minutes === 0) return part(rest, "second");
  return rest === 0 ? part(minutes, "minute") : `${part(minutes, "minute")} ${part(rest, "second")}`;
}

/** The answer to `/salon digest` once it ran (a preview is rendered by each platform). */
export function digestOutcomeText(outcome: { status: "posted"; title: string; url: string } | { status: "empty"; title: string } | { status: "already" | "busy" }): string {
  switch (outcome.status) {
    case "posted":
      return `Posted the digest for ${outcome.title}: ${outcome.url}`;
    case "empty":
      return `No liked creations on ${outcome.title}, so there is nothing to post.`;
    case "already":
      return "That day's digest has already been published.";
    case "busy":
      return "That digest is being published right now.";
  }
}

/** The answer to `/salon recount`. */
export function recountText(r: { posts: number; corrected: number; deleted: number; failed: number }): string {
  return `Re-read the likes of ${r.posts} recent ${r.posts === 1 ? "post" : "posts"}: ${r.corrected} corrected, ${r.deleted} found deleted${r.failed ? `, ${r.failed} could not be read` : ""}.`;
}

/** The answer to `/privacy forget`. */
export function forgetText(r: { posts: number; images: number; reactionsLeft: number; digests: number }): string {
  const digests = r.digests === 0 ? "" : ` ${r.digests === 1 ? "The digest that named you now reads" : `The ${r.digests} digests that named you now read`} "a former member".`;
  const done = `Done. I deleted your prompts and likes, ${r.posts} gallery ${r.posts === 1 ? "post" : "posts"} and ${r.images} ${r.images === 1 ? "image" : "images"}.${digests}`;
  if (r.reactionsLeft === 0) return done;
  const one = r.reactionsLeft === 1;
  return `${done} Your ${one ? "reaction" : `${r.reactionsLeft} reactions`} on others' posts no longer ${one ? "counts" : "count"} as a like; only you can take ${one ? "it" : "them"} off the posts.`;
}
