/**
 * `jobstatus`: start, check and wait for asynchronous jobs on Dify, Comfy Cloud and DeepAffects,
 * with one typed client per provider, one normalized job state, and a poll policy that spends few
 * requests. This entry holds every provider; the per-provider entries (`jobstatus/dify`,
 * `jobstatus/comfy`, `jobstatus/deepaffects`) hold the same lifecycle with one provider each, for
 * smaller bundles, and their pages describe each provider: its endpoints, auth, limits and states.
 *
 * ESM only; on Node 20.19+ `require("jobstatus")` works too.
 *
 * @module jobstatus
 */
export * from "./dify.js";
export * from "./comfy.js";
export * from "./deepaffects.js";
