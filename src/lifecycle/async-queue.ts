/** Values pushed by a producer, read with `for await`: the one queue under `watch()` and `results()`. */

/** The producer's side of an async queue, and the reader's iterator. */
export interface AsyncQueue<T> {
  push(value: T): void;
  /** Ends the queue once its values are read; with `failure`, the next read throws its error once. */
  end(failure?: { error: unknown }): void;
  readonly iterator: AsyncIterableIterator<T>;
}

export interface AsyncQueueHooks {
  /** Runs on the first read, so that nothing starts before someone reads. */
  start?: () => void;
  /** Whether nothing more can come, asked when no value is queued (besides `end`). */
  over?: () => boolean;
  /** Runs when the reader reaches the end or leaves early; may run more than once. */
  stop: () => void;
}

export function createAsyncQueue<T>(hooks: AsyncQueueHooks): AsyncQueue<T> {
  const values: T[] = [];
  let started = false;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;

  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (!started) {
        started = true;
        hooks.start?.();
      }
      for (;;) {
        if (values.length > 0) return { value: values.shift()!, done: false };
        if (ended || hooks.over?.()) {
          hooks.stop();
          if (failure) {
            const { error } = failure;
            failure = undefined;
            throw error;
          }
          return { value: undefined, done: true };
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    async return() {
      ended = true;
      values.length = 0;
      hooks.stop();
      wake?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    push(value) {
      values.push(value);
      wake?.();
    },
    end(error) {
      if (ended) return;
      ended = true;
      failure = error;
      wake?.();
    },
    iterator,
  };
}
