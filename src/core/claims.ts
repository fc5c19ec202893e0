/**
 * Claims (leases) on work in progress. A process claims a job or a digest under its instance id, renews the claim
 * while it works, and a claim whose lease ran out is abandoned: another process takes it over. At start-up the claims
 * of this instance's previous life, and of processes known to be gone, end at once.
 */
import type { SalonDeps } from "./deps.js";

/**
 * How long a job's claim holds without renewal; the worker renews it every third of that. A killed worker's job is
 * taken over by a live process within this, plus the job engine's repair period on PostgreSQL (10 s): under a minute.
 */
export const JOB_LEASE_MS = 30_000;

/** Ends the claims of owners that are gone; returns how many claims ended. */
export async function releaseAbandonedClaims(deps: Pick<SalonDeps, "creations" | "digests" | "options" | "logger">): Promise<number> {
  const { creations, digests, options, logger } = deps;
  const owners = [...new Set([...(await creations.claimOwners()), ...(await digests.claimOwners())])];
  // A live second process's claims are never taken here: only its lease running out frees them.
  const gone = owners.filter((owner) => owner === options.instanceId || options.isInstanceGone?.(owner) === true);
  const released = (await creations.expireClaims(gone)) + (await digests.expireClaims(gone));
  if (released > 0) logger.info({ released, owners: gone }, "taking over the work a stopped process left unfinished");
  return released;
}
