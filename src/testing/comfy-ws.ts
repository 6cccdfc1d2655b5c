import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { comfyDetailStatus, comfyError, comfyFailure, comfyOutputs, comfyPrincipal } from "./comfy.js";
import { faultHeaders, faultStatus, type Faults } from "./faults.js";
import { PNG_SIGNATURE, type Reply } from "./http.js";
import type { JobRecord } from "./jobs.js";
import type { Lifetime } from "./lifetime.js";
import { isReply, type KitContext, type Principal } from "./provider.js";
import type { FakeComfySockets, RecordedRequest } from "./types.js";
import { acceptUpgrade, handshakeProblem, refuseUpgrade, validCloseCode, type ServerSocket } from "./websocket.js";

/** Open connections per fake; one more is refused with 503 (the cap and the status: assumption). */
export const MAX_COMFY_SOCKETS = 64;
/** `progress` steps sent over a job's executing time. */
const PROGRESS_STEPS = 4;
/** How long the progress of a run with no scripted end is spread over. */
const OPEN_RUN_MS = 500;
/** The node the fake's workflow samples in; outputs come from the job's own output nodes. */
const SAMPLER_NODE = "3";

type User = Principal["user"];
type Frame = string | Uint8Array;

interface Client {
  readonly socket: ServerSocket;
  readonly user: User;
}

interface Tracked {
  /** The group (pending, in_progress, completed, failed, cancelled, or a raw unknown state) last pushed. */
  group: string;
  /** execution_start went out, so the run's end also sends `executing` with a null node. */
  started: boolean;
  cancelNext?: () => void;
  /** Timers of the executing/progress events still to come. */
  run: Array<() => void>;
}

/**
 * Comfy Cloud's WebSocket, `GET /comfy/ws?clientId=<uuid>&token=<key>`.
 *
 * | Behaviour | Source |
 * |---|---|
 * | The URL `/ws?clientId=<uuid>&token=<API_KEY>`; the key travels in `token` | SOURCES.md (snippets/cloud/websocket-progress.mdx); openapi-cloud.yaml "WEBSOCKET MESSAGE SCHEMAS" |
 * | `clientId` is ignored: every connection of a user gets the same messages | cloud-api-reference.excerpt.md "WebSocket for Real-Time Progress" (Note) |
 * | A user gets the events of its own jobs only | assumption (the docs say "all connections for a user") |
 * | A bad or missing token: the upgrade is refused with 401 `{code, message}`; an inactive subscription's key: 429 | assumption, after the HTTP routes (cloud-api-reference "HTTP Errors") |
 * | Messages are JSON text frames `{type, data}` | cloud-api-reference "WebSocket Message Types"; openapi-cloud.yaml WebSocketMessage |
 * | On connect: `status` `{status: {exec_info: {queue_remaining}}, sid}`; again (without `sid`) when a job joins or leaves the user's queue | openapi-cloud.yaml WebSocketStatusMessage ("sid only on initial connection"); `sid` = the clientId, a random hex id without one: assumption, as OSS ComfyUI's server does |
 * | `queue_remaining` counts the user's pending and running jobs | openapi-cloud.yaml WebSocketStatusMessage ("jobs remaining in queue for this user"); counting running ones: assumption |
 * | Entering an in_progress state: `execution_start {prompt_id}` | openapi-cloud.yaml WebSocketExecutionStartMessage |
 * | Then `executing {prompt_id, node, display_node}` and 4 `progress {prompt_id, node, value, max}` spread over the executing time (over 500 ms when no end is scripted), with one binary PREVIEW_IMAGE frame (type 1, image_type 2 = PNG, big-endian, then PNG bytes) after the first | messages: openapi-cloud.yaml WebSocketExecutingMessage, WebSocketProgressMessage; frame: cloud-api-reference "Binary Messages"; node "3", counts and timing: assumption |
 * | Success: `executing` and `executed {prompt_id, node, display_node, output}` per output node, then `execution_success {prompt_id}` | openapi-cloud.yaml WebSocketExecutedMessage, WebSocketExecutionSuccessMessage |
 * | Failure (any failed-group state): `execution_error {prompt_id, node_id, node_type, exception_type: "ServiceError", exception_message, traceback: [], executed: [], current_inputs: {}, current_outputs: {}}`, the message being the job's `errorMessage` | openapi-cloud.yaml WebSocketExecutionErrorMessage; node, type: assumption |
 * | Cancelled (script, `setStatus`, `POST /api/queue`, `POST /api/interrupt`): `execution_interrupted {prompt_id}` | openapi-cloud.yaml WebSocketExecutionInterruptedMessage; sent for a job cancelled before it ran too: assumption |
 * | After the end of a job that started: `executing {prompt_id, node: null, display_node: null}` | openapi-cloud.yaml WebSocketExecutingMessage ("null when execution completes"); its place after the end message: assumption, as OSS ComfyUI's prompt worker does |
 * | A job that succeeds or fails without having been seen running sends `execution_start` first | assumption |
 * | Events go out when the state changes (timers), to the connections open then; a socket opened later gets later events only, and jobs already running when the fake's first socket opens send no progress | assumption |
 * | `notification`, `progress_state`, `execution_cached` and binary TEXT / PREVIEW_IMAGE_WITH_METADATA frames are never sent | the fake's choice: documented as sent, none needed to learn a job's end |
 * | Client text and binary frames are ignored; ping gets pong; a client frame over 64 KiB closes with 1009 | RFC 6455; the limit: assumption |
 * | More than 64 open connections: 503 | assumption |
 * | Route faults apply to the handshake only when named `route: "ws"`; `rateLimits.comfy` does not count it | the fake's choice |
 */
