/**
 * The fake providers in a process of their own, driven over IPC. Benchmarks run the server here so
 * that its CPU time and garbage do not count as the client's (loop delay, heap, throughput).
 */
import { startFakeProviders } from "../../src/testing.js";
import type { FakeApi, FakeJobInit, FakeProvidersOptions, FaultHandle } from "../../src/testing.js";
import type { ChildCommand, ChildReply } from "./fake-process.js";

const options = JSON.parse(process.argv[2] ?? "{}") as FakeProvidersOptions;
const fake = await startFakeProviders(options);
let refusing: FaultHandle | undefined;

const reply = (message: ChildReply): void => {
  process.send?.(message);
};

process.on("message", (raw) => {
  const command = raw as ChildCommand;
  if (command.type === "create") {
    const at: number[] = [];
    const ids = command.jobs.map((job: { api: FakeApi; init: FakeJobInit }) => {
      at.push(Date.now());
      return fake.createJob(job.api, job.init).id;
    });
    reply({ type: "created", seq: command.seq, ids, at });
  } else if (command.type === "count") {
    reply({ type: "counted", seq: command.seq, requests: fake.requests().length });
  } else if (command.type === "cpu") {
    const used = process.cpuUsage();
    reply({ type: "cpu", seq: command.seq, micros: used.user + used.system });
  } else if (command.type === "stamps") {
    reply({ type: "stamped", seq: command.seq, stamps: arrivalsByKey() });
  } else if (command.type === "log") {
    const requests = fake.requests().map((r) => ({ route: r.route, at: r.at, status: r.status, jobId: r.jobId }));
    reply({ type: "logged", seq: command.seq, requests });
  } else if (command.type === "ws") {
    if (command.action === "refuse") refusing ??= fake.fault({ api: "comfy", route: "ws", status: 503 });
    if (command.action === "accept") {
      refusing?.remove();
      refusing = undefined;
    }
    if (command.action === "drop") fake.comfySockets.drop();
    reply({ type: "ws", seq: command.seq, open: fake.comfySockets.count });
  } else if (command.type === "close") {
    void fake.close().then(() => process.exit(0));
  }
});
process.on("disconnect", () => {
  void fake.close().then(() => process.exit(0));
});

/** Arrival times of every request, grouped by the name of the key it carried (`comfy`, `difyChatflow`, ...). */
function arrivalsByKey(): Record<string, number[]> {
  const names = new Map<string, string>(Object.entries(fake.keys).map(([name, value]) => [value, name]));
  const out: Record<string, number[]> = {};
  for (const r of fake.requests()) {
    const bearer = typeof r.headers.authorization === "string" ? r.headers.authorization.replace(/^Bearer\s+/i, "") : undefined;
    const header = typeof r.headers["x-api-key"] === "string" ? r.headers["x-api-key"] : undefined;
    const name = names.get(bearer ?? header ?? r.query.apikey ?? "") ?? "unknown";
    (out[name] ??= []).push(r.at);
  }
  return out;
}

reply({ type: "ready", origin: fake.origin, urls: fake.urls, keys: fake.keys });
