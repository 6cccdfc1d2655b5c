/**
 * Webhook deliveries that came before their job was added to a watcher, held briefly as JSON text:
 * a parsed body of many small values takes some twenty times its size in objects, the text itself.
 */
import { InvalidArgumentError } from "../core/errors.js";

/** Limits on the deliveries a watcher holds for jobs it does not watch yet. */
export interface EarlyDeliveryLimits {
  /** Most deliveries held at once (default 1 000); the oldest is dropped for a new one. */
  max?: number | undefined;
  /**
   * Most memory the held deliveries' JSON text may take, in bytes (default 16 MiB: 16 deliveries of
   * the handler's largest body). A delivery larger than this is not held.
   */
  maxBytes?: number | undefined;
  /** How long a delivery is held, in ms (default 60 000); a job added later than that is polled. */
  holdMs?: number | undefined;
}

export interface EarlyDeliveries {
  /** Holds a copy of `payload` for `key` (replacing one held before); drops expired and, past the limits, the oldest. */
  hold(key: string, payload: unknown): void;
  /** The payload held for `key` and not expired, parsed anew; it is held no longer. */
  take(key: string): unknown;
  clear(): void;
}

export function createEarlyDeliveries(limits: EarlyDeliveryLimits = {}): EarlyDeliveries {
  const limit = (name: keyof EarlyDeliveryLimits, fallback: number) => {
    const value = limits[name] ?? fallback;
    if (!Number.isSafeInteger(value) || value < 0)
      throw new InvalidArgumentError(`earlyDeliveries.${name} must be a whole number ≥ 0, got ${String(value)}.`);
    return value;
  };
  const max = limit("max", 1_000);
  const maxBytes = limit("maxBytes", 16 * 1024 * 1024);
  const holdMs = limit("holdMs", 60_000);
  // Insertion order is arrival order: the oldest, and the first to expire, come first.
  const held = new Map<string, { json: string; bytes: number; until: number }>();
  let bytes = 0;

  function drop(key: string) {
    const found = held.get(key);
    if (found) {
      held.delete(key);
      bytes -= found.bytes;
    }
    return found;
  }
  function dropExpired(now: number) {
    for (const [key, { until }] of held) {
      if (until > now) return;
      drop(key);
    }
  }

  return {
    hold(key, payload) {
      const now = Date.now();
      drop(key);
      dropExpired(now);
      let json: string | undefined;
      try {
        json = JSON.stringify(payload);
      } catch {
        return; // no JSON copy (a cycle, a BigInt, nesting deeper than the stack): not held
      }
      if (json === undefined) return;
      // What the text takes in memory: one byte a character, two once any is past Latin-1.
      const size = json.length * (/[^\u0000-\u00ff]/.test(json) ? 2 : 1);
      if (size > maxBytes || max === 0) return;
      while (held.size >= max || bytes + size > maxBytes) drop(held.keys().next().value!);
      held.set(key, { json, bytes: size, until: now + holdMs });
      bytes += size;
    },
    take(key) {
      dropExpired(Date.now());
      const found = drop(key);
      return found && JSON.parse(found.json);
    },
    clear() {
      held.clear();
      bytes = 0;
    },
  };
}