export class ComfySocketHub {
  private readonly clients = new Set<Client>();
  private readonly tracked = new Map<JobRecord, Tracked>();
  private active = false;
  private delay = 0;
  private silentUntil = 0;
  /** Followed jobs per user in a pending or in_progress state, kept as they change (no scan per message). */
  private readonly queue: Record<User, number> = { main: 0, comfyOther: 0 };

  constructor(
    readonly ctx: KitContext,
    private readonly faults: Faults,
    private readonly lifetime: Lifetime,
  ) {
    ctx.jobs.onChange = (job) => {
      if (this.active && job.api === "comfy") this.update(job);
    };
  }

  get count(): number {
    return this.clients.size;
  }

  /** Answers an upgrade request to `/comfy/ws`; `record` is the kit's log entry for it. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams, record: RecordedRequest): Promise<void> {
    const refuse = (reply: Reply, headers: Record<string, string> = {}): void => {
      refuseUpgrade(socket, reply.status, reply.text ?? JSON.stringify(reply.body), headers);
      record.status = reply.status;
    };
    const rule = this.faults.take("comfy", "ws", undefined);
    if (rule) {
      if (rule.delayMs) await this.lifetime.sleep(rule.delayMs);
      // A hanging handshake is answered by nobody; close() destroys its socket.
      if (rule.hang || this.lifetime.closed || socket.destroyed) return;
      if (rule.reset) {
        const tcp = socket as Duplex & { resetAndDestroy?: () => void };
        if (tcp.resetAndDestroy) tcp.resetAndDestroy();
        else socket.destroy();
        return;
      }
      const status = rule.status ?? (rule.retryAfter ? 429 : undefined);
      if (status !== undefined || rule.body !== undefined) {
        const code = status ?? faultStatus(rule);
        const body = rule.body === undefined ? comfyError(code).body : rule.body;
        refuse({ status: code, text: typeof body === "string" ? body : JSON.stringify(body) }, faultHeaders(rule));
        return;
      }
    }
    const problem = handshakeProblem(req);
    if (problem) {
      refuse(comfyError(problem.status, problem.message, problem.status === 426 ? "upgrade_required" : "invalid_request"));
      return;
    }
    const principal = comfyPrincipal(this.ctx, query.get("token") ?? undefined);
    if (isReply(principal)) {
      refuse(principal);
      return;
    }
    if (this.clients.size >= MAX_COMFY_SOCKETS) {
      refuse(comfyError(503, `At most ${MAX_COMFY_SOCKETS} WebSocket connections at once.`, "service_unavailable"));
      return;
    }
    this.activate();
    const client: Client = {
      user: principal.user,
      socket: acceptUpgrade(req, socket, head, {
        onClosed: () => this.clients.delete(client),
        timer: (ms, fn) => this.lifetime.timer(ms, fn),
      }),
    };
    this.clients.add(client);
    record.status = 101;
    const hello = {
      type: "status",
      data: {
        status: { exec_info: { queue_remaining: this.queueRemaining(client.user) } },
        sid: query.get("clientId") || randomUUID().replaceAll("-", ""),
      },
    };
    client.socket.sendText(JSON.stringify(hello));
  }

  /** The control the tests get as `fake.comfySockets`. */
  control(): FakeComfySockets {
    const hub = this;
    return {
      get count() {
        return hub.clients.size;
      },
      get delayMs() {
        return hub.delay;
      },
      set delayMs(ms: number) {
        if (!(Number.isFinite(ms) && ms >= 0)) throw new TypeError("delayMs must be a finite number >= 0");
        hub.delay = ms;
      },
      drop() {
        for (const client of [...hub.clients]) client.socket.destroy();
      },
      close(code = 1000, reason = "") {
        if (!(Number.isInteger(code) && validCloseCode(code)))
          throw new TypeError("code must be a close code a server may send (RFC 6455 §7.4)");
        if (Buffer.byteLength(reason, "utf8") > 123) throw new TypeError("reason must be at most 123 bytes");
        hub.closeAll(code, reason);
      },
      send(frame: Frame) {
        if (typeof frame !== "string" && !(frame instanceof Uint8Array)) throw new TypeError("frame must be a string or a Uint8Array");
        for (const client of hub.clients) hub.write(client, frame);
      },
      silence(ms: number) {
        if (!(Number.isFinite(ms) && ms >= 0)) throw new TypeError("ms must be a finite number >= 0");
        hub.silentUntil = Math.max(hub.silentUntil, hub.ctx.now() + ms);
      },
    };
  }

