import type { Moderation } from "openai/resources/moderations";

/**
 * Each moderation category of OpenAI's spec in words a member can read. `satisfies` makes the build fail when the
 * SDK learns a category this table does not name.
 */
export const MODERATION_CATEGORY_WORDS = {
  harassment: "harassment",
  "harassment/threatening": "threatening harassment",
  hate: "hate",
  "hate/threatening": "threatening hate",
  illicit: "illicit activity",
  "illicit/violent": "violent illicit activity",
  "self-harm": "self-harm",
  "self-harm/intent": "self-harm intent",
  "self-harm/instructions": "self-harm instructions",
  sexual: "sexual content",
  "sexual/minors": "sexual content involving minors",
  violence: "violence",
  "violence/graphic": "graphic violence",
} as const satisfies Record<keyof Moderation.Categories, string>;

/** The words for one category; one the table does not know yet reads as its name with the separators spaced out. */
export function describeModerationCategory(category: string): string {
  return (MODERATION_CATEGORY_WORDS as Record<string, string>)[category] ?? category.replace(/[/_]+/g, " ");
}

/** The flagged categories in words, in the table's order, each once; unknown categories follow. */
export function describeFlaggedCategories(categories: Record<string, boolean | null | undefined>): string[] {
  const flagged = Object.keys(categories).filter((category) => categories[category] === true);
  const known = Object.keys(MODERATION_CATEGORY_WORDS).filter((category) => flagged.includes(category));
  const unknown = flagged.filter((category) => !(category in MODERATION_CATEGORY_WORDS));
  return [...new Set([...known, ...unknown].map(describeModerationCategory))];
}
