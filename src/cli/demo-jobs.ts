/**
 * The demo's four jobs: which provider each runs on (the embedded fakes, or with --real the real
 * provider whose key is set), their scripts, the trouble injected into them, and how they start.
 */
import type { JobHandle, JobProvider, JobSnapshot, WaitOptions, WebSocketClass } from "../index.js";
import type { FakeApi, FakeProviders, FaultHandle, ScriptStep } from "../testing.js";
import { comfyClient, deepAffectsClient, difyClient, ENV_NAMES, type Env } from "./clients.js";
import { counting, type PollStats } from "./counting.js";

/** A few seconds each, with the raw states the real providers send on the way. */
export const DEMO_SCRIPTS: Record<FakeApi, ScriptStep[]> = {
  "dify-chatflow": [{ status: "waiting", forMs: 1_000 }, { status: "processing", forMs: 3_000 }, { status: "completed" }],
  "dify-completion": [{ status: "waiting", forMs: 500 }, { status: "processing", forMs: 4_500 }, { status: "completed" }],
  comfy: [
    { status: "submitted", forMs: 800 },
    { status: "queued_limited", forMs: 2_200 },
    { status: "executing", forMs: 4_500 },
    { status: "success" },
  ],
  deepaffects: [{ status: "Running", forMs: 3_000 }, { status: "In Progress", forMs: 3_500 }, { status: "Completed" }],
};

/** Poll fast against the fakes so the demo ends in seconds; real providers keep their own schedule. */
const FAKE_WAIT: WaitOptions = {
  poll: { initialDelayMs: 500, minIntervalMs: 500, maxIntervalMs: 1_200, patience: 0.2 },
  timeoutMs: 25_000,
};
/** A job with a webhook polls only as a fallback, every webhookFallbackMs (which must fit under the ceiling). */
const FAKE_WEBHOOK_WAIT: WaitOptions = { ...FAKE_WAIT, poll: { ...FAKE_WAIT.poll, maxIntervalMs: 3_000 }, webhookFallbackMs: 2_500 };
/** With Comfy's WebSocket up, polls slow to this fallback: fast enough to still show the raw states on the way. */
const FAKE_PUSH_WAIT: WaitOptions = { ...FAKE_WAIT, pushFallbackMs: 1_500 };
const REAL_WAIT: WaitOptions = { timeoutMs: 15 * 60_000 };

export interface Trouble {
  what: string;
  /** The injected fault, to count its hits. */
  fault?: FaultHandle;
  /** How it went, read after the wait: undefined when it did not happen. */
  outcome: (job: DemoJob) => string | undefined;
}

export interface DemoJob {
  label: string;
  real: boolean;
  fakeApi: FakeApi;
  provider: JobProvider<any, any>;
  stats: PollStats;
  handle: JobHandle;
  waitOptions: WaitOptions;
  /** What was done to this job on purpose; the summary says whether it happened and how it went. */
  trouble: Trouble[];
  /** When the fake job really ended (ms), to measure how late the wait saw it. */
  realEndAt?: number | undefined;
  last?: JobSnapshot | undefined;
  nextPollAt?: number | undefined;
  /** Errors already printed, so each is told once. */
  toldErrors: number;
  result?: JobSnapshot | undefined;
  error?: unknown;
}

export interface RealChoice {
  dify: boolean;
  comfy: boolean;
  deepaffects: boolean;
  notes: string[];
}