  /** Clean close frames to every connection (fake.close() uses 1001, "going away"). */
  closeAll(code: number, reason: string): void {
    for (const client of this.clients) client.socket.close(code, reason);
  }

  /** From the first connection on, every Comfy job is followed; earlier changes are never replayed. */
  private activate(): void {
    if (this.active) return;
    this.active = true;
    const now = this.ctx.now();
    for (const job of this.ctx.jobs.all("comfy")) {
      const tracked: Tracked = { group: groupOf(this.ctx, job, now), started: false, run: [] };
      tracked.started = tracked.group === "in_progress";
      if (queued(tracked.group)) this.queue[job.owner]++;
      this.tracked.set(job, tracked);
      this.scheduleNext(job, tracked, now);
    }
  }

  /** Pushes what changed since the job's last push, then waits for its next scripted change. */
  private update(job: JobRecord): void {
    let tracked = this.tracked.get(job);
    const fresh = tracked === undefined;
    if (!tracked) {
      tracked = { group: "", started: false, run: [] };
      this.tracked.set(job, tracked);
    }
    tracked.cancelNext?.();
    tracked.cancelNext = undefined;
    // One clock reading for the state and the next change: a tick between two (a timer fires up to
    // 1 ms early) saw the job still running with no change ahead, and its end was never pushed.
    const now = this.ctx.now();
    const group = groupOf(this.ctx, job, now);
    if (group !== tracked.group) {
      const from = tracked.group;
      tracked.group = group;
      const joins = queued(group) && !queued(from);
      const leaves = queued(from) && !queued(group);
      if (joins || leaves) this.queue[job.owner] += joins ? 1 : -1;
      // The queue count goes out before a job's first events and after its last ones.
      if (joins || fresh) this.pushStatus(job.owner);
      this.enter(job, tracked, group);
      if (leaves) this.pushStatus(job.owner);
    }
    this.scheduleNext(job, tracked, now);
  }

  private enter(job: JobRecord, tracked: Tracked, group: string): void {
    const id = job.id;
    const send = (...messages: object[]): void =>
      this.push(
        job.owner,
        messages.map((m) => JSON.stringify(m)),
      );
    if (group !== "in_progress") this.stopRun(tracked);
    const ending = group === "completed" || group === "failed" || group === "cancelled";
    if (group === "in_progress" || ((group === "completed" || group === "failed") && !tracked.started)) {
      if (!tracked.started) send({ type: "execution_start", data: { prompt_id: id } });
      tracked.started = true;
    }
    if (group === "in_progress") this.startRun(job, tracked);
    if (group === "completed") {
      for (const [node, output] of Object.entries(comfyOutputs(job))) {
        send(
          { type: "executing", data: { prompt_id: id, node, display_node: node } },
          { type: "executed", data: { prompt_id: id, node, display_node: node, output } },
        );
      }
      send({ type: "execution_success", data: { prompt_id: id } });
    } else if (group === "failed") {
      const failure = comfyFailure(job);
      send({
        type: "execution_error",
        data: {
          prompt_id: id,
          ...failure,
          exception_type: "ServiceError",
          traceback: [],
          executed: [],
          current_inputs: {},
          current_outputs: {},
        },
      });
    } else if (group === "cancelled") {
      send({ type: "execution_interrupted", data: { prompt_id: id } });
    }
    if (ending && tracked.started) send({ type: "executing", data: { prompt_id: id, node: null, display_node: null } });
    if (ending || group === "pending") tracked.started = false;
  }

