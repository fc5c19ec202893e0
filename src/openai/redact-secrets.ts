/** Key-shaped text (OpenAI keys start with `sk-`), redacted even when it is not one of the known secrets. */
const KEY_LIKE = /\bsk-[A-Za-z0-9_-]{16,}/g;
const BEARER = /\bBearer\s+[^\s"',;]+/gi;

export const REDACTED = "[redacted]";

/** Removes every given secret, and anything that looks like an API key or a bearer token, from a text. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  return result.replace(KEY_LIKE, `sk-${REDACTED}`).replace(BEARER, `Bearer ${REDACTED}`);
}

/** True when the text holds a secret or something key-shaped. */
export function containsSecret(text: string, secrets: readonly string[] = []): boolean {
  return redactSecrets(text, secrets) !== text;
}
