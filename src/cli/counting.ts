/**
 * A JobProvider that counts what the lifecycle asks of it: status requests (polls), the errors they
 * met and whether the end came by webhook. The watcher reports attempts only between polls, so the
 * count of the last poll and of failed ones comes from here.
 */
import type { JobHandle, JobProvider, JobPush } from "../index.js";

export interface PollStats {
  polls: number;
  /** Error class names met by polls, in order (RateLimitError, ServerError, ...). */
  errors: string[];
  /** Every raw status seen, in order of first sight. */
  rawStatuses: string[];
  /** Raw statuses seen that the provider's state table does not know. */
  unknownStatuses: string[];
  viaWebhook: boolean;
  /** Jobs whose end this provider read from its push connection (the first of a key's waits reads for all of them). */
  pushedEnds: Set<string>;
  /** The last error a poll met, for telling what was handled. */
  lastError?: unknown;
}

export function counting<H extends JobHandle, Raw>(client: JobProvider<H, Raw>): { provider: JobProvider<H, Raw>; stats: PollStats } {
  const stats: PollStats = { polls: 0, errors: [], rawStatuses: [], unknownStatuses: [], viaWebhook: false, pushedEnds: new Set() };
  const provider: JobProvider<H, Raw> = {
    provider: client.provider,
    rateKey: client.rateKey,
    pollDefaults: client.pollDefaults,
    rateBudgets: client.rateBudgets,
    normalize: (raw) => client.normalize(raw),
    kindOf: (handle) => client.kindOf(handle),
    checkHandle: (handle) => client.checkHandle(handle),
    // Comfy's WebSocket: the wait learns ends and progress from it; polls stay the source of truth.
    ...(client.push ? { push: countingPush(client.push, stats) } : {}),
    async status(handle, init) {
      stats.polls++;
      try {
        const snapshot = await client.status(handle, init);
        if (snapshot.rawStatus !== undefined && !stats.rawStatuses.includes(snapshot.rawStatus)) stats.rawStatuses.push(snapshot.rawStatus);
        if (snapshot.state === "unknown" && snapshot.rawStatus !== undefined && !stats.unknownStatuses.includes(snapshot.rawStatus)) {
          stats.unknownStatuses.push(snapshot.rawStatus);
        }
        return snapshot;
      } catch (error) {
        if (!init?.signal?.aborted) {
          stats.errors.push(error instanceof Error ? error.name : "Error");
          stats.lastError = error;
        }
        throw error;
      }
    },
  };
  if (client.fromWebhook) {
    const fromWebhook = client.fromWebhook.bind(client);
    provider.fromWebhook = (handle, payload) => {
      const snapshot = fromWebhook(handle, payload);
      stats.viaWebhook = snapshot.terminal;
      return snapshot;
    };
  }
  return { provider, stats };
}

const MAX_PUSHED_ENDS = 256;

function countingPush(push: JobPush, stats: PollStats): JobPush {
  return {
    target: push.target,
    connect: () => push.connect(),
    parse(frame) {
      const event = push.parse(frame);
      if (event?.ended) {
        stats.pushedEnds.add(event.jobId);
        // The socket carries every job of the key's user: only the latest ends are kept.
        if (stats.pushedEnds.size > MAX_PUSHED_ENDS) stats.pushedEnds.delete(stats.pushedEnds.values().next().value!);
      }
      return event;
    },
  };
}