  /** `executing`, then the progress steps and a preview, spread over the time the job stays in progress. */
  private startRun(job: JobRecord, tracked: Tracked): void {
    const now = this.ctx.now();
    const end = runEnd(this.ctx, job, now);
    const span = end === undefined ? OPEN_RUN_MS : Math.max(0, end - now);
    const node = SAMPLER_NODE;
    const send = (frame: Frame): void => this.push(job.owner, [frame]);
    send(JSON.stringify({ type: "executing", data: { prompt_id: job.id, node, display_node: node } }));
    for (let step = 1; step <= PROGRESS_STEPS; step++) {
      const cancel = this.lifetime.timer((span * step) / (PROGRESS_STEPS + 1), () => {
        send(JSON.stringify({ type: "progress", data: { prompt_id: job.id, node, value: step, max: PROGRESS_STEPS } }));
        if (step === 1) send(PREVIEW_FRAME);
      });
      tracked.run.push(cancel);
    }
  }

  private stopRun(tracked: Tracked): void {
    for (const cancel of tracked.run) cancel();
    tracked.run = [];
  }

  private scheduleNext(job: JobRecord, tracked: Tracked, now: number): void {
    const at = nextChange(job, now);
    if (at === undefined) return;
    // Timers may fire a little before the clock shows the change: update() then waits again.
    tracked.cancelNext = this.lifetime.timer(Math.max(1, at - now), () => this.update(job));
  }

  private pushStatus(user: User): void {
    if (!this.hasClients(user)) return;
    this.push(user, [JSON.stringify({ type: "status", data: { status: { exec_info: { queue_remaining: this.queueRemaining(user) } } } })]);
  }

  private queueRemaining(user: User): number {
    return this.queue[user];
  }

  /** Sends to every connection of `user`, now or after `delayMs`; nothing while silenced. */
  private push(user: User, frames: Frame[]): void {
    if (!this.hasClients(user) || this.ctx.now() < this.silentUntil) return;
    const deliver = (): void => {
      for (const client of this.clients) if (client.user === user) for (const frame of frames) this.write(client, frame);
    };
    if (this.delay > 0) this.lifetime.timer(this.delay, deliver);
    else deliver();
  }

  private write(client: Client, frame: Frame): void {
    if (typeof frame === "string") client.socket.sendText(frame);
    else client.socket.sendBinary(frame);
  }

  private hasClients(user: User): boolean {
    for (const client of this.clients) if (client.user === user) return true;
    return false;
  }
}

/** PREVIEW_IMAGE: type 1 and image_type 2 (PNG) as big-endian uint32, then the image bytes. */
const PREVIEW_FRAME = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 2]), PNG_SIGNATURE]);

function groupOf(ctx: KitContext, job: JobRecord, now: number): string {
  return comfyDetailStatus(ctx.jobs.state(job, now).status);
}

function queued(group: string): boolean {
  return group === "pending" || group === "in_progress";
}

interface Step {
  group: string;
  start: number;
  /** Infinity for the last step. */
  end: number;
}

function steps(job: JobRecord): Step[] {
  const out: Step[] = [];
  let start = job.createdAt;
  job.script.forEach((step, i) => {
    const end = i === job.script.length - 1 ? Number.POSITIVE_INFINITY : start + (step.forMs ?? 0);
    out.push({ group: comfyDetailStatus(step.status), start, end });
    start = end;
  });
  return out;
}

/** When the job's scripted state next changes after `now`; undefined once it cannot change by itself. */
function nextChange(job: JobRecord, now: number): number | undefined {
  if (job.forced) return undefined;
  const current = steps(job).find((s) => now < s.end);
  return current && Number.isFinite(current.end) ? current.end : undefined;
}

/** When the in-progress stretch under way ends; undefined when no later step leaves it. */
function runEnd(ctx: KitContext, job: JobRecord, now: number): number | undefined {
  if (job.forced) return undefined;
  const all = steps(job);
  const index = all.findIndex((s) => now < s.end);
  const after = all.slice(index + 1).find((s) => s.group !== "in_progress");
  return after?.start;
}
