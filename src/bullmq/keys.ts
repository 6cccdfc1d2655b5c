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

/** Our own keys live beside the queue's, under the same prefix. */
export function keysOf(prefix: string) {
  const base = `${prefix}:${QUEUE_NAME}:jobstatus`;
  return {
    /** The outcome of a settled job, first writer wins. */
    result: (id: string) => `${base}:result:${id}`,
    /** "claimed" while a worker runs onSettled, "done" after. */
    reported: (id: string) => `${base}:reported:${id}`,
    /** A webhook delivery received by any process, for the worker that runs the job next. */
    delivery: (id: string) => `${base}:delivery:${id}`,
    /** One sorted set of request times per rate key and budget. */
    window: (rateKey: string, index: number) => `${base}:rate:${rateKey}:${index}`,
    /** Set, with an expiry, while a rate key is paused after a 429. */
    pause: (rateKey: string) => `${base}:pause:${rateKey}`,
  };
}
