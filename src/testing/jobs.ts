import { randomUUID } from "node:crypto";
import type { FakeApi, FakeJobInit, ScriptStep } from "./types.js";

export const FAKE_APIS: readonly FakeApi[] = ["dify-chatflow", "dify-completion", "comfy", "deepaffects"];

/** Short scripts so a default job ends in about 1-2 s of real time. */
export const DEFAULT_SCRIPTS: Record<FakeApi, ScriptStep[]> = {
  "dify-chatflow": [{ status: "waiting", forMs: 300 }, { status: "processing", forMs: 700 }, { status: "completed" }],
  "dify-completion": [{ status: "waiting", forMs: 300 }, { status: "processing", forMs: 700 }, { status: "completed" }],
  comfy: [
    { status: "submitted", forMs: 200 },
    { status: "queued_waiting", forMs: 300 },
    { status: "executing", forMs: 700 },
    { status: "success" },
  ],
  deepaffects: [{ status: "Running", forMs: 1200 }, { status: "Completed" }],
};

const TERMINAL: Record<FakeApi, ReadonlySet<string>> = {
  "dify-chatflow": new Set(["completed", "error"]),
  "dify-completion": new Set(["completed", "error"]),
  comfy: new Set(["success", "error", "non_retryable_error", "lost", "cancelled"]),
  deepaffects: new Set(["Completed", "Failed"]),
};

export function isTerminal(api: FakeApi, status: string): boolean {
  return TERMINAL[api].has(status);
}

export const DEFAULT_DEEPAFFECTS_API = "/audio/generic/api/v1/async/asr";

export interface JobRecord {
  readonly id: string;
  readonly api: FakeApi;
  readonly createdAt: number;
  readonly script: readonly ScriptStep[];
  forced?: { status: string; at: number };
  result?: unknown;
  errorMessage?: string;
  action: "enable" | "disable";
  deepaffectsApi: string;
  webhook?: string;
  owner: "main" | "comfyOther";
  /** Comfy: the submitted workflow, echoed by the detail route. */
  workflow?: unknown;
}

export interface ScriptedStatus {
  status: string;
  /** When the current state began. */
  since: number;
  /** True once the script (or a forced state) can no longer change by itself. */
  settled: boolean;
}

export function validateScript(script: readonly ScriptStep[]): void {
  if (!Array.isArray(script) || script.length === 0) throw new TypeError("script must be a non-empty array");
  for (const step of script) {
    if (typeof step?.status !== "string" || step.status === "") throw new TypeError("each script step needs a status");
    if (step.forMs !== undefined && !(Number.isFinite(step.forMs) && step.forMs >= 0)) {
      throw new TypeError("forMs must be a finite number >= 0");
    }
  }
}

export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly scripts: Record<FakeApi, ScriptStep[]>;
  /** Told of every job created or forced into a state (the Comfy WebSocket pushes from it). */
  onChange: ((job: JobRecord) => void) | undefined;

  constructor(
    private readonly now: () => number,
    overrides: Partial<Record<FakeApi, ScriptStep[]>> = {},
  ) {
    for (const script of Object.values(overrides)) validateScript(script);
    this.scripts = { ...DEFAULT_SCRIPTS, ...overrides };
  }

  create(api: FakeApi, init: FakeJobInit = {}): JobRecord {
    if (!FAKE_APIS.includes(api)) throw new TypeError(`unknown api: ${String(api)}`);
    if (init.script !== undefined && init.status !== undefined) {
      throw new TypeError("give either script or status, not both");
    }
    const script = init.script ?? (init.status !== undefined ? [{ status: init.status }] : this.scripts[api]);
    validateScript(script);
    const id = init.id ?? randomUUID();
    if (typeof id !== "string" || id === "") throw new TypeError("id must be a non-empty string");
    const action = init.action ?? "enable";
    if (action !== "enable" && action !== "disable") throw new TypeError("action must be enable or disable");
    const job: JobRecord = {
      id,
      api,
      createdAt: this.now(),
      script: script.map((s) => ({ ...s })),
      result: init.result,
      errorMessage: init.errorMessage,
      action,
      deepaffectsApi: normalizeDeepAffectsApi(init.deepaffectsApi ?? DEFAULT_DEEPAFFECTS_API),
      webhook: init.webhook,
      owner: init.owner === "comfyOther" ? "comfyOther" : "main",
    };
    // A DeepAffects caller may reuse its own request_id: the newer job replaces the older one.
    this.jobs.set(key(api, id), job);
    this.onChange?.(job);
    return job;
  }

  get(api: FakeApi, id: string): JobRecord | undefined {
    return this.jobs.get(key(api, id));
  }

  all(api: FakeApi): JobRecord[] {
    return [...this.jobs.values()].filter((j) => j.api === api);
  }

  force(job: JobRecord, status: string): void {
    if (typeof status !== "string" || status === "") throw new TypeError("status must be a non-empty string");
    job.forced = { status, at: this.now() };
    this.onChange?.(job);
  }

  state(job: JobRecord, at = this.now()): ScriptedStatus {
    if (job.forced) return { status: job.forced.status, since: job.forced.at, settled: true };
    let start = job.createdAt;
    for (let i = 0; i < job.script.length; i++) {
      const step = job.script[i]!;
      const last = i === job.script.length - 1;
      if (last || at < start + (step.forMs ?? 0)) return { status: step.status, since: start, settled: last };
      start += step.forMs ?? 0;
    }
    /* c8 ignore next */
    throw new Error("unreachable: scripts are never empty");
  }

  /** When the job reaches its final step (now, if forced). */
  endsAt(job: JobRecord): number {
    if (job.forced) return job.forced.at;
    let end = job.createdAt;
    for (let i = 0; i < job.script.length - 1; i++) end += job.script[i]!.forMs ?? 0;
    return end;
  }
}

function key(api: FakeApi, id: string): string {
  return `${api}\u0000${id}`;
}

function normalizeDeepAffectsApi(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}
