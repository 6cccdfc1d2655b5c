/**
 * The token inside a DeepAffects `webhook` URL travels URL-encoded in the start call's query
 * (`token%3D…`). Whatever a server echoes of that URL (once or twice encoded, hex in either case, in
 * an error body, a header or a redirect) and however the start call fails, no error holds the token
 * or the key, by message, stack, cause, JSON.stringify or util.inspect.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDeepAffectsClient, JobStatusError } from "../../src/index.js";
import { everythingIn, spellingsOf } from "../fixtures/apis.js";

const KEY = "da-Live+Key/Secret=Q&8~Tn5";
const TOKEN = "WhTok+en/Secr=et~42 x";
const WEBHOOK = `https://hooks.example.com/deepaffects/done?job=7&token=${encodeURIComponent(TOKEN)}#access_token=${encodeURIComponent(TOKEN)}`;

type Mode =
  | "400 json"
  | "500 text"
  | "401 twice-encoded"
  | "403 lower-case hex"
  | "429 plain"
  | "reset"
  | "hang"
  | "invalid json"
  | "oversize"
  | "redirect loop";
const MODES: Mode[] = [
  "400 json",
  "500 text",
  "401 twice-encoded",
  "403 lower-case hex",
  "429 plain",
  "reset",
  "hang",
  "invalid json",
  "oversize",
  "redirect loop",
];
let mode: Mode = "400 json";
let server: Server;
let origin = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const url = req.url ?? "";
    const echoed = `${url} ${decodeURIComponent(url)}`;
    // Every answer echoes the request's URL in a header as a gateway might.
    const headers = { "x-request-id": `req-1 ${url}`, "content-type": "application/json" };
    const send = (status: number, body: string) => res.writeHead(status, headers).end(body);
    if (mode === "400 json")
      return send(400, JSON.stringify({ fault: { faultstring: `bad webhook in ${echoed}`, detail: { errorcode: "steps.bad" } } }));
    if (mode === "500 text") return send(500, `<html><p>failed ${echoed}</p></html>`);
    if (mode === "401 twice-encoded") return send(401, JSON.stringify({ fault: { faultstring: `denied ${encodeURIComponent(url)}` } }));
    if (mode === "403 lower-case hex")
      return send(403, JSON.stringify({ fault: { faultstring: `no ${url.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())}` } }));
    if (mode === "429 plain")
      return send(429, JSON.stringify({ fault: { faultstring: `slow down ${decodeURIComponent(decodeURIComponent(url))}` } }));
    if (mode === "reset") return void res.socket?.destroy();
    if (mode === "hang") return;
    if (mode === "invalid json") return send(202, `{"request_id": ${echoed}`);
    if (mode === "oversize") return send(202, JSON.stringify({ request_id: "r", pad: "x".repeat(2_000), url: echoed }));
    res.writeHead(307, { ...headers, location: url }).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Raw, URL-encoded once and twice, form-encoded, JSON-escaped, with hex in either case. */
function formsOf(secret: string): string[] {
  const once = encodeURIComponent(secret);
  const forms = [...spellingsOf(secret), encodeURIComponent(once), once.toLowerCase(), once.replace(/%20/g, "+")];
  return [...new Set(forms)].filter((f) => f.length >= 6);
}

describe.each(MODES)("a start call answered with %s", (answer) => {
  test("holds neither the webhook token nor the key", async () => {
    mode = answer;
    const client = createDeepAffectsClient({ apiKey: KEY, baseUrl: origin, timeoutMs: 500, maxResponseBytes: 1_000 });
    const error = await client
      .start(
        "asr",
        { url: "https://example.com/a.wav", encoding: "LINEAR16", languageCode: "en-US", sampleRate: 8000 },
        { webhook: WEBHOOK },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobStatusError);
    const shown = everythingIn(error);
    for (const secret of [TOKEN, "WhTok+en", KEY]) {
      for (const form of formsOf(secret))
        expect(shown, `${form} at ${shown.slice(shown.indexOf(form) - 300, shown.indexOf(form) + 50)}`).not.toContain(form);
    }
  });
});
