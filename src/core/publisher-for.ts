import type { SalonDeps } from "./deps.js";
import { AppError } from "./errors.js";
import type { Publisher } from "./ports.js";
import type { Platform } from "./types.js";

export function publisherFor(deps: Pick<SalonDeps, "publishers">, platform: Platform): Publisher {
  const publisher = deps.publishers[platform];
  if (!publisher) throw new AppError("no_publisher", `No publisher is configured for ${platform}`);
  return publisher;
}
