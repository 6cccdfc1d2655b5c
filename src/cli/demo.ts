/**
 * `npm start`: the package's main job in one command. Starts the embedded fake providers, one job on
 * each of the four seed APIs (two with trouble injected), waits on all of them with ONE watcher (the
 * DeepAffects one ends by webhook), then prints a summary and exits 0 when all four succeeded.
 * `npm start -- --real` uses the real provider for each one whose key is set, and says so.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createWatcher, createWebhookHandler, JobStatusError, RateLimitError, toNodeListener } from "../index.js";
import { startFakeProviders } from "../testing.js";
import { secretsOf } from "./clients.js";
import { chooseReal, DEMO_SCRIPTS, startJobs, type DemoJob } from "./demo-jobs.js";
import { demoWebSocket } from "./demo-socket.js";
import { DemoView, summaryLines } from "./demo-view.js";
import { EXIT, exitCodeForSignal, type StopSignal } from "./exit-codes.js";
import { isInteractive, paletteFor, seconds, shortId } from "./output.js";

const USAGE = `Usage: npm start [-- --real]

Runs four jobs (Dify Chatflow and Completion annotation reply, a Comfy Cloud workflow, a DeepAffects
ASR job with a webhook) on embedded fake providers and waits on all of them with one watcher.
  --real   use the real provider for each of DIFY_API_KEY, COMFY_API_KEY, DEEPAFFECTS_API_KEY that is set
           (with DIFY_BASE_URL, COMFY_BASE_URL, DEEPAFFECTS_BASE_URL; DeepAffects also needs
           DEEPAFFECTS_AUDIO_URL). This starts real jobs, which may cost credits.`;

async function main(argv: string[]): Promise<number> {
  let args: { real: boolean; help: boolean };
  try {
    const { values } = parseArgs({
      args: argv,
      options: { real: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    });
    args = { real: values.real === true, help: values.help === true };
  } catch (error) {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.succeeded;
  }

  const env = process.env;
  const secrets = secretsOf(env);
  const write = (line: string) => {
    let text = line;
    for (const secret of secrets) text = text.split(secret).join("[REDACTED]");
    process.stdout.write(`${text}\n`);
  };
  const paint = paletteFor(process.stdout, env);
  const real = chooseReal(args.real, env);
  const anyReal = real.dify || real.comfy || real.deepaffects;

  write(paint.bold("jobstatus demo: four jobs on four APIs, one watcher"));
  write(
    anyReal
      ? "Real providers are used where noted below; the rest run on the embedded fakes."
      : "Embedded fake providers on 127.0.0.1: no real provider is called, no key is needed.",
  );
  for (const note of real.notes) write(`  ${note}`);
  const socket = await demoWebSocket();
  write(paint.dim(socket.note));

  const fake = await startFakeProviders({ defaultScripts: DEMO_SCRIPTS });
  const watcher = createWatcher();
  const token = randomBytes(24).toString("hex");
  const receiver = createServer(toNodeListener(createWebhookHandler({ watcher, token })));
  const port = await listen(receiver);
  const webhookUrl = `http://127.0.0.1:${port}/webhooks/deepaffects?token=${token}`;
  const startedAt = Date.now();
  const cleanup = async () => {
    watcher.close();
    receiver.closeAllConnections();
    await Promise.all([new Promise<void>((resolve) => receiver.close(() => resolve())), fake.close()]);
  };

  let jobs: DemoJob[];
  try {
    jobs = await startJobs({ fake, env, real, webhookUrl, webSocket: socket.webSocket });
  } catch (error) {
    write(paint.red(`Could not start the jobs: ${error instanceof Error ? error.message : String(error)}`));
    await cleanup();
    return EXIT.other;
  }
  write(`Webhook receiver on http://127.0.0.1:${port}/webhooks/deepaffects (token-protected). Started:`);
  for (const job of jobs)
    write(
      `  ${job.label.padEnd(16)} ${job.handle.jobId}${job.trouble.length ? paint.dim(`  trouble: ${job.trouble.map((t) => t.what).join("; ")}`) : ""}`,
    );
  write("");

  const interactive = isInteractive(process.stdout, env);
  const view = new DemoView(write, paint, interactive, process.stdout, startedAt);
  const byKey = new Map(jobs.map((job) => [`${job.handle.provider}:${job.handle.jobId}`, job]));
  watcher.on("update", (snapshot) => {
    const job = byKey.get(`${snapshot.handle.provider}:${snapshot.handle.jobId}`);
    if (!job) return;
    job.last = snapshot;
    view.changed(job);
  });

  const settled = jobs.map((job) =>
    watcher
      .add(job.provider, job.handle, {
        ...job.waitOptions,
        onProgress(state) {
          job.nextPollAt = Date.parse(state.nextPollAt);
          if (job.stats.errors.length > job.toldErrors) {
            job.toldErrors = job.stats.errors.length;
            view.trouble(job, describe(job.stats.lastError), job.nextPollAt - Date.now());
          }
        },
      })
      .result.then(
        (snapshot) => void (job.result = snapshot),
        (error: unknown) => void (job.error = error),
      ),
  );

  let interrupted: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    interrupted = signal;
    view.stop();
    watcher.close();
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.once("SIGINT", onInt);
  process.once("SIGTERM", onTerm);
  view.start(jobs);
  try {
    await Promise.all(settled);
  } finally {
    view.stop();
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
  for (const line of summaryLines(jobs, fake, paint, Date.now() - startedAt, interactive ? process.stdout.columns : undefined)) write(line);
  const deliveries = fake.webhookDeliveries();
  if (deliveries.length > 0)
    write(
      paint.dim(
        `Webhook deliveries the fake DeepAffects made: ${deliveries.map((d) => `${shortId(d.requestId)} → ${d.status ?? d.error}`).join(", ")}.`,
      ),
    );
  await cleanup();
  if (interrupted) {
    write("Interrupted.");
    return exitCodeForSignal(interrupted);
  }
  return jobs.every((job) => job.result?.state === "succeeded") ? EXIT.succeeded : EXIT.jobFailed;
}

function describe(error: unknown): string {
  if (error instanceof RateLimitError) {
    return `429 rate limited${error.retryAfterMs === undefined ? "" : `, Retry-After ${seconds(error.retryAfterMs)}`}`;
  }
  if (error instanceof JobStatusError) return `${error.status ?? ""} ${error.name}`.trim();
  return error instanceof Error ? error.name : String(error);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write("", () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT.other);
  },
);
