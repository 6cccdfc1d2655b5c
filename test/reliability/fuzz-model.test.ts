/**
 * The state normalizers are total, redaction holds for any
 * key and URL, and the watcher's real poll times keep the schedule's promises under any mix of
 * answers. The pure schedule function has its own properties in test/lifecycle/policy.property.test.ts
 * (5 properties × 2,000 cases), which this suite counts and does not repeat.
 */
import fc from "fast-check";
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { redactText, REDACTED } from "../../src/core/redact.js";
import { parseRetryAfter } from "../../src/core/retry-after.js";
import {
  COMFY_STATES,
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  createRateLimiter,
  createWatcher,
  DEEPAFFECTS_STATES,
  DIFY_STATES,
  JobStatusError,
  nextPollDelay,
  RateLimitError,
  resolvePollPolicy,
  ServerError,
  TimeoutError,
  type ComfyJobHandle,
  type JobProvider,
  type JobSnapshot,
  type JobState,
} from "../../src/index.js";
import { spellingsOf } from "../fixtures/apis.js";
import { apiKeyArb, fuzzReport, holdsPartOf, runs } from "../fixtures/fuzz.js";

/** A provider of the caller's own making (the interface is public), answering with `status`. */
function handMadeProvider(rateKey: string, status: JobProvider<ComfyJobHandle, null>["status"]): JobProvider<ComfyJobHandle, null> {
  return {
    provider: "comfy",
    rateKey,
    pollDefaults: {},
    rateBudgets: [],
    normalize: () => "running",
    kindOf: () => "fuzz",
    checkHandle: (h) => h as ComfyJobHandle,
    status,
  };
}

afterAll(() => console.log(`${fuzzReport("fuzz-model")} (+10,000 in test/lifecycle/policy.property.test.ts)`));

const STATES: readonly JobState[] = ["queued", "running", "succeeded", "failed", "cancelled", "unknown"];

describe("state normalizers are total", () => {
  // No request is ever sent: normalize is pure.
  const normalizers = {
    "dify chatflow": [createDifyClient({ apiKey: "k", app: "chatflow" }).normalize, DIFY_STATES],
    "dify completion": [createDifyClient({ apiKey: "k", app: "completion" }).normalize, DIFY_STATES],
    comfy: [createComfyClient({ apiKey: "k" }).normalize, COMFY_STATES],
    deepaffects: [createDeepAffectsClient({ apiKey: "k" }).normalize, DEEPAFFECTS_STATES],
  } as const;
  const anyValue = fc.oneof(
    fc.anything({ withBoxedValues: true, withNullPrototype: true, withMap: true, withSet: true }),
    fc.jsonValue(),
    fc.string(),
    fc.string({ unit: "binary" }),
  );

  test.each(Object.entries(normalizers))("%s: any value gives one of the six states, never an error", (_name, [normalize, table]) => {
    const known = Object.keys(table);
    const spelled = fc
      .tuple(fc.constantFrom(...known), fc.constantFrom("", " ", "\t", "  "), fc.boolean())
      .map(([raw, pad, upper]) => `${pad}${upper ? raw.toUpperCase() : raw}${pad}`);
    fc.assert(
      fc.property(fc.oneof(anyValue, spelled), (value) => {
        const state = normalize(value);
        expect(STATES).toContain(state);
        if (typeof value !== "string") expect(state).toBe("unknown");
        // A known status keeps its meaning whatever its case and surrounding space.
        else if (known.includes(value.trim()) || known.some((k) => k.toLowerCase() === value.trim().toLowerCase())) {
          const key = known.find((k) => k.toLowerCase() === value.trim().toLowerCase())!;
          expect(state).toBe((table as Record<string, JobState>)[key]);
        }
      }),
      runs(1_500),
    );
  });
});

describe("redaction", () => {
  const text = fc.string({ maxLength: 60 });

  test("a key in any spelling, anywhere in a text, is gone after redactText", () => {
    fc.assert(
      fc.property(apiKeyArb, fc.array(fc.tuple(text, fc.nat(3)), { minLength: 1, maxLength: 4 }), text, (key, pieces, tail) => {
        const forms = spellingsOf(key);
        const input = pieces.map(([before, form]) => `${before}${forms[form % forms.length]}`).join("") + tail;
        const out = redactText(input, [key]);
        for (const form of forms) expect(out).not.toContain(form);
        expect(out).toContain(REDACTED);
      }),
      runs(2_000),
    );
  });

  test("a credential in a URL's query is masked even when the key is not known", () => {
    const name = fc.constantFrom("apikey", "APIKEY", "api_key", "api-key", "key", "token", "access_token");
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: false }),
        name,
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (base, param, value, first) => {
          const encoded = encodeURIComponent(value);
          const url = first
            ? `${base.split("?")[0]}?${param}=${encoded}&request_id=r1`
            : `${base.split("?")[0]}?request_id=r1&${param}=${encoded}#frag`;
          const out = redactText(url, []);
          expect(new URL(out).searchParams.get(param)).toBe(REDACTED);
          expect(new URL(out).searchParams.get("request_id")).toBe("r1");
        },
      ),
      runs(1_000),
    );
  });

  test("redaction never leaves a run of the key behind", () => {
    fc.assert(
      fc.property(apiKeyArb, text, text, (key, before, after) => {
        for (const form of spellingsOf(key)) expect(holdsPartOf(redactText(`${before}${form}${after}`, [key]), form)).toBe(false);
      }),
      runs(1_000),
    );
  });
});