/** With --real, each provider whose key is set (and, for DeepAffects, an audio URL) goes real. */
export function chooseReal(real: boolean, env: Env): RealChoice {
  const has = (name: string) => typeof env[name] === "string" && env[name]!.trim() !== "";
  const choice: RealChoice = { dify: false, comfy: false, deepaffects: false, notes: [] };
  if (!real) return choice;
  for (const provider of ["dify", "comfy", "deepaffects"] as const) {
    const { key, baseUrl } = ENV_NAMES[provider];
    if (!has(key)) {
      choice.notes.push(`${provider}: ${key} is not set, so it stays fake.`);
      continue;
    }
    if (provider === "deepaffects" && !has("DEEPAFFECTS_AUDIO_URL")) {
      choice.notes.push("deepaffects: set DEEPAFFECTS_AUDIO_URL (an audio file DeepAffects can fetch) to run ASR for real; it stays fake.");
      continue;
    }
    choice[provider] = true;
    const where = has(baseUrl) ? `${baseUrl} (${hostOf(env[baseUrl]!)})` : "its public API";
    choice.notes.push(`${provider}: REAL provider, key from ${key}, at ${where}.`);
  }
  if (choice.dify) choice.notes.push("dify: one key belongs to one app, so the Completion job stays fake.");
  return choice;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "an invalid URL";
  }
}

export interface StartContext {
  fake: FakeProviders;
  env: Env;
  real: RealChoice;
  /** Loopback URL of the demo's webhook receiver, with its token. */
  webhookUrl: string;
  /** The Comfy client's `webSocket` option (see demo-socket.ts). */
  webSocket: WebSocketClass | false | undefined;
}

/** Starts the four jobs at once and injects their trouble. */
export async function startJobs(ctx: StartContext): Promise<DemoJob[]> {
  return Promise.all([startDify(ctx, "chatflow"), startDify(ctx, "completion"), startComfy(ctx), startDeepAffects(ctx)]);
}

async function startDify({ fake, env, real }: StartContext, app: "chatflow" | "completion"): Promise<DemoJob> {
  const isReal = real.dify && app === "chatflow";
  const name = app === "chatflow" ? "difyChatflow" : "difyCompletion";
  const client = isReal ? difyClient(env, app, undefined) : difyClient({ DIFY_API_KEY: fake.keys[name] }, app, fake.urls[name]);
  const handle = await client.configureAnnotationReply("enable", {
    score_threshold: 0.9,
    embedding_provider_name: (isReal && env["DIFY_EMBEDDING_PROVIDER"]) || "openai",
    embedding_model_name: (isReal && env["DIFY_EMBEDDING_MODEL"]) || "text-embedding-3-small",
  });
  const fakeApi: FakeApi = app === "chatflow" ? "dify-chatflow" : "dify-completion";
  const job = makeJob(`Dify ${app === "chatflow" ? "Chatflow" : "Completion"}`, isReal, fakeApi, client, handle, fake);
  if (!isReal) {
    const status = app === "chatflow" ? { status: 429, retryAfter: { seconds: 1 } } : { status: 502, malformed: "html" as const };
    const fault = fake.fault({ api: fakeApi, route: "status", jobId: handle.jobId, ...status, times: 1 });
    job.trouble.push(
      app === "chatflow"
        ? {
            what: "429, Retry-After 1 s",
            fault,
            outcome: (j) => (hit(fault) && j.stats.errors.includes("RateLimitError") ? "waited 1 s as asked, then polled on" : undefined),
          }
        : {
            what: "502 HTML page",
            fault,
            outcome: (j) => (hit(fault) && j.stats.errors.includes("ServerError") ? "retried as a slower poll" : undefined),
          },
    );
  }
  return job;
}

async function startComfy({ fake, env, real, webSocket }: StartContext): Promise<DemoJob> {
  const client = real.comfy
    ? comfyClient(env, undefined, webSocket)
    : comfyClient({ COMFY_API_KEY: fake.keys.comfy }, fake.urls.comfy, webSocket);
  const handle = await client.submitWorkflow(DEMO_WORKFLOW);
  const job = makeJob("Comfy Cloud", real.comfy, "comfy", client, handle, fake);
  if (!real.comfy) {
    if (client.push) job.waitOptions = FAKE_PUSH_WAIT;
    // Once: with the socket up the second poll comes 1.5 s later, and must see queued_limited.
    const fault = fake.fault({ api: "comfy", route: "status", jobId: handle.jobId, rawStatus: "warming_up", times: 1 });
    job.trouble.push(
      { what: "raw state queued_limited", outcome: (j) => (j.stats.rawStatuses.includes("queued_limited") ? "read as queued" : undefined) },
      {
        what: 'undocumented "warming_up"',
        fault,
        outcome: (j) => (j.stats.unknownStatuses.includes("warming_up") ? "state unknown, kept polling" : undefined),
      },
    );
  }
  return job;
}

