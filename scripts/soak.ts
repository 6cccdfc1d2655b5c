/**
 * `npm run soak [-- jobs]`: thousands of jobs across the four seed APIs through one
 * watcher against the fake providers, with a seeded 10 % of status answers faulty (faults of the
 * matrix, compressed in time), checking that every job ends once in a terminal state or a typed
 * error, none lost, and that no key's request rate goes over its cap.
 *
 * DeepAffects allows 5 requests a minute per key, so its jobs come back by webhook (as its docs
 * advise; 10 % of deliveries are refused and retried by the fake), and only a few are polled, which
 * the rate budget holds to 5 a minute. `runSoak` is exported for the test suite's smaller soak.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import {
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  createRateLimiter,
  createWatcher,
  createWebhookHandler,
  JobStatusError,
  toNodeListener,
  type FetchLike,
  type JobHandle,
  type JobProvider,
  type JobState,
  type RateLimiter,
} from "../src/index.js";
import { startFakeProviders, type FakeApi, type FaultHandle, type FaultRule, type ScriptStep } from "../src/testing.js";
import { maxSliding } from "../bench/lib/rates.js";

export interface SoakOptions {
  jobs: number;
  /** Share of status answers that are faulty (default 0.1). */
  faultRate?: number;
  seed?: number;
  /** Jobs watched at once; more are added as jobs end. */
  active?: number;
  /** Requests per second each Dify and Comfy key may make (the watcher's rate budget under test). */
  capPerSecond?: number;
  /** DeepAffects jobs polled, not called back: held by its 5-a-minute budget, so each adds up to a minute. */
  deepaffectsPolled?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  jobs: number;
  settled: number;
  lost: number;
  reportedTwice: number;
  outcomes: Record<string, number>;
  unexpected: string[];
  requests: number;
  faultyResponses: number;
  faultsByKind: Record<string, number>;
  maxPerSecond: Record<string, number>;
  grantedMaxPerSecond: Record<string, number>;
  capPerSecond: number;
  deepaffectsMaxPerMinute: number;
  webhooks: { delivered: number; refused: number };
  ms: number;
  ok: boolean;
}

type Rule = Omit<FaultRule, "api" | "route" | "jobId">;
const PASS: Rule = { headers: { "x-soak": "pass" }, times: 1 };
/** The matrix's faults, with waits cut to milliseconds; a 429 pauses every job of its key. */
const FAULTS: Array<[string, Rule, number]> = [
  ["429 retry-after-ms", { status: 429, retryAfter: { ms: 30 } }, 2],
  ["429 Retry-After: 0 s", { status: 429, retryAfter: { seconds: 0 } }, 1],
  ["429 Retry-After: past date", { status: 429, retryAfter: { date: new Date(0) } }, 1],
  ["408", { status: 408 }, 1],
  ["500", { status: 500 }, 2],
  ["502", { status: 502 }, 1],
  ["503", { status: 503 }, 2],
  ["504", { status: 504 }, 1],
  ["reset", { reset: true }, 2],
  ["hang", { hang: true }, 1],
  ["malformed JSON", { malformed: "json" }, 1],
  ["HTML page", { malformed: "html" }, 1],
  ["HTML 502", { status: 502, malformed: "html" }, 1],
  ["empty body", { malformed: "empty" }, 1],
  ["truncated body", { malformed: "truncated" }, 1],
  ["oversize body", { oversizeBytes: 8 * 1024 * 1024 }, 1],
  ["undocumented status", { rawStatus: "warp_drive_engaged" }, 2],
  ["401", { status: 401 }, 0.25],
  ["403", { status: 403 }, 0.25],
  ["404", { status: 404 }, 0.25],
];
// An over-size answer would come back the same: a wait ends with it, as with a refused key.
const PERMANENT = new Set(["401", "403", "404", "oversize body"]);
const INVALID = new Set(["malformed JSON", "HTML page", "empty body"]);
const TERMINAL: Record<FakeApi, Record<JobState, string | undefined>> = {
  "dify-chatflow": {
    succeeded: "completed",
    failed: "error",
    cancelled: undefined,
    queued: "waiting",
    running: "processing",
    unknown: undefined,
  },
  "dify-completion": {
    succeeded: "completed",
    failed: "error",
    cancelled: undefined,
    queued: "waiting",
    running: "processing",
    unknown: undefined,
  },
  comfy: {
    succeeded: "success",
    failed: "non_retryable_error",
    cancelled: "cancelled",
    queued: "queued_waiting",
    running: "executing",
    unknown: undefined,
  },
  deepaffects: {
    succeeded: "Completed",
    failed: "Failed",
    cancelled: undefined,
    queued: "Running",
    running: "Running",
    unknown: undefined,
  },
};

