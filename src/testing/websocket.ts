/**
 * The server side of RFC 6455, as small as the fake needs: the handshake, unmasked server frames,
 * and a reader of masked client frames that answers ping and close and ignores data.
 */
import { createHash } from "node:crypto";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** RFC 6455 §1.3: the GUID appended to the client's key. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export interface SocketLimits {
  /** Largest client frame payload; a larger one closes the connection with 1009. */
  maxFramePayload: number;
  /** Unsent bytes a connection may hold for a client that does not read; past it the connection is dropped. */
  maxBufferedBytes: number;
  /** How long a close handshake may take before the socket is destroyed. */
  closeTimeoutMs: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxFramePayload: 64 * 1024,
  maxBufferedBytes: 4 * 1024 * 1024,
  closeTimeoutMs: 1000,
};

/** Why a request cannot be upgraded, as an HTTP status and text; undefined when it can. */
export function handshakeProblem(req: IncomingMessage): { status: number; message: string } | undefined {
  if (req.method !== "GET") return { status: 405, message: "A WebSocket handshake is a GET." };
  if (String(req.headers.upgrade).toLowerCase() !== "websocket") {
    return { status: 400, message: "Upgrade must be websocket." };
  }
  if (req.headers["sec-websocket-version"] !== "13") return { status: 426, message: "Only WebSocket version 13 is served." };
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || Buffer.from(key, "base64").length !== 16) {
    return { status: 400, message: "Sec-WebSocket-Key must be 16 bytes in base64." };
  }
  return undefined;
}

