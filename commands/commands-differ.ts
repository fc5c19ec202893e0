/**
 * Whether the commands Discord has differ from ours. Discord answers with extra fields (ids, versions, defaults it
 * filled in), so only what we define is compared, with Discord's defaults applied to our side.
 */
type Json = unknown;

const DEFAULTS: Record<string, Json> = { type: 1, nsfw: false, required: false, options: [], default_member_permissions: null };
/** Fields Discord adds that we never send. */
const IGNORED = new Set(["id", "application_id", "version", "guild_id", "dm_permission", "default_permission", "integration_types", "name_localizations", "description_localizations", "handler"]);

function normalise(value: Json): Json {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value as Record<string, Json>).sort(([a], [b]) => a.localeCompare(b))) {
    if (IGNORED.has(key) || v === undefined) continue;
    if (key in DEFAULTS && JSON.stringify(v) === JSON.stringify(DEFAULTS[key])) continue;
    out[key] = normalise(v);
  }
  return out;
}

export function commandsDiffer(local: readonly Json[], remote: readonly Json[]): boolean {
  const byName = (list: readonly Json[]) =>
    [...list].map(normalise).sort((a, b) => String((a as { name: string }).name).localeCompare(String((b as { name: string }).name)));
  return JSON.stringify(byName(local)) !== JSON.stringify(byName(remote));
}
