import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { comfyProvider } from "./comfy.js";
import { ComfySocketHub } from "./comfy-ws.js";
import { deepaffectsProvider } from "./deepaffects.js";
import { difyProvider } from "./dify.js";
import { faultHeaders, Faults, modifyAnswer, replacesAnswer, writeFaultAnswer } from "./faults.js";
import { corsHeaders, parseJsonBody, PNG_SIGNATURE, preflightHeaders, readBody, segments, send, sendReply, type Reply } from "./http.js";
import { JobStore, type JobRecord } from "./jobs.js";
import { Lifetime } from "./lifetime.js";
import { isReply, type KitContext, type Provider } from "./provider.js";
import { FakeRateGate } from "./rate-limit.js";
import type { FakeApi, FakeJob, FakeKeys, FakeProviders, FakeProvidersOptions, RecordedRequest } from "./types.js";
import { Webhooks } from "./webhooks.js";
import { refuseUpgrade } from "./websocket.js";

/** Readable on purpose: these keys guard nothing and show up in test failures. */
export const DEFAULT_KEYS: Readonly<FakeKeys> = Object.freeze({
  difyChatflow: "app-fake-dify-chatflow-key",
  difyCompletion: "app-fake-dify-completion-key",
  comfy: "comfy-fake-key",
  comfyOther: "comfy-fake-other-user-key",
  comfyInactive: "comfy-fake-inactive-subscription-key",
  deepaffects: "deepaffects-fake-key",
});

const MiB = 1024 * 1024;