/**
 * The watcher's real poll times under a provider whose answers are generated: running (maybe with a
 * Retry-After), 429 (maybe with one), 5xx, and maybe a terminal answer. Fake timers make times exact.
 */
describe("the watcher keeps the poll schedule's promises", () => {
  type Answer =
    | { kind: "running"; hint?: number | undefined }
    | { kind: "429"; hint?: number | undefined }
    | { kind: "5xx" }
    | { kind: "done" };
  // Hints as headers and hand-made providers give them: 0 (Retry-After: 0, a date in the past), negative, huge, NaN.
  const extreme = fc.constantFrom(0, -1, -86_400_000, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e12, 2 ** 31);
  const hint = fc.option(fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 7_200_000 }), extreme), { nil: undefined });
  const answer: fc.Arbitrary<Answer> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("running" as const), hint }), weight: 4 },
    fc.record({ kind: fc.constant("429" as const), hint }),
    fc.constant({ kind: "5xx" as const }),
  );
  const scenario = fc.record({
    answers: fc.array(answer, { maxLength: 30 }),
    ends: fc.boolean(),
    // The deadline in units of the ceiling, so a run makes hundreds of polls at most, not millions.
    span: fc.double({ min: 0.001, max: 150, noNaN: true }),
    // The handle's startedAt from a clock far ahead or far behind, or a job long running.
    startedBy: fc.oneof(
      { arbitrary: fc.constant(0), weight: 3 },
      fc.constantFrom(1e13, 86_400_000, -86_400_000, -1e12),
      fc.integer({ min: -3_600_000, max: 3_600_000 }),
    ),
    poll: fc.record({
      initialDelayMs: fc.integer({ min: 0, max: 120_000 }),
      minIntervalMs: fc.integer({ min: 1, max: 60_000 }),
      extra: fc.integer({ min: 0, max: 600_000 }),
      patience: fc.double({ min: 0.01, max: 2, noNaN: true }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  });

  beforeEach(() => void vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] }));
  afterEach(() => void vi.useRealTimers());

  test("no poll after the last check before the deadline, none sooner than allowed, Retry-After honoured", {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ answers, ends, span, startedBy, poll: { extra, ...poll } }) => {
        const timeoutMs = Math.min(6 * 3_600_000, Math.max(50, Math.round(span * (poll.minIntervalMs + extra))));
        const script: Answer[] = ends ? [...answers, { kind: "done" }] : answers;
        const calls: number[] = [];
        const provider = handMadeProvider("comfy:fuzz", async (handle) => {
          const a = script[calls.length] ?? { kind: "running" };
          calls.push(Date.now());
          if (a.kind === "429") throw new RateLimitError("429", { provider: "comfy", status: 429, retryAfterMs: a.hint });
          if (a.kind === "5xx") throw new ServerError("503", { provider: "comfy", status: 503 });
          const state = a.kind === "done" ? "succeeded" : "running";
          return {
            handle,
            state,
            terminal: state === "succeeded",
            rawStatus: state,
            raw: null,
            observedAt: new Date().toISOString(),
            retryAfterMs: a.kind === "running" ? a.hint : undefined,
          };
        });
        const watcher = createWatcher({ limiter: createRateLimiter() });
        const added = Date.now();
        const policy = { ...poll, maxIntervalMs: poll.minIntervalMs + extra };
        const warnings: string[] = [];
        const onWarning = (w: Error) => void warnings.push(w.name);
        process.on("warning", onWarning);
        const result = watcher.add(
          provider,
          { provider: "comfy", jobId: "j", startedAt: new Date(added + startedBy).toISOString() },
          { timeoutMs, poll: policy, maxConsecutiveFailures: 1_000 },
        ).result;
        let outcome: JobSnapshot | unknown;
        let settledAt = 0;
        result.then(
          (s) => ((outcome = s), (settledAt = Date.now())),
          (e: unknown) => ((outcome = e), (settledAt = Date.now())),
        );
        for (let i = 0; i < 200 && settledAt === 0; i++) await vi.runAllTimersAsync();
        watcher.close();
        process.off("warning", onWarning);

        expect(warnings, "no timer overflowed").toEqual([]);
        const deadline = added + timeoutMs;
        const lastCheck = deadline - Math.min(1_000, timeoutMs / 10);
        expect(settledAt, "the wait settled").toBeGreaterThan(0);
        expect(settledAt).toBeLessThanOrEqual(deadline);
        // The first check is exact: at the initial delay after the start (never later than now), or at
        // the last check if that comes first.
        const started = Math.min(added, added + startedBy);
        expect(Math.abs(calls[0]! - Math.min(Math.max(added, started + poll.initialDelayMs), lastCheck))).toBeLessThanOrEqual(1);
        for (let i = 0; i < calls.length; i++) {
          // Timers run on whole milliseconds, so a fractional last-check time may round up by < 1 ms.
          expect(calls[i]!).toBeLessThanOrEqual(Math.ceil(lastCheck));
          expect(calls[i]!).toBeLessThan(deadline);
          if (i === 0) continue;
          const gap = calls[i]! - calls[i - 1]!;
          const before = script[i - 1] ?? { kind: "running" };
          const room = lastCheck - calls[i - 1]!;
          const given = before.kind === "running" || before.kind === "429" ? before.hint : undefined;
          const hinted = given === undefined || Number.isNaN(given) ? undefined : Math.min(given, 86_400_000);
          if (before.kind === "running" && hinted !== undefined) {
            // A server hint wins over the schedule, down to the floor and no further.
            const honoured = Math.min(Math.max(poll.minIntervalMs, hinted), room);
            expect(gap).toBeGreaterThanOrEqual(honoured - 1);
            expect(gap).toBeLessThanOrEqual(Math.ceil(honoured) + 1);
          } else if (before.kind === "429" && hinted !== undefined) {
            // After a failure the backoff is a floor too, and a 429's hint holds every job of the key.
            expect(gap).toBeGreaterThanOrEqual(Math.max(hinted, Math.min(poll.minIntervalMs, room) - 1));
            expect(gap).toBeLessThanOrEqual(Math.max(policy.maxIntervalMs, hinted) + 1);
          } else {
            // Otherwise never sooner than the floor (unless the last check comes first), never later than the ceiling.
            expect(gap).toBeGreaterThanOrEqual(Math.min(poll.minIntervalMs, room) - 1);
            expect(gap).toBeLessThanOrEqual(policy.maxIntervalMs + 1);
          }
        }
        const served = script.slice(0, calls.length);
        if (served.some((a) => a.kind === "done")) expect(outcome).toMatchObject({ state: "succeeded", terminal: true });
        else expect(outcome).toBeInstanceOf(TimeoutError);
        expect(outcome instanceof JobStatusError || (outcome as JobSnapshot).terminal).toBe(true);
      }),
      runs(400),
    );
  });
});

