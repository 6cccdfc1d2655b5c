/**
 * jobstatus: start, check and wait for asynchronous jobs on Dify, Comfy Cloud and DeepAffects with
 * one typed client per provider, one normalized job state, and a poll policy that spends few requests.
 * Per-provider entries (`jobstatus/dify`, `jobstatus/comfy`, `jobstatus/deepaffects`) hold the same
 * with one provider each, for smaller bundles.
 */
export * from "./dify.js";
export * from "./comfy.js";
export * from "./deepaffects.js";