/** Starts the four fake providers on one node:http server on 127.0.0.1. */
export async function startFakeProviders(options: FakeProvidersOptions = {}): Promise<FakeProviders> {
  const now = options.now ?? (() => Date.now());
  const keys: FakeKeys = { ...DEFAULT_KEYS, ...options.keys };
  for (const [name, value] of Object.entries(keys)) {
    if (typeof value !== "string" || value.trim() === "") throw new TypeError(`keys.${name} must be a non-empty string`);
  }
  if (new Set([keys.comfy, keys.comfyOther, keys.comfyInactive]).size !== 3)
    throw new TypeError("keys.comfy, keys.comfyOther and keys.comfyInactive must differ");
  const maxBody = options.maxBodyBytes ?? MiB;
  const maxRecorded = options.maxRecordedRequests ?? Infinity;
  const lifetime = new Lifetime();
  const jobs = new JobStore(now, options.defaultScripts);
  const faults = new Faults();
  const limiter = new FakeRateGate(now, options.rateLimits);
  const webhooks = new Webhooks({
    now,
    jobs,
    lifetime,
    backoffMs: options.webhookBackoffMs ?? 1000,
    attempts: options.webhookAttempts ?? 5,
    timeoutMs: options.webhookTimeoutMs ?? 5000,
  });
  const log: RecordedRequest[] = [];
  const recorded = (): RecordedRequest[] => (log.length > maxRecorded ? log.slice(-maxRecorded) : log);
  // Comfy's WebSocket carries its key in `token`: the log keeps only that there was one.
  const remember = (req: IncomingMessage, pathname: string, query: URLSearchParams): RecordedRequest => {
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: pathname,
      url: redactToken(req.url ?? "/"),
      query: Object.fromEntries(redactedQuery(query)),
      headers: { ...req.headers },
      body: undefined,
      at: now(),
      route: "unknown",
    };
    log.push(record);
    // Trim in batches so a capped log costs O(1) per request on average.
    if (log.length > maxRecorded * 1.25 + 16) log.splice(0, log.length - maxRecorded);
    return record;
  };
  let origin = "";
  const ctx: KitContext = {
    now,
    jobs,
    keys,
    storageOrigin: () => options.storageOrigin ?? origin,
    jobTouched: (job) => webhooks.touch(job),
  };
  const providers: Provider[] = [
    difyProvider(ctx, "dify-chatflow", options.difyStatusTtlMs),
    difyProvider(ctx, "dify-completion", options.difyStatusTtlMs),
    comfyProvider(ctx),
    deepaffectsProvider(ctx),
  ];
  const cors = options.cors ? corsHeaders() : {};

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = splitTarget(req.url ?? "/");
    const method = req.method ?? "GET";
    const record = remember(req, url.pathname, url.searchParams);
    const answer = (reply: Reply, extra: Record<string, string> = {}): void => {
      sendReply(res, reply, { ...extra, ...cors });
      record.status = reply.status;
    };
    const provider = providers.find((p) => url.pathname === p.prefix || url.pathname.startsWith(`${p.prefix}/`));
    if (provider) record.api = provider.api;

    if (method === "OPTIONS") {
      record.route = "preflight";
      req.resume();
      if (options.cors) {
        send(res, 204, "", "application/json", preflightHeaders());
        record.status = 204;
      } else {
        answer(provider?.error(405) ?? noRoute(405, "Method not allowed."), { Allow: "GET, POST" });
      }
      return;
    }
    if (!provider) {
      req.resume();
      if (method === "GET" && url.pathname.startsWith("/signed/")) {
        // Stand-in for the signed storage host Comfy's file view redirects to; it needs no key.
        record.route = "storage";
        record.api = "comfy";
        res.writeHead(200, { ...cors, "Content-Type": "image/png", "Content-Length": String(PNG_SIGNATURE.length) });
        res.end(PNG_SIGNATURE);
        record.status = 200;
        return;
      }
      answer(noRoute(404, "No fake provider serves this path."));
      return;
    }

    const sub = url.pathname.slice(provider.prefix.length);
    const match = provider.match(method, segments(sub), url.searchParams);
    const read = await readBody(req, maxBody);
    if (!read.ok) {
      answer(provider.error(413), { Connection: "close" });
      req.resume();
      return;
    }
    const body = parseJsonBody(read.text);
    record.body = body.kind === "json" ? body.value : body.kind === "invalid" ? body.text : undefined;
    if (!match) {
      answer(provider.error(404));
      return;
    }
    record.route = match.route;
    const jobId = match.jobId ?? match.jobIdOf?.(body);
    if (jobId !== undefined) record.jobId = jobId;
    if (provider.api === "deepaffects") webhooks.sweep();

    const rule = faults.take(provider.api, match.route, jobId);
    if (rule) {
      if (rule.delayMs) await lifetime.sleep(rule.delayMs);
      // A hanging request is answered by nobody; close() destroys its socket.
      if (rule.hang || lifetime.closed) return;
      if (rule.reset) {
        const socket = req.socket as typeof req.socket & { resetAndDestroy?: () => void };
        if (socket.resetAndDestroy) socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      if (replacesAnswer(rule)) {
        record.status = writeFaultAnswer(res, rule, provider, { ...faultHeaders(rule), ...cors });
        return;
      }
    }
    const extra = rule ? faultHeaders(rule) : {};
    const principal = provider.authenticate(req, url.searchParams);
    if (isReply(principal)) {
      answer(principal, extra);
      return;
    }
    // DeepAffects budgets each API path; elsewhere a route (all job ids together) is one budget.
    const budget = limiter.check(provider.api, principal.key, provider.api === "deepaffects" ? sub : match.route);
    if (!budget.ok) {
      const limited = provider.rateLimited?.(budget.retryAfterSeconds);
      if (limited) answer(limited, extra);
      else answer(provider.error(429, "Rate limit exceeded. Retry later."), { ...extra, "Retry-After": String(budget.retryAfterSeconds) });
      return;
    }
    let reply = match.run({ principal, body, query: url.searchParams });
    if (reply.jobId !== undefined) record.jobId = reply.jobId;
    if (rule) reply = modifyAnswer(rule, reply, provider);
    answer(reply, extra);
  }

  const sockets = new ComfySocketHub(ctx, faults, lifetime);

  /** Upgrade requests: Comfy's WebSocket; any other path gets a plain 404. */
  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const url = splitTarget(req.url ?? "/");
    const record = remember(req, url.pathname, url.searchParams);
    if (url.pathname !== "/comfy/ws") {
      if (url.pathname.startsWith("/comfy/")) record.api = "comfy";
      refuseUpgrade(socket, 404, JSON.stringify(noRoute(404, "No fake provider serves this path.").body));
      record.status = 404;
      return;
    }
    record.api = "comfy";
    record.route = "ws";
    await sockets.upgrade(req, socket, head, url.searchParams, record);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The client went away mid-request, or a handler threw: answer if still possible, else drop.
      if (!res.headersSent && !res.destroyed) send(res, 500, '{"message":"fake provider error"}', "application/json", cors);
      else res.destroy();
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch(() => socket.destroy());
  });
  server.on("connection", (socket) => {
    const release = lifetime.hold(() => socket.destroy());
    socket.on("close", release);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const wrapped = new WeakMap<JobRecord, FakeJob>();
  const wrap = (job: JobRecord): FakeJob => {
    let fake = wrapped.get(job);
    if (!fake) {
      fake = {
        id: job.id,
        api: job.api,
        get status() {
          return jobs.state(job).status;
        },
        setStatus(status: string) {
          jobs.force(job, status);
          if (job.api === "deepaffects") webhooks.touch(job);
        },
        requests: () => recorded().filter((r) => r.api === job.api && r.jobId === job.id),
      };
      wrapped.set(job, fake);
    }
    return fake;
  };

  let closing: Promise<void> | undefined;
  return {
    origin,
    urls: {
      difyChatflow: `${origin}/dify/chatflow/v1`,
      difyCompletion: `${origin}/dify/completion/v1`,
      comfy: `${origin}/comfy`,
      deepaffects: `${origin}/deepaffects`,
    },
    keys: { ...keys },
    createJob(api: FakeApi, init = {}) {
      const job = jobs.create(api, init);
      if (api === "deepaffects") webhooks.touch(job);
      return wrap(job);
    },
    job(api: FakeApi, id: string) {
      const job = jobs.get(api, id);
      return job ? wrap(job) : undefined;
    },
    requests(filter = {}) {
      return recorded().filter(
        (r) =>
          (filter.api === undefined || r.api === filter.api) &&
          (filter.jobId === undefined || r.jobId === filter.jobId) &&
          (filter.route === undefined || r.route === filter.route),
      );
    },
    fault: (rule) => faults.add(rule),
    comfySockets: sockets.control(),
    webhookDeliveries: () => webhooks.deliveries(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        sockets.closeAll(1001, "fake provider closing");
        lifetime.end();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Path and query as sent. Unlike `new URL`, this keeps dot segments and `//` as they came, so a
 * client that lets a job id change the path is seen (and recorded) doing so.
 */
function splitTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  const hash = target.indexOf("#");
  const bare = hash === -1 ? target : target.slice(0, hash);
  const q = bare.indexOf("?");
  return {
    pathname: q === -1 ? bare : bare.slice(0, q),
    searchParams: new URLSearchParams(q === -1 ? "" : bare.slice(q + 1)),
  };
}

const REDACTED = "redacted";

/** `target` with the value of every `token` query parameter replaced, the rest byte for byte. */
function redactToken(target: string): string {
  const q = target.indexOf("?");
  if (q === -1) return target;
  const hash = target.indexOf("#", q);
  const query = target.slice(q + 1, hash === -1 ? undefined : hash);
  const pairs = query.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    const name = eq === -1 ? pair : pair.slice(0, eq);
    return decodeName(name) === "token" ? `${name}=${REDACTED}` : pair;
  });
  return `${target.slice(0, q + 1)}${pairs.join("&")}${hash === -1 ? "" : target.slice(hash)}`;
}

function redactedQuery(params: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(params);
  if (copy.has("token")) copy.set("token", REDACTED);
  return copy;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
}

function noRoute(status: number, message: string): Reply {
  return { status, body: { code: status === 404 ? "not_found" : "method_not_allowed", message } };
}