describe("whatever Retry-After a server sends, no storm and no endless park", () => {
  const NOW = 1_700_000_000_000;
  const DAY = 86_400_000;
  const httpDate = fc.integer({ min: -10 * DAY, max: 10 * DAY }).map((offset) => new Date(NOW + offset).toUTCString());
  const text = fc.oneof(
    fc.constantFrom(
      "0",
      "-0",
      "-1",
      "0.0001",
      "NaN",
      "Infinity",
      "-Infinity",
      "1e400",
      "99999999999999999999",
      "",
      " ",
      "soon",
      "Thu, 01 Jan 1970 00:00:00 GMT",
      "Fri, 31 Dec 9999 23:59:59 GMT",
    ),
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
    fc.double({ noNaN: false }).map(String),
    httpDate,
    fc.string({ maxLength: 30 }),
  );
  const failures = fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined });

  test("the next poll after any header comes no sooner than the floor (or the backoff), no later than a day", () => {
    fc.assert(
      fc.property(
        fc.option(text, { nil: undefined }),
        fc.option(text, { nil: undefined }),
        fc.integer({ min: 1, max: 60_000 }),
        failures,
        fc.integer({ min: 0, max: 30 * DAY }),
        (after, afterMs, minIntervalMs, consecutiveFailures, elapsedMs) => {
          const headers = new Headers();
          if (after !== undefined) headers.set("retry-after", after.replace(/[\r\n\0]/g, ""));
          if (afterMs !== undefined) headers.set("retry-after-ms", afterMs.replace(/[\r\n\0]/g, ""));
          const policy = resolvePollPolicy({ minIntervalMs, maxIntervalMs: Math.max(minIntervalMs, 120_000), jitter: 0 });
          const retryAfterMs = parseRetryAfter(headers, NOW);
          const delay = nextPollDelay(policy, { elapsedMs, attempt: 3, consecutiveFailures, retryAfterMs });
          expect(delay).toBeGreaterThanOrEqual(policy.minIntervalMs);
          expect(delay).toBeLessThanOrEqual(Math.max(DAY, policy.maxIntervalMs));
          if (consecutiveFailures)
            expect(delay).toBeGreaterThanOrEqual(nextPollDelay(policy, { elapsedMs, attempt: 3, consecutiveFailures }));
        },
      ),
      runs(2_000),
    );
  });
});