async function startDeepAffects({ fake, env, real, webhookUrl }: StartContext): Promise<DemoJob> {
  const isReal = real.deepaffects;
  const client = isReal
    ? deepAffectsClient(env, undefined)
    : deepAffectsClient({ DEEPAFFECTS_API_KEY: fake.keys.deepaffects }, fake.urls.deepaffects);
  const body = {
    url: (isReal && env["DEEPAFFECTS_AUDIO_URL"]) || "https://example.com/call.wav",
    encoding: "LINEAR16",
    languageCode: "en-US",
    sampleRate: 8000,
  };
  // A real DeepAffects cannot reach a loopback receiver, so a real job is polled instead.
  const handle = await client.start("asr", body, isReal ? {} : { webhook: webhookUrl });
  const job = makeJob("DeepAffects asr", isReal, "deepaffects", client, handle, fake);
  if (!isReal) job.trouble.push({ what: "webhook", outcome: (j) => (j.stats.viaWebhook ? "delivery ended the wait" : undefined) });
  return job;
}

function makeJob(
  label: string,
  real: boolean,
  fakeApi: FakeApi,
  client: JobProvider<any, any>,
  handle: JobHandle,
  fake: FakeProviders,
): DemoJob {
  const { provider, stats } = counting(client);
  const start = real ? undefined : fake.requests({ api: fakeApi, jobId: handle.jobId, route: "start" })[0]?.at;
  return {
    label: real ? `${label} (real)` : label,
    real,
    fakeApi,
    provider,
    stats,
    handle,
    waitOptions: real ? REAL_WAIT : "webhook" in handle && handle.webhook ? FAKE_WEBHOOK_WAIT : FAKE_WAIT,
    trouble: [],
    realEndAt: start === undefined ? undefined : start + scriptLength(DEMO_SCRIPTS[fakeApi]),
    toldErrors: 0,
  };
}

function hit(fault: FaultHandle): boolean {
  return fault.hits > 0;
}

function scriptLength(script: ScriptStep[]): number {
  return script.slice(0, -1).reduce((sum, step) => sum + (step.forMs ?? 0), 0);
}

/** Whether the job's end came over Comfy's WebSocket. */
export function endPushed(job: DemoJob): boolean {
  return job.stats.pushedEnds.has(job.handle.jobId);
}

/** Requests the job cost: counted by the fake server itself, or start + polls against a real one. */
export function requestsSpent(job: DemoJob, fake: FakeProviders): number {
  return job.real ? 1 + job.stats.polls : fake.requests({ api: job.fakeApi, jobId: job.handle.jobId }).length;
}

/** A small text-to-image workflow in ComfyUI's API format (the classic default graph). */
const DEMO_WORKFLOW = {
  "4": { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: "v1-5-pruned-emaonly.safetensors" } },
  "5": { class_type: "EmptyLatentImage", inputs: { width: 512, height: 512, batch_size: 1 } },
  "6": { class_type: "CLIPTextEncode", inputs: { text: "a lighthouse at dawn, watercolor", clip: ["4", 1] } },
  "7": { class_type: "CLIPTextEncode", inputs: { text: "blurry", clip: ["4", 1] } },
  "3": {
    class_type: "KSampler",
    inputs: {
      seed: 42,
      steps: 20,
      cfg: 7,
      sampler_name: "euler",
      scheduler: "normal",
      denoise: 1,
      model: ["4", 0],
      positive: ["6", 0],
      negative: ["7", 0],
      latent_image: ["5", 0],
    },
  },
  "8": { class_type: "VAEDecode", inputs: { samples: ["3", 0], vae: ["4", 2] } },
  "9": { class_type: "SaveImage", inputs: { filename_prefix: "jobstatus-demo", images: ["8", 0] } },
};
