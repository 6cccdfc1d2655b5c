/**
 * What limits a missed target, for BENCHMARKS.md: the reading of the profiles in words, and the
 * library changes proposed for them. Shown only while the target is missed.
 */
import type { BundleResult } from "./bundle.js";
import type { ManyJobsResult } from "./many-jobs.js";

export function explainOverhead(n: 1 | 2, provider: "comfy" | "deepaffects"): string {
  const limit =
    "What limits it: every call of ours runs under a time limit, which bare openapi-fetch does not have: `call()` (src/core/client.ts) makes an AbortController and a timer per call, and undici ties the signal to the Request with a WeakRef, a FinalizationRegistry entry and an abort listener (`createAbortSignal`, `_Request` below). Then come the answer checks: the size cap, the error mapping, the state table.";
  const where =
    n === 1
      ? " This benchmark hands the client a fetch of the caller's own (the canned answer), and a caller's `FetchLike` takes only a Request, so the signal rides inside openapi-fetch's Request; with the global fetch it is handed beside it, linked once (section 2). Removing the time limit altogether took Comfy from 0.65× to 0.81× in a trial: 0.90× needs the time limit to cost nothing."
      : " Over the wire the global fetch copies the Request openapi-fetch built; raw `fetch(url)` builds one and links nothing. Bare openapi-fetch pays for the copy too, so its row is the floor for any openapi-fetch client, and the target lies above it.";
  const da =
    provider === "deepaffects"
      ? " DeepAffects' key goes into the URL through openapi-fetch's query serializer: no Request is rebuilt for it."
      : "";
  return `${limit}${where}${da} See [changes made and proposed](#changes-made-and-proposed).`;
}

export function explainLoopDelay(result: ManyJobsResult): string {
  const idle = result.idleProcessLoopDelayMs;
  const pre = result.profile?.preempted;
  const preempted = pre
    ? ` In the profiled run below the thread was caught waiting for a core ${pre.count} times for over 5 ms (${(pre.totalMs / 1000).toFixed(1)} s in all, longest ${pre.longestMs.toFixed(0)} ms): each such wait is a loop delay no code change removes.`
    : "";
  return `What limits it: the machine, and the work each request costs. This is a shared 2-core VM (load average ${result.loadAtStart}–${result.machine.load1}): an idle Node process measuring at the same time saw p99 ${idle.p99.toFixed(1)} ms (max ${idle.max.toFixed(1)} ms), and the watcher's process (${result.cpuCores.watcher.toFixed(2)} cores) shares it with the fake server (${result.cpuCores.server.toFixed(2)} cores, at lower priority).${preempted} In the watcher's own long turns (table below) the largest items are garbage collection, undici's FinalizationRegistry callbacks that follow it (\`requestFinalizer\`, calling \`removeEventListener\`) and the per-request set-up of sections 1 and 2. The figure moves between runs on this machine by more than any change measured so far. See [changes made and proposed](#changes-made-and-proposed).`;
}

export function explainRates(result: ManyJobsResult): string {
  const over = result.rates
    .filter((r) => !r.pass)
    .map((r) => `${r.key} ${r.maxSliding}/${r.cap.requests}`)
    .join(", ");
  return `This is a bug to chase, not a limit of the machine (${over}): the limiter (src/lifecycle/limiter.ts) counts each slot from its request's end, so two requests that share a slot arrive at least a window apart whatever the delay between grant and send (test/lifecycle/limiter.test.ts proves it at a server with varying send delays).`;
}

