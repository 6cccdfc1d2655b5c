/**
 * The `jobstatus` CLI as a subprocess against the public test kit started here: every command, its
 * JSON lines, every exit code, and no key in any output.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { driveThroughProgress, jsonLines, run, runCli, WEB_SOCKET_ENV, type Run, type RunOptions } from "./run.js";

const KEYS = {
  difyChatflow: "dify-chat-SECRET-4b1d8e",
  difyCompletion: "dify-comp-SECRET-93aa0c",
  comfy: "comfy-SECRET-7e21f5",
  comfyOther: "comfy-other-SECRET-c0ffee",
  deepaffects: "deepaffects-SECRET-51d2a9",
};
const WRONG_KEY = "wrong-SECRET-key-0x7777";
const ALL_SECRETS = [...Object.values(KEYS), WRONG_KEY];

// Each run starts Node with tsx (~0.6 s of CPU); on a loaded machine that grows, so tests get room.
const SLOW = { timeout: 60_000 };

let fake: FakeProviders;
let env: Record<string, string>;
const outputs: Run[] = [];
const dir = mkdtempSync(join(tmpdir(), "jobstatus-cli-"));

beforeAll(async () => {
  fake = await startFakeProviders({
    keys: KEYS,
    defaultScripts: {
      "dify-chatflow": [{ status: "waiting", forMs: 300 }, { status: "processing", forMs: 700 }, { status: "completed" }],
      comfy: [
        { status: "submitted", forMs: 200 },
        { status: "queued_limited", forMs: 300 },
        { status: "executing", forMs: 500 },
        { status: "success" },
      ],
      deepaffects: [{ status: "Running", forMs: 800 }, { status: "Completed" }],
    },
  });
  env = {
    DIFY_API_KEY: KEYS.difyChatflow,
    DIFY_BASE_URL: fake.urls.difyChatflow,
    COMFY_API_KEY: KEYS.comfy,
    COMFY_BASE_URL: fake.urls.comfy,
    DEEPAFFECTS_API_KEY: KEYS.deepaffects,
    DEEPAFFECTS_BASE_URL: fake.urls.deepaffects,
  };
});

afterAll(async () => {
  await fake.close();
  // The key of every provider was in the environment of every run, and a wrong one in some.
  for (const run of outputs) for (const secret of ALL_SECRETS) expect(run.stdout + run.stderr).not.toContain(secret);
  expect(outputs.length).toBeGreaterThan(20);
});

async function cli(args: string[], options: RunOptions = {}): Promise<Run> {
  const result = await runCli(args, { ...options, env: { ...env, ...options.env } });
  outputs.push(result);
  return result;
}

describe.concurrent("help and usage errors", SLOW, () => {
  test("--help explains every command, the key variables and the exit codes", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const word of ["status", "wait", "start", "fake-server", "--base-url", "NO_COLOR"]) expect(stdout).toContain(word);
    for (const name of ["DIFY_API_KEY", "DIFY_BASE_URL", "COMFY_API_KEY", "COMFY_BASE_URL", "DEEPAFFECTS_API_KEY", "DEEPAFFECTS_BASE_URL"])
      expect(stdout).toContain(name);
    for (const code of [0, 1, 2, 3, 4, 5, 6]) expect(stdout).toMatch(new RegExp(`^  ${code}  `, "m"));
  });

  test.each(["status", "wait", "start", "fake-server"])("%s --help names the env vars and exit codes", async (command) => {
    const { code, stdout } = await cli([command, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`jobstatus ${command}`);
    expect(stdout).toContain("COMFY_API_KEY");
    expect(stdout).toContain("DEEPAFFECTS_BASE_URL");
    expect(stdout).toContain("Exit codes:");
  });

  test.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["status", "comfy", "x", "--bogus"], /Unknown option '--bogus'/],
    [["status", "comfy"], /needs a job id/],
    [["status", "comfy", "x", "--action", "enable"], /--action applies only to dify/],
    [["wait", "dify", "x", "--timeout", "soon"], /--timeout must be a duration/],
    [["wait", "dify", "x", "--timeout", "99999999999999h"], /--timeout must be at most 720h/],
    [["start", "dify", "enable"], /--score-threshold/],
    [["start", "comfy", "--workflow", "/nonexistent/wf.json"], /cannot read the file \(ENOENT\)/],
    [["status", "comfy", "../etc"], /cannot be part of a job id/],
  ])("bad argument %j exits 2 with a message", async (args, message) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).not.toMatch(/"state"/);
  });
});

describe.concurrent("status", SLOW, () => {
  test("prints one JSON object with the normalized and the raw state", async () => {
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 60_000 }, { status: "success" }] });
    const { code, stdout } = await cli(["status", "comfy", job.id]);
    expect(code).toBe(0);
    const [line, ...rest] = jsonLines(stdout);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ provider: "comfy", jobId: job.id, state: "running", rawStatus: "executing", terminal: false });
    expect(line!["raw"]).toMatchObject({ status: "executing" });
  });

  test("a failed Dify Completion job exits 1 with the provider's message", async () => {
    const job = fake.createJob("dify-completion", { status: "error", errorMessage: "embedding model unavailable" });
    const { code, stdout } = await cli(["status", "dify", job.id, "--app", "completion", "--base-url", fake.urls.difyCompletion], {
      env: { DIFY_API_KEY: KEYS.difyCompletion },
    });
    expect(code).toBe(1);
    expect(jsonLines(stdout)[0]).toMatchObject({ state: "failed", rawStatus: "error", errorMessage: "embedding model unavailable" });
  });

  test("DeepAffects, with --api", async () => {
    const job = fake.createJob("deepaffects", { status: "Completed", deepaffectsApi: "/audio/generic/api/v2/async/diarize" });
    const { code, stdout } = await cli(["status", "deepaffects", job.id, "--api", "diarize"]);
    expect(code).toBe(0);
    expect(jsonLines(stdout)[0]).toMatchObject({ provider: "deepaffects", state: "succeeded", rawStatus: "Completed" });
  });

  test("an unknown job exits 5 (Comfy 404, Dify 400 invalid_param)", async () => {
    const [comfy, dify] = await Promise.all([
      cli(["status", "comfy", "no-such-job"]),
      cli(["status", "dify", "no-such-job", "--action", "disable"]),
    ]);
    expect([comfy.code, dify.code]).toEqual([5, 5]);
    expect(comfy.stderr).toMatch(/does not know this job/);
    expect(jsonLines(dify.stdout)[0]).toMatchObject({ event: "error", exitCode: 5, error: { name: "NotFoundError", status: 400 } });
  });

  test("a wrong key exits 4 and is never echoed", async () => {
    const job = fake.createJob("deepaffects", { status: "Running" });
    const run = await cli(["status", "deepaffects", job.id], { env: { DEEPAFFECTS_API_KEY: WRONG_KEY } });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/DEEPAFFECTS_API_KEY/);
    expect(run.stdout + run.stderr).not.toContain(WRONG_KEY);
  });

  test("a missing key exits 4 and names the variable", async () => {
    const run = await cli(["status", "comfy", "abc"], { env: { COMFY_API_KEY: undefined } });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/COMFY_API_KEY is not set/);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ event: "error", exitCode: 4, error: { name: "MissingKeyError" } });
  });

  test("another user's Comfy job exits 4 (permission)", async () => {
    const job = fake.createJob("comfy", { status: "success", owner: "comfyOther" });
    const run = await cli(["status", "comfy", job.id]);
    expect(run.code).toBe(4);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ error: { name: "PermissionDeniedError", status: 403 } });
  });

  test("a provider error or an unreachable host exits 6", async () => {
    const job = fake.createJob("comfy", { status: "success" });
    fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 500, times: 1 });
    const [server, network] = await Promise.all([
      cli(["status", "comfy", job.id]),
      cli(["status", "comfy", job.id, "--base-url", "http://127.0.0.1:9/comfy"]),
    ]);
    expect(server.code).toBe(6);
    expect(jsonLines(server.stdout)[0]).toMatchObject({ error: { name: "ServerError", status: 500 } });
    expect(network.code).toBe(6);
    expect(jsonLines(network.stdout)[0]).toMatchObject({ error: { name: "ConnectionError" } });
  });
});

describe.concurrent("wait", SLOW, () => {
  test("JSON lines: updates through the raw states, polls with the next poll time, then done (exit 0)", async () => {
    // The test moves the job on as the CLI reports each state, so no timing can skip one.
    const job = fake.createJob("comfy", { status: "queued_limited" });
    const next: Record<string, string> = { queued_limited: "executing", executing: "success" };
    const { code, stdout } = await cli(["wait", "comfy", job.id, "--timeout", "15s"], {
      onStdout(soFar) {
        const last = jsonLines(soFar.slice(0, soFar.lastIndexOf("\n") + 1))
          .filter((l) => l["event"] === "update")
          .at(-1);
        const to = last && next[last["rawStatus"] as string];
        if (to && job.status === last["rawStatus"]) job.setStatus(to);
      },
    });
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    const updates = lines.filter((l) => l["event"] === "update");
    expect(updates.map((u) => [u["state"], u["rawStatus"]])).toEqual([
      ["queued", "queued_limited"],
      ["running", "executing"],
      ["succeeded", "success"],
    ]);
    expect(updates.every((u) => u["jobId"] === job.id && typeof u["elapsedMs"] === "number")).toBe(true);
    const polls = lines.filter((l) => l["event"] === "poll");
    expect(polls.length).toBeGreaterThanOrEqual(2);
    for (const p of polls) expect(Date.parse(p["nextPollAt"])).toBeGreaterThan(Date.parse(updates[0]!["observedAt"]) - 1);
    const done = lines.at(-1)!;
    expect(done).toMatchObject({ event: "done", state: "succeeded", rawStatus: "success", exitCode: 0 });
    // Every poll the CLI counted is one request the provider received.
    expect(done["polls"]).toBe(fake.requests({ api: "comfy", jobId: job.id, route: "status" }).length);
  });

  test("JSON lines: the progress Comfy's WebSocket pushed (node, step of steps) comes on updates, or alone on progress lines; done has none", async () => {
    const job = fake.createJob("comfy", { status: "queued_limited" });
    let stdout = "";
    const stop = driveThroughProgress(fake, job, {
      queued: () => stdout.includes('"rawStatus":"queued_limited"'),
      step: () => /"progress":\{"node":"3","value":\d,"max":4\}/.test(stdout),
    });
    const run = await cli(["wait", "comfy", job.id, "--timeout", "30s"], {
      env: WEB_SOCKET_ENV,
      onStdout: (soFar) => (stdout = soFar),
    }).finally(stop);
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    const steps = lines.filter((l) => (l["event"] === "update" || l["event"] === "progress") && l["progress"]?.["max"] !== undefined);
    // A progress line repeats no state and no raw status: those come once per change, on updates.
    for (const line of lines.filter((l) => l["event"] === "progress"))
      expect(Object.keys(line).sort()).toEqual(["elapsedMs", "event", "jobId", "progress", "provider"]);
    expect(steps.length).toBeGreaterThanOrEqual(1);
    expect(steps[0]!["progress"]).toEqual({ node: "3", value: expect.any(Number), max: 4 });
    expect(lines.at(-1)).toMatchObject({ event: "done", state: "succeeded", exitCode: 0 });
    expect(lines.at(-1)).not.toHaveProperty("progress");
  });

  test("--no-socket: a Comfy wait polls on its usual schedule; with the socket it polls at the slow fallback and learns the end by push", async () => {
    const script = [{ status: "executing", forMs: 2_500 }, { status: "success" }];
    const [polled, pushed] = [fake.createJob("comfy", { script }), fake.createJob("comfy", { script })];
    const [withoutSocket, withSocket] = await Promise.all([
      cli(["wait", "comfy", polled.id, "--min-interval", "200ms", "--timeout", "30s", "--no-socket"], { env: WEB_SOCKET_ENV }),
      cli(["wait", "comfy", pushed.id, "--min-interval", "200ms", "--timeout", "30s"], { env: WEB_SOCKET_ENV }),
    ]);
    expect([withoutSocket.code, withSocket.code]).toEqual([0, 0]);
    const polls = (job: { id: string }) => fake.requests({ api: "comfy", jobId: job.id, route: "status" }).length;
    // 2.5 s at 200 ms and up is at least five polls; with the socket, a few before it is up, then the one that confirms the end.
    expect(polls(polled)).toBeGreaterThanOrEqual(5);
    expect(polls(pushed)).toBeLessThanOrEqual(4);
  });

  test("a job that fails exits 1", async () => {
    const job = fake.createJob("dify-chatflow", {
      script: [{ status: "processing", forMs: 400 }, { status: "error" }],
      errorMessage: "quota exceeded",
    });
    const { code, stdout } = await cli(["wait", "dify", job.id, "--timeout", "15s"]);
    expect(code).toBe(1);
    expect(jsonLines(stdout).at(-1)).toMatchObject({ event: "done", state: "failed", errorMessage: "quota exceeded", exitCode: 1 });
  });

  test("--timeout exits 3 with the last state seen", async () => {
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 60_000 }, { status: "success" }] });
    const { code, stdout, stderr, ms } = await cli(["wait", "comfy", job.id, "--timeout", "1500ms"]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/did not end before the wait's deadline/);
    expect(jsonLines(stdout).at(-1)).toMatchObject({
      event: "error",
      exitCode: 3,
      error: { name: "TimeoutError" },
      lastSnapshot: { state: "running", rawStatus: "executing" },
    });
    expect(ms).toBeLessThan(10_000);
  });

  test("a 429 with Retry-After is waited out, and an undocumented state does not end the wait", async () => {
    const job = fake.createJob("comfy", { script: [{ status: "executing", forMs: 1_500 }, { status: "success" }] });
    const rateLimit = fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 429, retryAfter: { seconds: 1 }, times: 1 });
    fake.fault({ api: "comfy", route: "status", jobId: job.id, rawStatus: "gpu_warming", times: 1 });
    const { code, stdout } = await cli(["wait", "comfy", job.id, "--timeout", "15s"]);
    expect(code).toBe(0);
    expect(rateLimit.hits).toBe(1);
    const updates = jsonLines(stdout).filter((l) => l["event"] === "update");
    expect(updates[0]).toMatchObject({ state: "unknown", rawStatus: "gpu_warming" });
    expect(updates.at(-1)).toMatchObject({ state: "succeeded" });
    const [limited, next] = fake.requests({ api: "comfy", jobId: job.id, route: "status" });
    expect(limited!.status).toBe(429);
    expect(next!.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  test("DeepAffects with --min-interval and an unknown job (exit 5)", async () => {
    const job = fake.createJob("deepaffects");
    const [ok, missing] = await Promise.all([
      cli(["wait", "deepaffects", job.id, "--min-interval", "500ms", "--timeout", "15s"]),
      cli(["wait", "deepaffects", "no-such-request", "--timeout", "5s"]),
    ]);
    expect(ok.code).toBe(0);
    expect(jsonLines(ok.stdout).at(-1)).toMatchObject({ event: "done", state: "succeeded" });
    expect(missing.code).toBe(5);
  });
});

describe.concurrent("signals", SLOW, () => {
  test.each([
    ["SIGINT", 130, "Interrupted"],
    ["SIGTERM", 143, "Terminated"],
  ] as const)("%s stops a wait with exit %d, an error line and the job left running", async (signal, exitCode, said) => {
    const job = fake.createJob("comfy", { status: "executing" });
    let sent = false;
    const { code, stdout, stderr } = await cli(["wait", "comfy", job.id], {
      onStdout(soFar, child) {
        if (!sent && soFar.includes('"event":"poll"')) {
          sent = true;
          child.kill(signal);
        }
      },
    });
    expect(sent).toBe(true);
    expect(code).toBe(exitCode);
    expect(stderr).toBe(`${said}: stopped waiting. The job goes on at the provider.\n`);
    expect(jsonLines(stdout).at(-1)).toMatchObject({
      event: "error",
      exitCode,
      error: { name: "InterruptedError", message: `interrupted by ${signal}` },
    });
    expect(job.status).toBe("executing");
  });
});

describe.concurrent("provider text", SLOW, () => {
  // What a terminal would obey: title (OSC 0), clipboard (OSC 52), hyperlink (OSC 8), clear screen,
  // a C1 CSI, reversed text, and the separators JSON.stringify leaves raw.
  const HOSTILE =
    "\u001b]0;PWNED\u0007\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u009b1;1H\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u202etxt.exe\u2028\u007f\u0000end";
  // eslint-disable-next-line no-control-regex
  const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

  test("status --json: the line holds the text whole, escaped, with no raw control character", async () => {
    const job = fake.createJob("comfy", { script: [{ status: HOSTILE, forMs: 60_000 }, { status: "success" }] });
    const failed = fake.createJob("dify-chatflow", { status: "error", errorMessage: HOSTILE });
    const [unknown, error] = await Promise.all([cli(["status", "comfy", job.id]), cli(["status", "dify", failed.id])]);
    for (const run of [unknown, error]) expect(run.stdout + run.stderr).not.toMatch(RAW_CONTROL);
    expect(jsonLines(unknown.stdout)[0]).toMatchObject({ state: "unknown", rawStatus: HOSTILE, raw: { status: HOSTILE } });
    expect(error.code).toBe(1);
    expect(jsonLines(error.stdout)[0]).toMatchObject({ state: "failed", errorMessage: HOSTILE });
  });

  test("an error answer quoting escapes is printed on stderr as inert text, also with --json", async () => {
    const job = fake.createJob("comfy", { status: "success" });
    fake.fault({ api: "comfy", route: "status", jobId: job.id, status: 500, body: { message: HOSTILE } });
    const run = await cli(["status", "comfy", job.id, "--json"]);
    expect(run.code).toBe(6);
    expect(run.stdout + run.stderr).not.toMatch(RAW_CONTROL);
    expect(run.stderr).toContain("\\x1b]0;PWNED\\x07");
    expect(jsonLines(run.stdout)[0]).toMatchObject({
      event: "error",
      error: { name: "ServerError", message: expect.stringContaining(HOSTILE) },
    });
  });

  test("wait --json with a 3 MB status writes it once per change of state, never per poll", async () => {
    const huge = `\u001b[2J\u009b${"x".repeat(3_000_000)}\u202e`;
    // Dify, which pushes nothing: where a WebSocket exists, a Comfy job would poll at its slow fallback rate.
    const job = fake.createJob("dify-chatflow", { status: huge });
    const { code, stdout } = await cli(["wait", "dify", job.id, "--min-interval", "200ms", "--timeout", "30s"], {
      onStdout(soFar) {
        if ((soFar.match(/"event":"poll"/g) ?? []).length >= 3 && job.status === huge) job.setStatus("completed");
      },
    });
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines.filter((l) => l["event"] === "poll").length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l["rawStatus"] === huge)).toHaveLength(1);
    // One update and the final line (rawStatus and raw.status) carry it: three copies, not one per poll.
    expect(stdout.length).toBeLessThan(huge.length * 3 + 20_000);
    expect(stdout).not.toMatch(RAW_CONTROL);
  });
});

describe.concurrent("start", SLOW, () => {
  test("comfy --workflow prints the handle; wait takes its job id", async () => {
    const file = join(dir, "workflow.json");
    writeFileSync(file, JSON.stringify({ "3": { class_type: "KSampler", inputs: { seed: 1 } } }));
    const started = await cli(["start", "comfy", "--workflow", file]);
    expect(started.code).toBe(0);
    const handle = jsonLines(started.stdout)[0]!;
    expect(handle).toMatchObject({ provider: "comfy", jobId: expect.any(String), startedAt: expect.any(String) });
    expect(fake.requests({ api: "comfy", route: "start" }).some((r) => (r.body as any)?.prompt?.["3"]?.inputs?.seed === 1)).toBe(true);
    const waited = await cli(["wait", "comfy", handle["jobId"], "--timeout", "15s"]);
    expect(waited.code).toBe(0);
  });

  test("deepaffects <api> --body --webhook", async () => {
    const file = join(dir, "asr.json");
    writeFileSync(
      file,
      JSON.stringify({ url: "https://example.com/a.wav", encoding: "LINEAR16", languageCode: "en-US", sampleRate: 8000 }),
    );
    const { code, stdout } = await cli(["start", "deepaffects", "asr", "--body", file, "--webhook", "http://127.0.0.1:9/hook"]);
    expect(code).toBe(0);
    const handle = jsonLines(stdout)[0]!;
    expect(handle).toMatchObject({ provider: "deepaffects", api: "asr", webhook: true });
    const [request] = fake.requests({ api: "deepaffects", route: "start", jobId: handle["jobId"] });
    expect(request!.query["webhook"]).toBe("http://127.0.0.1:9/hook");
  });

  test("dify enable with settings; an unknown DeepAffects api exits 2", async () => {
    const file = join(dir, "body.json");
    writeFileSync(file, "{}");
    const [dify, badApi] = await Promise.all([
      cli([
        "start",
        "dify",
        "enable",
        "--score-threshold",
        "0.85",
        "--embedding-provider",
        "openai",
        "--embedding-model",
        "text-embedding-3-small",
      ]),
      cli(["start", "deepaffects", "transcribe", "--body", file]),
    ]);
    expect(dify.code).toBe(0);
    const handle = jsonLines(dify.stdout)[0]!;
    expect(handle).toMatchObject({ provider: "dify", app: "chatflow", action: "enable" });
    const [request] = fake.requests({ api: "dify-chatflow", route: "start", jobId: handle["jobId"] });
    expect(request!.body).toEqual({
      score_threshold: 0.85,
      embedding_provider_name: "openai",
      embedding_model_name: "text-embedding-3-small",
    });
    expect(badApi.code).toBe(2);
    expect(badApi.stderr).toMatch(/api must be/);
  });

  test.each([
    [["enable", "--score-threshold", "0.37", "--embedding-model", "text-embedding-3-small"], /start dify needs --embedding-provider/],
    [["disable", "--score-threshold", "0.37", "--embedding-provider", "openai"], /start dify needs --embedding-model/],
    [["disable", "--score-threshold", "0.37", "--embedding-provider=", "--embedding-model", "m"], /start dify needs --embedding-provider/],
    [["enable", "--score-threshold", "0.37"], /start dify needs --embedding-provider/],
  ])(
    "dify %j without both embedding flags, which Dify requires also for disable, is a usage error before any request",
    async (args, message) => {
      // Other start tests run alongside: this one's requests are the ones with its own threshold.
      const mine = () =>
        fake
          .requests({ api: "dify-chatflow", route: "start" })
          .filter((r) => (r.body as { score_threshold?: unknown })?.score_threshold === 0.37);
      const { code, stdout, stderr } = await cli(["start", "dify", ...args]);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stdout).toBe("");
      expect(mine()).toEqual([]);
    },
  );
});

test("fake-server prints URLs and keys, serves the CLI, and stops on Ctrl-C with exit 0", SLOW, async () => {
  let listening: Record<string, any> | undefined;
  let followUp: Promise<Run> | undefined;
  const server = await runCli(["fake-server", "--json"], {
    onStdout(soFar, child) {
      if (listening || !soFar.includes("\n")) return;
      listening = JSON.parse(soFar.split("\n")[0]!) as Record<string, any>;
      const serverEnv = listening["env"] as Record<string, string>;
      followUp = (async () => {
        const started = await runCli(
          [
            "start",
            "dify",
            "enable",
            "--score-threshold",
            "0.9",
            "--embedding-provider",
            "openai",
            "--embedding-model",
            "text-embedding-3-small",
          ],
          { env: serverEnv },
        );
        const status = await runCli(["status", "dify", jsonLines(started.stdout)[0]!["jobId"]], { env: serverEnv });
        child.kill("SIGINT");
        return status;
      })();
    },
  });
  expect(listening).toMatchObject({
    event: "listening",
    urls: { comfy: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/comfy$/) },
    keys: { comfy: "comfy-fake-key" },
  });
  const status = await followUp!;
  expect(status.code).toBe(0);
  expect(jsonLines(status.stdout)[0]).toMatchObject({
    provider: "dify",
    rawStatus: expect.stringMatching(/^(waiting|processing|completed)$/),
  });
  expect(server.code).toBe(0);
  expect(jsonLines(server.stdout).at(-1)).toEqual({ event: "closed" });
});

test("fake-server piped prints the documented export lines, and the command it suggests works from a clone", SLOW, async () => {
  let followUp: Promise<Run> | undefined;
  const server = await runCli(["fake-server"], {
    onStdout(soFar, child) {
      if (followUp || !/ wait dify <jobId>\n/.test(soFar)) return;
      // What a user pastes: the export lines into a shell, then the suggested start command.
      const exported = Object.fromEntries(
        [...soFar.matchAll(/^export (.*)$/gm)].flatMap((m) => m[1]!.split(" ").map((pair) => pair.split("=") as [string, string])),
      );
      const suggested =
        /^ {2}(.*) start dify enable --score-threshold 0\.9 --embedding-provider openai --embedding-model text-embedding-3-small$/m.exec(
          soFar,
        )?.[1];
      followUp = (async () => {
        try {
          expect(suggested).toBe("npx tsx src/cli/main.ts");
          return await run(
            [
              ...suggested!.split(" "),
              "start",
              "dify",
              "enable",
              "--score-threshold",
              "0.9",
              "--embedding-provider",
              "openai",
              "--embedding-model",
              "text-embedding-3-small",
            ],
            { env: exported },
          );
        } finally {
          child.kill("SIGINT");
        }
      })();
    },
  });
  expect(server.stdout).toMatch(/^export DIFY_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/dify\/chatflow\/v1 DIFY_API_KEY=\S+$/m);
  expect(server.stdout).toMatch(/^export COMFY_BASE_URL=\S+ COMFY_API_KEY=\S+$/m);
  expect(server.stdout).toMatch(/^export DEEPAFFECTS_BASE_URL=\S+ DEEPAFFECTS_API_KEY=\S+$/m);
  expect(server.stdout).not.toContain("{");
  const started = await followUp!;
  expect(started.stderr).toBe("");
  expect(started.code).toBe(0);
  expect(jsonLines(started.stdout)[0]).toMatchObject({ provider: "dify", action: "enable", jobId: expect.any(String) });
  expect(server.code).toBe(0);
  expect(server.stdout).toMatch(/Fake providers stopped\.\n$/);
});