/** Writes a complete HTTP answer on a socket that asked to upgrade, then ends it. */
export function refuseUpgrade(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const bytes = Buffer.from(body, "utf8");
  const lines = [`HTTP/1.1 ${status} ${reasonPhrase(status)}`, "Connection: close", `Content-Length: ${bytes.length}`];
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) lines.push("Content-Type: application/json");
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value.replace(/[\r\n]/g, " ")}`);
  socket.end(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), bytes]));
}

export interface ServerSocketEvents {
  /** The connection is gone, whichever side ended it. */
  onClosed(): void;
  /** Runs `fn` after `ms`; returns a cancel function (the kit's Lifetime timers, cleared on close()). */
  timer(ms: number, fn: () => void): () => void;
}

/** Completes the handshake of a request `handshakeProblem` accepted and returns the open connection. */
export function acceptUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  events: ServerSocketEvents,
  limits: SocketLimits = DEFAULT_SOCKET_LIMITS,
): ServerSocket {
  const key = String(req.headers["sec-websocket-key"]);
  const accept = createHash("sha1")
    .update(key + GUID)
    .digest("base64");
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  const connection = new ServerSocket(socket, events, limits);
  if (head.length > 0) connection.receive(head);
  return connection;
}

/** One accepted connection. Every method is safe to call after it ended. */
export class ServerSocket {
  private buffered: Buffer = Buffer.alloc(0);
  private closeSent = false;
  /** A protocol error was seen: later bytes are not parsed. */
  private failed = false;
  private ended = false;
  private cancelCloseTimer: (() => void) | undefined;

  constructor(
    private readonly socket: Duplex,
    private readonly events: ServerSocketEvents,
    private readonly limits: SocketLimits,
  ) {
    (socket as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => this.destroy());
    socket.on("close", () => this.finish());
    socket.on("end", () => this.destroy());
  }

  get open(): boolean {
    return !this.ended && !this.closeSent;
  }

  sendText(text: string): void {
    this.write(OP_TEXT, Buffer.from(text, "utf8"));
  }

  sendBinary(bytes: Uint8Array): void {
    this.write(OP_BINARY, Buffer.from(bytes));
  }

  /** Starts the closing handshake; the socket is destroyed if the client does not answer in time. */
  close(code = 1000, reason = ""): void {
    if (!this.open) return;
    const text = Buffer.from(reason, "utf8");
    const payload = Buffer.alloc(2 + text.length);
    payload.writeUInt16BE(code, 0);
    text.copy(payload, 2);
    this.write(OP_CLOSE, payload);
    this.closeSent = true;
    this.cancelCloseTimer = this.events.timer(this.limits.closeTimeoutMs, () => this.destroy());
  }

  /** Drops the connection with no close frame, as a network failure would. */
  destroy(): void {
    this.socket.destroy();
    this.finish();
  }

  /** Feeds bytes read from the client; parses as many whole frames as there are. */
  receive(chunk: Buffer): void {
    if (this.ended || this.failed) return;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    // Bounded: each pass consumes one frame, and a frame is at most maxFramePayload + 14 bytes.
    while (!this.ended) {
      const frame = readFrame(this.buffered, this.limits.maxFramePayload);
      if (frame.kind === "partial") return;
      if (frame.kind === "error") {
        this.failWith(frame.code);
        return;
      }
      this.buffered = this.buffered.subarray(frame.size);
      this.handle(frame.opcode, frame.payload);
    }
  }

  private handle(opcode: number, payload: Buffer): void {
    if (opcode === OP_PING) {
      if (this.open) this.write(OP_PONG, payload);
    } else if (opcode === OP_CLOSE) {
      if (this.closeSent) {
        this.socket.end();
        return;
      }
      // Echo a valid code back (RFC 6455 §5.5.1); a close without one gets one without one.
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
      if (payload.length === 1 || (code !== undefined && !validCloseCode(code))) {
        this.failWith(1002);
        return;
      }
      this.write(OP_CLOSE, code === undefined ? Buffer.alloc(0) : payload.subarray(0, 2));
      this.closeSent = true;
      this.socket.end();
    }
    // Text, binary, continuation and pong frames carry nothing the fake uses.
  }

  /** Sends a close frame with a protocol error code and ends the connection without waiting for the answer. */
  private failWith(code: number): void {
    this.failed = true;
    if (this.open) {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code, 0);
      this.write(OP_CLOSE, payload);
      this.closeSent = true;
    }
    this.buffered = Buffer.alloc(0);
    this.socket.end();
    this.cancelCloseTimer = this.events.timer(this.limits.closeTimeoutMs, () => this.destroy());
  }

  private write(opcode: number, payload: Buffer): void {
    if (this.ended || this.closeSent || this.socket.destroyed) return;
    if (this.socket.writableLength > this.limits.maxBufferedBytes) {
      this.destroy();
      return;
    }
    this.socket.write(frameHeader(opcode, payload.length));
    if (payload.length > 0) this.socket.write(payload);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.buffered = Buffer.alloc(0);
    this.cancelCloseTimer?.();
    this.events.onClosed();
  }
}

type Frame = { kind: "frame"; opcode: number; payload: Buffer; size: number } | { kind: "partial" } | { kind: "error"; code: number };

/** Reads one client frame from the start of `data`. */
function readFrame(data: Buffer, maxPayload: number): Frame {
  if (data.length < 2) return { kind: "partial" };
  const first = data[0]!;
  const second = data[1]!;
  const fin = (first & 0x80) !== 0;
  const opcode = first & 0x0f;
  if ((first & 0x70) !== 0) return { kind: "error", code: 1002 };
  if (![OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG].includes(opcode)) return { kind: "error", code: 1002 };
  const control = opcode >= 0x8;
  // Clients must mask (RFC 6455 §5.1); control frames are short and whole (§5.5).
  if ((second & 0x80) === 0) return { kind: "error", code: 1002 };
  let length = second & 0x7f;
  let offset = 2;
  if (control && (length > 125 || !fin)) return { kind: "error", code: 1002 };
  if (length === 126) {
    if (data.length < 4) return { kind: "partial" };
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return { kind: "partial" };
    const big = data.readBigUInt64BE(2);
    if (big > BigInt(maxPayload)) return { kind: "error", code: 1009 };
    length = Number(big);
    offset = 10;
  }
  if (length > maxPayload) return { kind: "error", code: 1009 };
  if (data.length < offset + 4 + length) return { kind: "partial" };
  const mask = data.subarray(offset, offset + 4);
  const payload = Buffer.from(data.subarray(offset + 4, offset + 4 + length));
  for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
  return { kind: "frame", opcode, payload, size: offset + 4 + length };
}

function frameHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 0x10000) {
    const header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/** Close codes an endpoint may send (RFC 6455 §7.4). */
export function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? "Status";
}
