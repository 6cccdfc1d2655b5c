/**
 * Caller code run for a job (`onUpdate`, `onProgress`, `update` listeners): a promise it returns
 * holds the job's next step until it settles, so that a caller's writes land in order and before the
 * wait ends; a throw or a rejection goes to the job's error path. The deadline still holds meanwhile.
 */

/** What a job keeps to follow its callbacks. */
export interface CallbackGate {
  ended: boolean;
  /** Promises returned by this job's callbacks that have not settled yet; the job takes no step before they do. */
  callbacksPending: number;
  /** The steps that wait for them, in order: the next poll, the end of the job. */
  afterCallbacks: Array<() => void>;
}

/** Runs `callback(value)` for a job; a throw or rejection goes to `onError` (never undefined). */
export function callBack<T>(
  job: CallbackGate,
  callback: ((value: T) => unknown) | undefined,
  value: T,
  onError: (error: unknown) => void,
): void {
  if (!callback) return;
  // A result whose error is undefined would read as a success to `if (result.error)`.
  const fail = (thrown: unknown) => onError(thrown ?? new Error(`A callback threw ${thrown}.`));
  let returned: PromiseLike<unknown> | undefined;
  try {
    returned = callback(value) as PromiseLike<unknown> | undefined;
    if (typeof returned?.then !== "function") return;
    job.callbacksPending++;
    let counted = true;
    const settled = (thrown?: { error: unknown }) => {
      if (!counted) return;
      counted = false;
      job.callbacksPending--;
      if (thrown) return fail(thrown.error);
      if (job.callbacksPending === 0 && !job.ended) runAfterCallbacks(job);
    };
    try {
      returned.then(
        () => settled(),
        (error: unknown) => settled({ error }),
      );
    } catch (error) {
      settled({ error });
    }
  } catch (error) {
    fail(error);
  }
}

/** Takes `step` now, or once the job's pending callback promises have settled. */
export function afterCallbacks(job: CallbackGate, step: () => void): void {
  if (job.ended) return;
  if (job.callbacksPending > 0) job.afterCallbacks.push(step);
  else step();
}

function runAfterCallbacks(job: CallbackGate): void {
  while (job.afterCallbacks.length > 0 && job.callbacksPending === 0 && !job.ended) job.afterCallbacks.shift()!();
}

/** Calls caller code; a throw, or a rejection of the promise it returns, goes to `fail`. */
export function guarded(code: () => unknown, fail: (error: unknown) => void): void {
  try {
    const returned = code() as PromiseLike<unknown> | undefined;
    if (typeof returned?.then === "function") returned.then(undefined, fail);
  } catch (error) {
    fail(error);
  }
}

/** As an uncaught exception: Node exits with its stack unless the process handles it; browsers log it. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
