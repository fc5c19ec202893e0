/**
 * `SALON_ROLES`: what a process runs. `gateway` holds the platform connections and answers commands and reactions,
 * `worker` generates and posts queued creations, `scheduler` runs digests and periodic reconciliation and pruning.
 */
import { z } from "zod";

export const ROLES = ["gateway", "worker", "scheduler"] as const;
export type Role = (typeof ROLES)[number];

/** A comma-separated list of roles, case and spaces ignored; each role once, in {@link ROLES} order; all by default. */
export const rolesVariable = z
  .string()
  .transform((list) => list.split(",").map((role) => role.trim().toLowerCase()).filter((role) => role.length > 0))
  .superRefine((roles, ctx) => {
    const accepted = `each one of ${ROLES.join(", ")}, separated by commas (default all three)`;
    const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
    const named = unknown.map((role) => `"${role}"`).join(", ");
    if (unknown.length > 0) ctx.addIssue({ code: "custom", message: `SALON_ROLES has ${unknown.length === 1 ? "an unknown role" : "unknown roles"} ${named}: use ${accepted}` });
    else if (roles.length === 0) ctx.addIssue({ code: "custom", message: `SALON_ROLES lists no role: use ${accepted}, or unset it for all three` });
  })
  .transform((roles): Role[] => ROLES.filter((role) => roles.includes(role)))
  .default([...ROLES]);
