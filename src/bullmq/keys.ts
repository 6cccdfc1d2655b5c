/** Names in Redis: the BullMQ queue, job ids, and the keys of results, claims, rate windows and pauses. */
import type { ProviderName } from "../core/errors.js";

/** The BullMQ queue every tracker and worker of one `prefix` shares. */
export const QUEUE_NAME = "jobstatus-polls";

/** The default key prefix, BullMQ's own. */
export const DEFAULT_PREFIX = "bull";

/** One letter per provider in job ids (DeepAffects' is "a", for its async APIs). */
const CODES: Readonly<Record<ProviderName, string>> = { comfy: "c", dify: "d", deepaffects: "a" };
const PROVIDER_OF: ReadonlyMap<string, ProviderName> = new Map(Object.entries(CODES).map(([p, c]) => [c, p as ProviderName]));

/**
 * The BullMQ job id of a provider's job: the provider's letter, then its id percent-encoded (BullMQ
 * forbids ":" in custom ids, and ids that read as integers). Short, because BullMQ stores it in the
 * job's options too: with a UUID job id those stay under Redis's 64-byte limit for a small hash.
 */
export function trackedJobId(provider: ProviderName, jobId: string): string {
  return `${CODES[provider]}${encodeURIComponent(jobId)}`;
}

/** Provider and job id back from a {@link trackedJobId}; undefined for an id this package did not make. */
export function parseTrackedJobId(id: string): { provider: ProviderName; jobId: string } | undefined {
  const provider = PROVIDER_OF.get(id.charAt(0));
  if (!provider) return undefined;
  try {
    return { provider, jobId: decodeURIComponent(id.slice(1)) };
  } catch {
    return undefined;
  }
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
