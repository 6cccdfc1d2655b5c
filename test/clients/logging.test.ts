import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { createComfyClient, createDeepAffectsClient, InvalidArgumentError, type Logger, type LogLevel } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";

// A key with characters that URL encoding changes, so its raw, once- and twice-encoded spellings differ.
const DA_KEY = "da+key/with=odd&chars'x";
const TOKEN = "hook/tok+en=secret";
const WEBHOOK = `http://127.0.0.1:9/hook?token=${encodeURIComponent(TOKEN)}`;

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders({ keys: { deepaffects: DA_KEY }, webhookAttempts: 1 });
});
afterAll(() => fake.close());
afterEach(() => {
  delete process.env["JOBSTATUS_LOG"];
});

/** A real logger object that keeps every line it is given, by level. */
function collector(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const at =
    (level: string) =>
    (message: string, ...rest: unknown[]) =>
      lines.push([level, [message, ...rest.map(String)].join(" ")]);
  return { lines, error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

function spellingsOf(secret: string): string[] {
  const once = encodeURIComponent(secret);
  return [secret, once, encodeURIComponent(once), new URLSearchParams({ k: secret }).toString().slice(2)];
}

function expectNoSecret(lines: Array<[string, string]>, ...secrets: string[]): void {
  for (const [, line] of lines) {
    for (const secret of secrets) for (const spelling of spellingsOf(secret)) expect(line).not.toContain(spelling);
  }
}

test("debug logs each request and answer of a DeepAffects start and status call, with no spelling of the key or the webhook token", async () => {
  const logger = collector();
  const da = createDeepAffectsClient({ apiKey: DA_KEY, baseUrl: fake.urls.deepaffects, logger, logLevel: "debug" });
  const handle = await da.start(
    "asr",
    { url: "https://example.com/a.wav", encoding: "LINEAR16", languageCode: "en-US", sampleRate: 8000 },
    { webhook: WEBHOOK },
  );
  await da.getJobStatus(handle.jobId);
  const requests = logger.lines.filter(([level, line]) => level === "debug" && line.includes("request "));
  const answers = logger.lines.filter(([level, line]) => level === "debug" && line.includes("answer 20"));
  expect(requests.map(([, line]) => line)).toEqual([
    expect.stringMatching(
      /^jobstatus: request POST http:\/\/127\.0\.0\.1:\d+\/deepaffects\/audio\/generic\/api\/v1\/async\/asr\?.*apikey=\[REDACTED\]/,
    ),
    expect.stringMatching(/^jobstatus: request GET .*\/async\/status\?request_id=.*apikey=\[REDACTED\]/),
  ]);
  expect(answers).toHaveLength(2);
  // The webhook URL rides encoded in the start request's query: its token is masked there too.
  expect(requests[0]![1]).toContain("webhook=");
  expect(requests[0]![1]).toContain("REDACTED");
  expectNoSecret(logger.lines, DA_KEY, TOKEN);
});

test("a retry decision of a direct call is logged at info, redacted", async () => {
  const logger = collector();
  const da = createDeepAffectsClient({ apiKey: DA_KEY, baseUrl: fake.urls.deepaffects, logger, logLevel: "info" });
  const job = fake.createJob("deepaffects", { script: [{ status: "Running" }] });
  const rule = fake.fault({ api: "deepaffects", route: "status", jobId: job.id, status: 503, times: 1 });
  await da.getJobStatus(job.id, { maxRetries: 1 });
  expect(rule.hits).toBe(1);
  expect(logger.lines).toEqual([
    [
      "info",
      expect.stringMatching(
        /^jobstatus: GET \/transaction\/generic\/api\/v1\/async\/status failed \(ServerError\); retry 1 of 1 in \d+ ms$/,
      ),
    ],
  ]);
  expectNoSecret(logger.lines, DA_KEY);
});

test("a logger without a level logs warnings only; logLevel off logs nothing", async () => {
  const job = fake.createJob("comfy", { status: "success" });
  const quiet = collector();
  await createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, logger: quiet }).getJobStatus(job.id);
  const off = collector();
  await createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, logger: off, logLevel: "off" }).getJobStatus(job.id);
  expect([...quiet.lines, ...off.lines]).toEqual([]);
});

test("JOBSTATUS_LOG sets the level where no logLevel is given, and an unknown value is a warning", async () => {
  const job = fake.createJob("comfy", { status: "success" });
  process.env["JOBSTATUS_LOG"] = "debug";
  const logger = collector();
  await createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, logger }).getJobStatus(job.id);
  expect(logger.lines.map(([level]) => level)).toEqual(["debug", "debug"]);
  expectNoSecret(logger.lines, fake.keys.comfy);

  process.env["JOBSTATUS_LOG"] = "loud";
  const warned = collector();
  createComfyClient({ apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy, logger: warned });
  expect(warned.lines).toEqual([["warn", 'jobstatus: JOBSTATUS_LOG="loud" is not one of off, error, warn, info, debug; ignored.']]);
});

test("a bad logLevel or logger is an InvalidArgumentError before any request", () => {
  const options = { apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy };
  expect(() => createComfyClient({ ...options, logLevel: "verbose" as LogLevel })).toThrow(InvalidArgumentError);
  expect(() => createComfyClient({ ...options, logger: { info() {} } as unknown as Logger })).toThrow(
    /logger must be an object with error, warn, info, debug methods/,
  );
});

test("a logger that throws does not fail the call it reports on", async () => {
  const job = fake.createJob("comfy", { status: "success" });
  const throwing: Logger = { error: boom, warn: boom, info: boom, debug: boom };
  function boom(): never {
    throw new Error("logger down");
  }
  const body = await createComfyClient({
    apiKey: fake.keys.comfy,
    baseUrl: fake.urls.comfy,
    logger: throwing,
    logLevel: "debug",
  }).getJobStatus(job.id);
  expect(body.status).toBe("success");
});