/**
 * Caller code that fails in any way, at any call: the wait settles by its deadline with a snapshot,
 * a TimeoutError or exactly what a callback threw (an Error for nothing thrown), polls no more after,
 * and nothing is left unhandled. Listener errors no result can carry reach the error event.
 */
describe("callbacks that fail in any way cannot hang a wait or escape", () => {
  type Act = "ok" | "throw" | "throw-undefined" | "throw-string" | "reject" | "reject-later" | "never";
  const act: fc.Arbitrary<Act> = fc.oneof(
    { arbitrary: fc.constant("ok" as const), weight: 6 },
    fc.constantFrom<Act>("throw", "throw-undefined", "throw-string", "reject", "reject-later", "never"),
  );
  const marker = (n: number) => `callback ${n} failed`;
  function perform(kind: Act, n: number): unknown {
    if (kind === "throw") throw new Error(marker(n));
    if (kind === "throw-undefined") throw undefined;
    if (kind === "throw-string") throw marker(n);
    if (kind === "reject") return Promise.reject(new Error(marker(n)));
    if (kind === "reject-later") return new Promise((_, reject) => setTimeout(() => reject(marker(n)), 3));
    if (kind === "never") return new Promise(() => {});
    return undefined;
  }

  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    vi.useRealTimers();
    process.off("unhandledRejection", onUnhandled);
  });

  test("on onUpdate, onProgress, update and settled listeners", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(act, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 200, max: 5_000 }),
        async (acts, ends, timeoutMs) => {
          let calls = 0;
          const next = () => {
            const n = calls++;
            return perform(acts[n % acts.length]!, n);
          };
          const polls: number[] = [];
          const provider = handMadeProvider("comfy:callbacks", async (handle) => {
            polls.push(Date.now());
            // A new raw status each time, so onUpdate and update listeners are called on every poll.
            const state = polls.length >= ends ? "succeeded" : "running";
            return {
              handle,
              state,
              terminal: state === "succeeded",
              rawStatus: `${state}-${polls.length}`,
              raw: null,
              observedAt: new Date().toISOString(),
            };
          });
          const watcher = createWatcher({ limiter: createRateLimiter() });
          const reported: unknown[] = [];
          watcher.on("error", (error) => void reported.push(error));
          watcher.on("update", () => next());
          watcher.on("settled", () => next());
          const added = Date.now();
          const result = watcher.add(
            provider,
            { provider: "comfy", jobId: "j", startedAt: new Date(added).toISOString() },
            {
              timeoutMs,
              poll: { initialDelayMs: 10, minIntervalMs: 50, maxIntervalMs: 100, jitter: 0 },
              onUpdate: () => next(),
              onProgress: () => next(),
            },
          ).result;
          let outcome: { value: JobSnapshot } | { error: unknown } | undefined;
          let settledAt = 0;
          result.then(
            (value) => ((outcome = { value }), (settledAt = Date.now())),
            (error: unknown) => ((outcome = { error }), (settledAt = Date.now())),
          );
          for (let i = 0; i < 50 && settledAt === 0; i++) await vi.advanceTimersByTimeAsync(100);
          const pollsAtEnd = polls.length;
          await vi.advanceTimersByTimeAsync(1_000);
          watcher.close();

          expect(settledAt, "the wait settled").toBeGreaterThan(0);
          expect(settledAt).toBeLessThanOrEqual(added + timeoutMs);
          expect(polls.length, "no poll after the wait settled").toBe(pollsAtEnd);
          if (outcome && "error" in outcome) {
            const { error } = outcome;
            const fromCallback =
              (typeof error === "string" && error.startsWith("callback")) ||
              (error instanceof Error && /^callback \d+ failed$|threw undefined/.test(error.message));
            expect(fromCallback || error instanceof TimeoutError, String(error)).toBe(true);
          } else expect(outcome?.value.state).toBe("succeeded");
          // Errors no result could carry: each is one a callback made.
          for (const error of reported)
            expect(error === undefined || String(error).includes("callback") || (error as Error).message?.includes("threw undefined")).toBe(
              true,
            );
          expect(unhandled).toEqual([]);
        },
      ),
      runs(300),
    );
  });
});
