import fc from "fast-check";
import { maxSliding } from "../../bench/lib/rates.js";
import { expect, it } from "vitest";
import type { RateBudget } from "../../src/core/state.js";
import { createRateLimiter } from "../../src/lifecycle/limiter.js";

// Fixed seed: a failure reproduces on every run and machine.
const RUNS = { numRuns: 1_000, seed: 20261201 };

const budgetArb = fc.record({ requests: fc.integer({ min: 1, max: 6 }), intervalMs: fc.integer({ min: 10, max: 2_000 }) });
/** A request: when it is first wanted, how long until its answer, and where in between it arrives. */
const askArb = fc.record({
  gapMs: fc.integer({ min: 0, max: 400 }),
  latencyMs: fc.integer({ min: 0, max: 3_000 }),
  arrival: fc.double({ min: 0, max: 1, noNaN: true }),
});

interface Event {
  at: number;
  kind: "release" | "ask";
  ask: number;
}

it("no window of any budget ever holds more arrivals than it allows, whatever the latencies; every ask is served", () => {
  fc.assert(
    fc.property(
      fc.array(budgetArb, { minLength: 1, maxLength: 2 }),
      fc.array(askArb, { minLength: 1, maxLength: 30 }),
      (budgets: RateBudget[], asks) => {
        const limiter = createRateLimiter();
        const events: Event[] = [];
        let t = 0;
        asks.forEach((ask, i) => events.push({ at: (t += ask.gapMs), kind: "ask", ask: i }));
        const arrivals: number[] = [];
        for (let steps = 0; events.length > 0; steps++) {
          if (steps > 10_000) throw new Error("the asks were never all served");
          // Earliest first; at the same time an answer before an ask, either order being possible.
          events.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === "release" ? -1 : 1));
          const event = events.shift()!;
          if (event.kind === "release") {
            limiter.release("key", budgets, event.at);
            continue;
          }
          const granted = limiter.acquire("key", budgets, event.at);
          if (granted > event.at) {
            events.push({ ...event, at: granted }); // the watcher asks again at the time it was given
            continue;
          }
          expect(granted).toBe(event.at);
          const { latencyMs, arrival } = asks[event.ask]!;
          // The provider counts the request when it arrives: any time between its grant and its answer.
          arrivals.push(event.at + arrival * latencyMs);
          events.push({ at: event.at + latencyMs, kind: "release", ask: event.ask });
        }
        expect(arrivals).toHaveLength(asks.length);
        arrivals.sort((a, b) => a - b);
        for (const budget of budgets) expect(maxSliding(arrivals, budget.intervalMs)).toBeLessThanOrEqual(budget.requests);
      },
    ),
    RUNS,
  );
});
