/**
 * One push connection per key, shared by every wait, watch and watcher of the process: opened when
 * the first job of the key needs it, closed when the last one ends, reconnected with capped
 * exponential backoff and jitter while jobs still need it. Provider-blind: the provider's `push`
 * opens the socket and reads its frames. Lines about the connection never carry its URL (it holds
 * the key) nor text the socket gave: only codes, error names and delays.
 */
import type { Log } from "../core/log.js";
import type { JobProvider, JobPush, PushEvent, PushSocket } from "../core/state.js";
import { createEarlyDeliveries, type EarlyDeliveries } from "./early-deliveries.js";

/** A job's end of the connection. */
export interface PushListener {
  event(event: PushEvent): void;
  /** The connection came up (true) or went down (false). */
  live(up: boolean): void;
  log: Log;
}

export interface PushSubscription {
  /** Whether the connection is up now. */
  live: boolean;
  /** A job end pushed shortly before the job was added, held for it. */
  early: PushEvent | undefined;
  stop(): void;
}

interface Channel {
  push: JobPush;
  jobs: Map<string, Set<PushListener>>;
  socket: PushSocket | undefined;
  live: boolean;
  openedAt: number;
  failures: number;
  /** The next attempt's timer, while waiting to reconnect. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The time limit of the attempt in progress. */
  connecting: ReturnType<typeof setTimeout> | undefined;
  early: EarlyDeliveries;
}

const CONNECT_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
/** A connection that stayed up this long was healthy: the next drop starts the backoff over. */
const STEADY_MS = 60_000;

const channels = new Map<string, Channel>();

/** Follows pushed events for `jobId` on the provider's shared connection, opening it if need be. */
export function subscribePush(provider: JobProvider<any, any>, jobId: string, listener: PushListener): PushSubscription | undefined {
  const push = provider.push;
  if (!push) return undefined;
  // Clients of one key share a connection when they also share the server.
  const key = `${provider.rateKey} ${push.target}`;
  let channel = channels.get(key);
  if (!channel) {
    // A job end is held for a job added up to 10 s later: the one submitted just before its wait began.
    const early = createEarlyDeliveries({ max: 256, maxBytes: 64 * 1024, holdMs: 10_000 });
    channel = {
      push,
      jobs: new Map(),
      socket: undefined,
      live: false,
      openedAt: 0,
      failures: 0,
      timer: undefined,
      connecting: undefined,
      early,
    };
    channels.set(key, channel);
  }
  const listeners = channel.jobs.get(jobId) ?? new Set();
  channel.jobs.set(jobId, listeners);
  listeners.add(listener);
  if (!channel.socket && !channel.timer) open(channel);
  const held = channel.early.take(jobId) as PushEvent | undefined;
  const current = channel;
  return {
    live: channel.live,
    early: held,
    stop() {
      listeners.delete(listener);
      if (listeners.size === 0 && current.jobs.get(jobId) === listeners) current.jobs.delete(jobId);
      if (current.jobs.size === 0 && channels.get(key) === current) close(key, current);
    },
  };
}

function close(key: string, channel: Channel): void {
  channels.delete(key);
  clearTimeout(channel.timer);
  channel.early.clear();
  quietClose(channel);
}

/** Forgets the channel's socket and closes it; true when it was open. */
function quietClose(channel: Channel): boolean {
  const { socket, live } = channel;
  clearTimeout(channel.connecting);
  channel.socket = undefined;
  channel.live = false;
  try {
    socket?.close(1000);
  } catch {}
  return live;
}

function open(channel: Channel): void {
  channel.timer = undefined;
  let socket: PushSocket;
  try {
    socket = channel.push.connect();
  } catch (error) {
    // Only its name: the implementation's message may quote the URL, and so the key.
    return retryLater(channel, error instanceof Error ? error.name : "error");
  }
  channel.socket = socket;
  const current = () => channel.socket === socket;
  // A connection that neither opens nor fails (a black-holed port) must not hold up the retries.
  channel.connecting = setTimeout(() => current() && dropped(channel, "timeout"), CONNECT_TIMEOUT_MS);
  socket.onopen = () => {
    if (!current()) return;
    clearTimeout(channel.connecting);
    channel.live = true;
    channel.openedAt = Date.now();
    logAll(channel, "push connection open", "debug");
    for (const listener of listenersOf(channel)) listener.live(true);
  };
  socket.onmessage = ({ data }) => {
    // Binary frames (Comfy's previews) say nothing about a job's state.
    if (!current() || typeof data !== "string") return;
    const event = channel.push.parse(data);
    if (!event) return;
    const listeners = channel.jobs.get(event.jobId);
    if (listeners) for (const listener of [...listeners]) listener.event(event);
    else if (event.ended) channel.early.hold(event.jobId, event);
  };
  // The close that follows an error does the work; an error event without a listener would throw in `ws`.
  socket.onerror = () => {};
  socket.onclose = ({ code }) => {
    if (current()) dropped(channel, `code ${code}`);
  };
}

function dropped(channel: Channel, why: string): void {
  const wasLive = quietClose(channel);
  if (wasLive && Date.now() - channel.openedAt >= STEADY_MS) channel.failures = 0;
  if (wasLive) for (const listener of listenersOf(channel)) listener.live(false);
  retryLater(channel, why);
}

function retryLater(channel: Channel, why: string): void {
  if (channel.jobs.size === 0 || channel.timer) return;
  channel.failures++;
  // Capped exponential backoff, the lower half kept and the upper half jittered: 0.5-1 s, 1-2 s, ..., 30-60 s.
  const cap = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(channel.failures - 1, 16));
  const delay = Math.round(cap / 2 + (Math.random() * cap) / 2);
  logAll(channel, `push connection lost (${why}); retry in ${delay} ms`);
  channel.timer = setTimeout(() => open(channel), delay);
}

function listenersOf(channel: Channel): PushListener[] {
  return [...channel.jobs.values()].flatMap((listeners) => [...listeners]);
}

/** A line to the log of every job on the connection, once per log. */
function logAll(channel: Channel, message: string, level: "info" | "debug" = "info"): void {
  for (const log of new Set(listenersOf(channel).map((listener) => listener.log))) log[level]?.(message);
}
