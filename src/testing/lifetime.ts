/**
 * Everything the kit keeps alive (timers, sockets, outgoing requests) is registered here,
 * so close() can end it all and the process exits right after.
 */
export class Lifetime {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly disposers = new Set<() => void>();
  private ended = false;

  get closed(): boolean {
    return this.ended;
  }

  /** An unref'd timeout that close() clears. Returns a cancel function. */
  timer(ms: number, fn: () => void): () => void {
    if (this.ended) return () => {};
    const handle = setTimeout(
      () => {
        this.timers.delete(handle);
        fn();
      },
      Math.max(0, ms),
    );
    // Not every fake-timer implementation returns an object with unref.
    (handle as { unref?: () => void }).unref?.();
    this.timers.add(handle);
    return () => {
      clearTimeout(handle);
      this.timers.delete(handle);
    };
  }

  /** Resolves after `ms`, or never if close() comes first (the waiter is dropped with its socket). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timer(ms, resolve);
    });
  }

  /** Registers a cleanup to run on close(); returns a function that unregisters it. */
  hold(dispose: () => void): () => void {
    if (this.ended) {
      dispose();
      return () => {};
    }
    this.disposers.add(dispose);
    return () => this.disposers.delete(dispose);
  }

  end(): void {
    this.ended = true;
    for (const handle of this.timers) clearTimeout(handle);
    this.timers.clear();
    for (const dispose of [...this.disposers]) {
      try {
        dispose();
      } catch {
        // A socket already gone is fine: the goal is only that nothing stays open.
      }
    }
    this.disposers.clear();
  }
}
