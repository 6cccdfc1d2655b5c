/** Names in Redis: the BullMQ queue, job ids, and the keys of results, claims, rate windows and pauses. */
import type { ProviderName } from "../core/errors.js";

/** The BullMQ queue every tracker and worker of one `prefix` shares. */
export const QUEUE_NAME = "jobstatus-polls";

/** The default key prefix, BullMQ's own. */
export const DEFAULT_PREFIX = "bull";

/**
 * The BullMQ job id of a provider's job: BullMQ forbids ":" in custom ids and ids that read as
 * integers, so the provider's id is percent-encoded behind the provider's name.
 */
export function trackedJobId(provider: ProviderName, jobId: string): string {
  return `${provider}-${encodeURIComponent(jobId)}`;
}

/** Provider and job id back from a {@link trackedJobId} (provider names hold no "-"). */
export function parseTrackedJobId(id: string): { provider: ProviderName; jobId: string } {
  const at = id.indexOf("-");
  return { provider: id.slice(0, at) as ProviderName, jobId: decodeURIComponent(id.slice(at + 1)) };
}

/** Our own keys live beside the queue's, under the same prefix; short, as there are one or two per job. */
export function keysOf(prefix: string) {
  const base = `${prefix}:${QUEUE_NAME}:js`;
  return {
    /** The outcome of a settled job, first writer wins. */
    result: (id: string) => `${base}:out:${id}`,
    /** "claimed" while a worker runs onSettled, "done" after. */
    reported: (id: string) => `${base}:rep:${id}`,
    /** A webhook delivery received by any process, for the worker that runs the job next. */
    delivery: (id: string) => `${base}:hook:${id}`,
    /** One sorted set of request times per rate key and budget. */
    window: (rateKey: string, index: number) => `${base}:rate:${rateKey}:${index}`,
    /** Set, with an expiry, while a rate key is paused after a 429. */
    pause: (rateKey: string) => `${base}:pause:${rateKey}`,
  };
}
