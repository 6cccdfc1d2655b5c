/**
 * One timer for any number of pending polls: a min-heap of due times. Thousands of watched jobs
 * cost one setTimeout, and closing the scheduler leaves no timer behind.
 */

/**
 * Most time one turn of the timer spends starting due polls before it yields to I/O: each start
 * builds and sends a request (about 0.1 ms on Node 20), and thousands come due together when a
 * budget reopens, which held the event loop for 40 ms and more in the 10,000-job benchmark.
 */
const SLICE_MS = 5;
/** Tasks run between two looks at the clock. */
const CHECK_EVERY = 8;
/**
 * The longest delay setTimeout takes (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms
 * with a TimeoutOverflowWarning, so a task further out is reached in steps of this size instead.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

interface Task {
  at: number;
  seq: number;
  run: (() => void) | undefined;
}

export interface Scheduler {
  /** Runs `run` at time `at` (ms since epoch; NaN means now, Infinity never). Returns a function that cancels it. */
  at(at: number, run: () => void): () => void;
  readonly size: number;
  close(): void;
}

export function createScheduler(): Scheduler {
  const heap: Task[] = [];
  let seq = 0;
  let live = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;
  let closed = false;

  const before = (a: Task, b: Task) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

  function push(task: Task): void {
    heap.push(task);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  function pop(): Task | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }

  function arm(): void {
    while (heap.length > 0 && heap[0]!.run === undefined) pop();
    const next = heap[0];
    if (closed || next === undefined) {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      timerAt = Infinity;
      return;
    }
    if (timer !== undefined && timerAt <= next.at) return;
    if (timer !== undefined) clearTimeout(timer);
    timerAt = next.at;
    timer = setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, next.at - Date.now())));
  }

  function fire(): void {
    timer = undefined;
    timerAt = Infinity;
    const now = Date.now();
    const until = performance.now() + SLICE_MS;
    let ran = 0;
    while (heap.length > 0 && heap[0]!.at <= now) {
      if (++ran % CHECK_EVERY === 0 && performance.now() >= until) {
        // More are due: let I/O run, then go on at once (a turn later, not at the next due time).
        timerAt = -Infinity;
        timer = setTimeout(fire, 0);
        return;
      }
      const task = pop()!;
      const run = task.run;
      if (run === undefined) continue;
      task.run = undefined;
      live--;
      run();
    }
    arm();
  }

  return {
    at(at, run) {
      if (closed) return () => {};
      // A NaN would break the heap's order and re-arm the timer at once, forever.
      const task: Task = { at: Number.isNaN(at) ? Date.now() : at, seq: seq++, run };
      live++;
      push(task);
      arm();
      return () => {
        if (task.run === undefined) return;
        task.run = undefined;
        live--;
        if (live === 0) arm();
      };
    },
    get size() {
      return live;
    },
    close() {
      closed = true;
      heap.length = 0;
      live = 0;
      arm();
    },
  };
}
