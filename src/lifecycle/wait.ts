/** `wait` and `watch`: one job, on a watcher of its own that shares the process's rate budgets. */
import type { JobHandle, JobProvider, JobSnapshot, SucceededJobSnapshot, TerminalJobSnapshot } from "../core/state.js";
import type { WaitOptions, WaitState } from "./options.js";
import { createAsyncQueue } from "./async-queue.js";
import { createWatcher } from "./watcher.js";

/**
 * Waits until the job ends and resolves with its snapshot, typed as succeeded: with
 * `throwOnFailure: true` a failed or cancelled job rejects with a JobFailedError instead.
 * @example
 * const done = await wait(comfy, handle, { throwOnFailure: true });
 * done.state; // "succeeded"
 */
export function wait<H extends JobHandle, Raw, S extends string = string>(
  provider: JobProvider<H, Raw, S>,
  job: H | WaitState<H>,
  options: WaitOptions<JobSnapshot<Raw, H, S>> & { throwOnFailure: true },
): Promise<SucceededJobSnapshot<Raw, H, S>>;
/**
 * Waits until the job ends and resolves with its terminal snapshot (succeeded, failed or cancelled;
 * never queued, running or unknown). A failed or cancelled job resolves too (see `throwOnFailure`);
 * errors that make waiting pointless (401, 403, 404, bad input) reject at once; transient ones
 * (network, 408, 429, 5xx) are retried as slower polls.
 * Pass a saved {@link WaitState} instead of a handle to resume a wait with its deadline.
 * @example
 * const done = await wait(comfy, handle, { timeoutMs: 10 * 60_000, onUpdate: (s) => console.log(s.state) });
 * if (done.state === "succeeded") console.log(await comfy.getJob(handle.jobId));
 */
export function wait<H extends JobHandle, Raw, S extends string = string>(
  provider: JobProvider<H, Raw, S>,
  job: H | WaitState<H>,
  options?: WaitOptions<JobSnapshot<Raw, H, S>>,
): Promise<TerminalJobSnapshot<Raw, H, S>>;
export async function wait<H extends JobHandle, Raw, S extends string>(
  provider: JobProvider<H, Raw, S>,
  job: H | WaitState<H>,
  options: WaitOptions<JobSnapshot<Raw, H, S>> = {},
): Promise<TerminalJobSnapshot<Raw, H, S>> {
  const watcher = createWatcher({ limiter: options.limiter, maxInFlight: 1 });
  // Only a callback still running when the deadline or the signal ended the wait can fail later: the wait has already rejected.
  watcher.on("error", () => {});
  try {
    // The watcher settles a job only on a terminal snapshot, and with throwOnFailure only on a succeeded one.
    return (await watcher.add(provider, job, options as WaitOptions<JobSnapshot<Raw, H>>).result) as TerminalJobSnapshot<Raw, H, S>;
  } finally {
    watcher.close();
  }
}

/**
 * The job's snapshots as an async iterable, one per change of state, ending after the terminal one.
 * Leaving the loop early stops polling at once and leaves no timer behind.
 * @example
 * for await (const snapshot of watch(dify, handle)) console.log(snapshot.state, snapshot.rawStatus);
 */
export function watch<H extends JobHandle, Raw, S extends string = string>(
  provider: JobProvider<H, Raw, S>,
  job: H | WaitState<H>,
  options?: WaitOptions<JobSnapshot<Raw, H, S>>,
): AsyncIterableIterator<JobSnapshot<Raw, H, S>>;
export function watch<H extends JobHandle, Raw>(
  provider: JobProvider<H, Raw>,
  job: H | WaitState<H>,
  options: WaitOptions<JobSnapshot<Raw, H>> = {},
): AsyncIterableIterator<JobSnapshot<Raw, H>> {
  let watcher: ReturnType<typeof createWatcher> | undefined;
  const queue = createAsyncQueue<JobSnapshot<Raw, H>>({
    start() {
      watcher = createWatcher({ limiter: options.limiter, maxInFlight: 1 });
      watcher.on("error", () => {}); // as in wait(): the loop has already thrown
      const watched = watcher.add(provider, job, {
        ...options,
        onUpdate(snapshot) {
          queue.push(snapshot);
          // Handed back so that a promise it returns is followed like any onUpdate's.
          return options.onUpdate?.(snapshot);
        },
      });
      watched.result.then(
        () => queue.end(),
        (error: unknown) => queue.end({ error }),
      );
    },
    stop: () => watcher?.close(),
  });
  return queue.iterator;
}