export function explainBundle(result: BundleResult): string {
  const one = result.rows.find((r) => r.entry === "createComfyClient + status") ?? result.rows[0];
  const inputs = (one?.largestInputs ?? []).map((i) => `\`${i.input}\` ${(i.bytes / 1000).toFixed(1)} kB`).join(", ");
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;
  const f = result.floors;
  const floors = f
    ? ` Floors, measured the same way: openapi-fetch alone with an auth middleware and one GET is ${kb(f.openapiFetch)}. The shared request core every call runs through (\`createProviderHttp\` and one GET, no provider: time limit, size cap counted as decoded, redirects that keep the key home, redaction of every spelling of the key, typed errors, argument checks, retries, logging) is ${kb(f.core)}; ${kb(f.coreOwn)} without openapi-fetch; ${kb(f.coreOwnCode)} without openapi-fetch and with every message's text emptied. \`wait\` imported alone, without any client, is ${kb(f.waitAlone)}.`
    : "";
  return `What limits it: the hardening every call needs, before any shape. The modules are tree-shaken (\`"sideEffects": false\`, nothing runs at module load).${floors} So the 5 kB status target is below the request core itself, even with openapi-fetch gone and no message left: no rewording, splitting or new public shape reaches it, only moving checks that the package's standards require (the size cap, the redirect guard, redaction, typed errors) out of the default path, or new targets. Changes of shape would still cut: an app calling \`status\` carries its whole client (a client is one object with every method and every error reading of its provider), and \`wait\` is a one-job watcher, so the scheduler, the limiter, the adaptive model a saved wait may resume, early webhook deliveries and the results queue come with it. Lazy loading does not help: with esbuild's code splitting, counting only the chunks an app loads at start, moving Dify's \`configureAnnotationReply\` to a chunk loaded on first call made status-only 10,917 B instead of 10,615 (the moved code shares errors and checks with \`status\`, which become a second startup chunk), and deleting the rare methods and the shared error readings outright still leaves status-only at 9.7–10.3 kB. npm test enforces ceilings a little above today's sizes (test/package/bundle.test.ts), so that growth is a decision. Largest inputs of \`${one?.entry}\` (minified bytes in the output, before gzip): ${inputs}.`;
}

/** What was changed after these measurements, and what is proposed and why it waits. */
export const PROPOSALS = `## Changes made and proposed

Made (2026-12-01), each measured before and after on this machine:

1. **The time limit's signal goes to fetch beside the Request, not into openapi-fetch's Request**
   (\`call()\` in src/core/client.ts), when the client uses the global fetch: undici links it once where it
   linked it twice. A caller's own \`fetch\` (\`FetchLike\` takes only a Request) still finds it in the Request,
   so it can still be cancelled. Loopback, Comfy: 0.74–0.85× → 0.87–0.93× bare openapi-fetch.
2. **DeepAffects' key is written by openapi-fetch's query serializer** (\`authQuery\` in src/core/client.ts):
   no \`new URL()\` and \`new Request()\` per call to add it; the auth middleware runs only for a redirect hop
   back home and for a direct \`api\` call with a serializer of its own. No network: 0.49–0.51× → 0.67–0.68×
   bare openapi-fetch.
3. **A rate-budget slot counts from its request's end, not its grant** (src/lifecycle/limiter.ts). A send
   trails its grant by a varying delay (tens of ms on a busy loop), so counted from grants a second at the
   provider held up to 432 requests for a 400 budget here, and the soak's up to 161 for 150. Counted from
   answers, two requests that share a slot arrive at least a window apart, by construction: 400/400 here,
   150/150 in the soak.
4. **Asks a spent budget turns away are handed the times their slots free, in turn** (the same file),
   instead of all waking when the window reopens to be turned away again; a minute budget that frees in a
   burst serves its waiters together.
5. **One turn of the scheduler starts due polls for at most 5 ms, then lets I/O in** (src/lifecycle/scheduler.ts):
   thousands of polls come due together, and each builds and sends a request. Loop p99 in section 4, four
   runs interleaved on this machine: 14.6 and 13.4 ms with it, 35.8 and 26.1 ms without it.

Proposed, not made:

- **\`FetchLike\` takes \`(request, init?: { signal })\`**, the signal always handed beside the Request. No
  network it measured 0.79–0.86× (Comfy) against 0.65–0.72×. It is a contract change with a cost: a fetch
  that ignores \`init\` can no longer be cancelled (the fault matrix's own recording fetch left its hung
  requests open), so every caller's fetch would have to forward it.
- **Cheaper bulk \`add()\`** (src/lifecycle/watcher.ts): adding 10,000 jobs runs 95–170 ms without a break,
  a sixth of it in \`resolvePollPolicy\`, which validates and freezes a policy per job. Caching the resolved
  policy per (provider, options object) would cut that. Outside the measured window here, but an app adding
  jobs in bulk while others are polled pays it as loop delay.
`;
