import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { webhookPayload } from "./deepaffects.js";
import { isTerminal, type JobRecord, type JobStore } from "./jobs.js";
import type { Lifetime } from "./lifetime.js";
import type { WebhookDelivery } from "./types.js";
import type { DeepAffects } from "./wire.js";

export interface WebhookOptions {
  now: () => number;
  jobs: JobStore;
  lifetime: Lifetime;
  backoffMs: number;
  attempts: number;
  timeoutMs: number;
}

/** A webhook may only reach this machine: the kit must never send test data anywhere else. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * DeepAffects-style webhook delivery: once a job ends, POST {request_id, response}; anything but 200
 * (or no answer) is retried with exponential backoff, up to `attempts` tries in all.
 */
export class Webhooks {
  private readonly log: WebhookDelivery[] = [];
  /** Jobs whose webhook waits for the job to end: the end time and the timer armed for it. */
  private readonly pending = new Map<JobRecord, { at: number; cancel: () => void }>();
  private readonly started = new WeakSet<JobRecord>();
  /** Earliest end time among pending jobs; lets sweep() skip its loop while nothing is due. */
  private earliest = Infinity;

  constructor(private readonly o: WebhookOptions) {}

  deliveries(): WebhookDelivery[] {
    return this.log.slice();
  }

  /**
   * Checks a job: delivers when it has ended, else arms a timer for its end time. Called on creation,
   * on its status requests and on setStatus, so both real and mocked clocks work.
   */
  touch(job: JobRecord): void {
    if (!job.webhook || this.started.has(job) || this.o.lifetime.closed) return;
    const state = this.o.jobs.state(job);
    const armed = this.pending.get(job);
    if (state.settled) {
      armed?.cancel();
      this.pending.delete(job);
      if (!isTerminal("deepaffects", state.status)) return;
      this.started.add(job);
      const payload = webhookPayload(job, state.status);
      this.attempt(job.webhook, payload, 1);
      return;
    }
    const at = this.o.jobs.endsAt(job);
    if (armed?.at === at) return;
    armed?.cancel();
    // Under a mocked Date the real timer may fire early: touch() then simply re-arms.
    const wait = Math.max(20, at - this.o.now());
    const cancel = this.o.lifetime.timer(wait, () => {
      this.pending.delete(job);
      this.touch(job);
    });
    this.pending.set(job, { at, cancel });
    this.earliest = Math.min(this.earliest, at);
  }

  /** Delivers for every pending job that has ended by now (a mocked clock may have jumped). */
  sweep(): void {
    if (this.o.now() < this.earliest) return;
    this.earliest = Infinity;
    for (const job of [...this.pending.keys()]) this.touch(job);
    for (const { at } of this.pending.values()) this.earliest = Math.min(this.earliest, at);
  }

  private attempt(url: string, payload: DeepAffects.WebhookPayload, attempt: number): void {
    const at = this.o.now();
    const record = (fields: { status?: number; error?: string }): void => {
      this.log.push({ url, requestId: payload.request_id, attempt, body: payload, at, ...fields });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      record({ error: "refused: the webhook is not a valid URL" });
      return;
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      record({ error: "refused: the webhook must be an http(s) URL" });
      return;
    }
    if (!isLoopbackHost(target.hostname)) {
      record({ error: "refused: the test kit only delivers webhooks to loopback hosts" });
      return;
    }
    const retry = (): void => {
      if (attempt >= this.o.attempts) return;
      const delay = this.o.backoffMs * 2 ** (attempt - 1);
      this.o.lifetime.timer(delay, () => this.attempt(url, payload, attempt + 1));
    };
    const body = Buffer.from(JSON.stringify(payload), "utf8");
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (fields: { status?: number; error?: string }): void => {
      if (settled) return;
      settled = true;
      release();
      record(fields);
      if (fields.status !== 200) retry();
    };
    const req = send(target, {
      method: "POST",
      agent: false,
      headers: { "Content-Type": "application/json", "Content-Length": String(body.length) },
    });
    const release = this.o.lifetime.hold(() => {
      settled = true;
      req.destroy();
    });
    req.setTimeout(this.o.timeoutMs, () => {
      req.destroy(new Error(`no answer within ${this.o.timeoutMs} ms`));
    });
    req.on("response", (res) => {
      res.resume();
      finish({ status: res.statusCode ?? 0 });
    });
    req.on("error", (err) => finish({ error: err.message }));
    req.end(body);
  }
}