/** mulberry32: a small seeded generator, so a soak's faults replay exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { jobs, faultRate = 0.1, seed = 20260611, active = 60, capPerSecond = 150, deepaffectsPolled = 0, log = () => {} } = options;
  const random = rng(seed);
  const started = Date.now();
  const fake = await startFakeProviders({ maxRecordedRequests: 1_000, webhookBackoffMs: 40, webhookTimeoutMs: 2_000 });
  const token = "soak-webhook-token-0123456789";
  const webhooks = { delivered: 0, refused: 0 };
  // The limiter the watcher uses, with a log of what it let through per key.
  const base = createRateLimiter();
  const granted: Record<string, number[]> = {};
  const limiter: RateLimiter = {
    acquire(key, budgets, now) {
      const at = base.acquire(key, budgets, now);
      if (at <= now) (granted[key] ??= []).push(now);
      return at;
    },
    release: (key, budgets, at) => base.release(key, budgets, at),
    pause: (key, until) => base.pause(key, until),
    pausedUntil: (key) => base.pausedUntil(key),
  };
  const watcher = createWatcher({
    maxInFlight: 64,
    limiter,
    rateBudgets: { dify: [{ requests: capPerSecond, intervalMs: 1_000 }], comfy: [{ requests: capPerSecond, intervalMs: 1_000 }] },
  });
  // Per job, not per watcher: a watcher's `poll` lies under each provider's own defaults (Dify's 30 s ceiling).
  const fast = { initialDelayMs: 20, minIntervalMs: 20, maxIntervalMs: 100, jitter: 0.2 };
  const onWebhook = toNodeListener(createWebhookHandler({ watcher, token }));
  const hooks = createServer((req, res) => {
    // A tenth of deliveries meet a failing endpoint; the fake retries them with backoff.
    if (random() < faultRate) return void (webhooks.refused++, req.resume(), res.writeHead(503).end());
    webhooks.delivered++;
    onWebhook(req, res);
  });
  await new Promise<void>((r) => hooks.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks?token=${token}`;

  // One client per API, each behind a fetch that logs when its key sent a request.
  const sent: Record<FakeApi, number[]> = { "dify-chatflow": [], "dify-completion": [], comfy: [], deepaffects: [] };
  const counted =
    (api: FakeApi): FetchLike =>
    (request) => (sent[api].push(Date.now()), fetch(request));
  const common = (api: FakeApi) => ({ fetch: counted(api), timeoutMs: 2_000 });
  const clients: Record<FakeApi, JobProvider<any, any>> = {
    "dify-chatflow": createDifyClient({
      apiKey: fake.keys.difyChatflow,
      baseUrl: fake.urls.difyChatflow,
      app: "chatflow",
      ...common("dify-chatflow"),
    }),
    "dify-completion": createDifyClient({
      apiKey: fake.keys.difyCompletion,
      baseUrl: fake.urls.difyCompletion,
      app: "completion",
      ...common("dify-completion"),
    }),
    comfy: createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, ...common("comfy") }),
    deepaffects: createDeepAffectsClient({ apiKey: fake.keys.deepaffects, baseUrl: fake.urls.deepaffects, ...common("deepaffects") }),
  };

  const webhookJobs = Math.max(2, Math.round(jobs / 50));
  const plan: FakeApi[] = [];
  for (let i = 0; i < jobs; i++)
    plan.push(
      i < webhookJobs + deepaffectsPolled
        ? "deepaffects"
        : (["dify-chatflow", "dify-completion", "comfy"] as const)[Math.floor(random() * 3)]!,
    );
  const totalWeight = FAULTS.reduce((sum, [, , w]) => sum + w, 0);
  const pickFault = () => {
    let r = random() * totalWeight;
    for (const fault of FAULTS) if ((r -= fault[2]) < 0) return fault;
    return FAULTS[0]!;
  };

  interface Tracked {
    api: FakeApi;
    expected: JobState;
    faults: string[];
    rules: FaultHandle[];
    settled: number;
    outcome?: string;
  }
  const tracked = new Map<string, Tracked>();
  const outcomes: Record<string, number> = {};
  const unexpected: string[] = [];
  const faultsByKind: Record<string, number> = {};
  const hits: Array<[string, FaultHandle]> = [];
  let next = 0;
  let settledCount = 0;
  let reportedTwice = 0;
  let finish!: () => void;
  const allDone = new Promise<void>((r) => (finish = r));

  function addJob(index: number): void {
    const api = plan[index]!;
    const polledDa = api === "deepaffects" && index >= webhookJobs;
    const roll = random();
    const expected: JobState = api === "comfy" && roll < 0.05 ? "cancelled" : roll < 0.15 ? "failed" : "succeeded";
    // Polled DeepAffects jobs run long enough to need more than the 5 requests a minute allows.
    const running = polledDa ? 3_000 + Math.floor(random() * 3_000) : Math.floor(random() * 300);
    const script: ScriptStep[] = [
      { status: TERMINAL[api].queued!, forMs: Math.floor(running / 3) },
      { status: TERMINAL[api].running!, forMs: running - Math.floor(running / 3) },
      { status: TERMINAL[api][expected]! },
    ];
    const webhook = api === "deepaffects" && !polledDa;
    const job = fake.createJob(api, { script, errorMessage: "soak failure", ...(webhook ? { webhook: hookUrl } : {}) });
    const t: Tracked = { api, expected, faults: [], rules: [], settled: 0 };
    tracked.set(`${api === "deepaffects" ? "deepaffects" : api.startsWith("dify") ? "dify" : "comfy"}:${job.id}`, t);
    // Faults for the job's first 12 status answers, each faulty with probability faultRate (polled DeepAffects jobs get none: each request costs a fifth of a minute).
    const sequence: Rule[] = [];
    for (let i = 0; i < 12 && !webhook && !polledDa; i++) {
      if (random() >= faultRate) {
        sequence.push(PASS);
        t.faults.push("pass");
        continue;
      }
      const [name, rule] = pickFault();
      sequence.push({ ...rule, times: 1 });
      t.faults.push(name);
    }
    while (t.faults.at(-1) === "pass") t.faults.pop(), sequence.pop();
    for (const [i, rule] of sequence.entries()) {
      const handle = fake.fault({ ...rule, api, route: "status", jobId: job.id });
      t.rules.push(handle);
      if (t.faults[i] !== "pass") hits.push([t.faults[i]!, handle]);
    }
    const startedAt = new Date().toISOString();
    const handle: JobHandle =
      api === "comfy"
        ? { provider: "comfy", jobId: job.id, startedAt }
        : api === "deepaffects"
          ? { provider: "deepaffects", api: "asr", jobId: job.id, startedAt, ...(webhook ? { webhook: true } : {}) }
          : { provider: "dify", app: api === "dify-chatflow" ? "chatflow" : "completion", action: "enable", jobId: job.id, startedAt };
    watcher.add(clients[api], handle, {
      timeoutMs: polledDa ? 100_000 : 60_000,
      // Long enough for a loaded loopback (hundreds of connections opened at once), short for a hang.
      requestTimeoutMs: 1_000,
      poll: polledDa ? { initialDelayMs: 300, minIntervalMs: 400, maxIntervalMs: 400 } : fast,
      ...(webhook ? { webhookFallbackMs: 20_000 } : {}),
    });
  }

  watcher.on("settled", (result) => {
    const t = tracked.get(`${result.handle.provider}:${result.handle.jobId}`);
    if (!t) return void unexpected.push(`a result for a job never added: ${result.handle.jobId}`);
    if (++t.settled > 1) return void reportedTwice++;
    settledCount++;
    for (const rule of t.rules) rule.remove();
    const error = result.error;
    if (error === undefined) {
      const state = result.snapshot!.state;
      t.outcome = state;
      if (state !== t.expected) unexpected.push(`${t.api} job ${result.handle.jobId} ended ${state}, scripted ${t.expected}`);
    } else if (!(error instanceof JobStatusError)) {
      t.outcome = "untyped error";
      unexpected.push(`${t.api} job ${result.handle.jobId} ended with ${String(error)}`);
    } else {
      t.outcome = error.name;
      // Only a permanent answer, or a run of bodies that are not what the document says, may end a job in error.
      const runOfInvalid = t.faults.some((_, i) => t.faults.slice(i, i + 4).filter((f) => INVALID.has(f)).length === 4);
      if (!t.faults.some((f) => PERMANENT.has(f)) && !runOfInvalid)
        unexpected.push(
          `${t.api} job ${result.handle.jobId} ended with ${error.name}: ${error.message.slice(0, 120)} (faults: ${t.faults.join(", ")})`,
        );
    }
    outcomes[t.outcome] = (outcomes[t.outcome] ?? 0) + 1;
    if (settledCount % 1_000 === 0) log(`soak: ${settledCount} of ${jobs} jobs ended (${Date.now() - started} ms)`);
    if (next < jobs) addJob(next++);
    else if (settledCount === jobs) finish();
  });

  while (next < Math.min(active, jobs)) addJob(next++);
  // A job that never ends would keep this waiting: bound it by the longest deadline plus a margin.
  const bound = new Promise<void>((r) => setTimeout(r, 180_000).unref());
  await Promise.race([allDone, bound]);
  watcher.close();
  for (const [name, handle] of hits) faultsByKind[name] = (faultsByKind[name] ?? 0) + handle.hits;
  hooks.closeAllConnections();
  await new Promise((r) => hooks.close(r));
  await fake.close();

  const maxPerSecond = Object.fromEntries(Object.entries(sent).map(([api, times]) => [api, maxSliding(times, 1_000)]));
  const requests = Object.values(sent).reduce((sum, times) => sum + times.length, 0);
  const faultyResponses = Object.values(faultsByKind).reduce((a, b) => a + b, 0);
  const deepaffectsMaxPerMinute = maxSliding(sent.deepaffects, 60_000);
  const grantedMaxPerSecond = Object.fromEntries(
    Object.entries(granted).map(([key, times]) => [
      key,
      maxSliding(
        times.sort((a, b) => a - b),
        1_000,
      ),
    ]),
  );
  // Grants and sends must both keep the cap exactly: a slot counts from its request's end, so sends
  // that trail their grants by a varying delay (tens of ms on this saturated loop) still cannot bunch.
  const capped =
    Object.entries(grantedMaxPerSecond).every(([key, n]) => key.startsWith("deepaffects") || n <= capPerSecond) &&
    (["dify-chatflow", "dify-completion", "comfy"] as const).every((api) => maxPerSecond[api]! <= capPerSecond);
  const lost = jobs - settledCount;
  const report: SoakReport = {
    jobs,
    settled: settledCount,
    lost,
    reportedTwice,
    outcomes,
    unexpected: unexpected.slice(0, 20),
    requests,
    faultyResponses,
    faultsByKind,
    maxPerSecond,
    grantedMaxPerSecond,
    capPerSecond,
    deepaffectsMaxPerMinute,
    webhooks,
    ms: Date.now() - started,
    ok: lost === 0 && reportedTwice === 0 && unexpected.length === 0 && capped && deepaffectsMaxPerMinute <= 5,
  };
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const jobs = Number(process.argv[2] ?? 10_000);
  const report = await runSoak({ jobs, deepaffectsPolled: 3, log: (line) => console.log(line) });
  console.log(JSON.stringify(report, null, 2));
  console.log(
    `soak: ${report.jobs} jobs, ${report.settled} ended, ${report.lost} lost, ${report.reportedTwice} reported twice, ${report.requests} requests ` +
      `(${report.faultyResponses} faulty, ${((100 * report.faultyResponses) / Math.max(1, report.requests)).toFixed(1)} %), ` +
      `per key and second: granted max ${Math.max(
        ...Object.entries(report.grantedMaxPerSecond)
          .filter(([k]) => !k.startsWith("deepaffects"))
          .map(([, n]) => n),
      )}, sent max ${Math.max(...Object.values(report.maxPerSecond))} (cap ${report.capPerSecond}), ` +
      `DeepAffects max ${report.deepaffectsMaxPerMinute}/min, ${(report.ms / 1000).toFixed(1)} s: ${report.ok ? "OK" : "FAILED"}`,
  );
  process.exitCode = report.ok ? 0 : 1;
}
