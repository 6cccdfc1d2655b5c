/**
 * What limits a missed target, for BENCHMARKS.md: the reading of the profiles in words, and the
 * library changes proposed for them. Shown only while the target is missed.
 */
import type { BundleResult } from "./bundle.js";
import type { ManyJobsResult } from "./many-jobs.js";

export function explainOverhead(n: 1 | 2, provider: "comfy" | "deepaffects"): string {
  const common =
    "What limits it: every call of ours runs under a time limit. `call()` (src/core/client.ts) makes an AbortController and a timer per call and passes the signal to openapi-fetch, which puts it in the `Request` it builds; undici then ties that signal to the Request's own with a WeakRef, a FinalizationRegistry entry and an abort listener (`_Request`, `createAbortSignal`, `makeTransferable` below). Bare openapi-fetch builds its Request without one.";
  const da =
    " DeepAffects pays twice: its auth middleware (`apiKeyQuery`, src/providers/deepaffects.ts) rebuilds the finished Request with `new URL()` and `new Request(url, request)` to add `apikey`, and the copy links the signal again.";
  const wire =
    n === 2
      ? " Over the wire the global fetch copies the Request it is given, so a signal inside it is linked once more; raw `fetch(url)` builds one Request and links nothing. Bare openapi-fetch pays for the copy too: its row is the floor for any openapi-fetch client."
      : "";
  return `${common}${provider === "deepaffects" ? da : ""}${wire} Proposed changes: [below](#proposed-library-changes).`;
}

export function explainLoopDelay(result: ManyJobsResult): string {
  const idle = result.idleProcessLoopDelayMs;
  const pre = result.profile?.preempted;
  const preempted = pre
    ? ` In the profiled run below the thread was caught waiting for a core ${pre.count} times for over 5 ms (${(pre.totalMs / 1000).toFixed(1)} s in all, longest ${pre.longestMs.toFixed(0)} ms): each such wait is a loop delay no code change removes.`
    : "";
  return `What limits it: the machine, and the work each request costs. This is a shared 2-core VM (load average ${result.loadAtStart}–${result.machine.load1}): an idle Node process measuring at the same time saw p99 ${idle.p99.toFixed(1)} ms (max ${idle.max.toFixed(1)} ms), and the watcher's process (${result.cpuCores.watcher.toFixed(2)} cores) shares it with the fake server (${result.cpuCores.server.toFixed(2)} cores, at lower priority).${preempted} In the watcher's own long turns (table below) the largest items are garbage collection, undici's FinalizationRegistry callbacks that follow it (\`undici:9751\` is \`requestFinalizer\`, calling \`removeEventListener\`) and the per-request set-up of sections 1 and 2: undici registers every Request that carries a signal, and each of our polls makes two (openapi-fetch's Request with our signal, and fetch's copy). Across ten runs on this machine (2026-11-23) the unchanged library measured p99 24–55 ms with the caps binding and about 20 ms in one run with the caps raised so they never bind; prototypes of changes 1 (half the registrations) and 5 (no herd of turned-away polls) did not move it beyond that spread (change 1: 46–54 ms against 40–47 ms unchanged in the same period; change 5: 20–29 ms against 28–30 ms). Proposed changes: [below](#proposed-library-changes).`;
}

export function explainRates(result: ManyJobsResult): string {
  const capped = result.rates.filter((r) => r.key !== "deepaffects");
  const over = result.rates.filter((r) => !r.pass).map((r) => `${r.key} ${r.maxSliding}`).join(", ");
  const fixed = Math.max(...capped.map((r) => r.maxFixed));
  return `What limits it: the limiter (src/lifecycle/limiter.ts) keeps a sliding window of *grant* times, and by those no window holds more than the cap. But a grant is not yet a request: the send trails it by the rest of the event-loop turn (up to the loop delay above), by a different amount for each request, so a sliding window of *arrival* times can hold more (${over} against ${capped[0]?.cap.requests ?? ""}); in fixed one-second windows arrivals reached at most ${fixed}. Proposed change 4 [below](#proposed-library-changes).`;
}

export function explainBundle(result: BundleResult): string {
  const one = result.rows.find((r) => r.entry === "src/comfy.ts") ?? result.rows[0];
  const inputs = (one?.largestInputs ?? []).map((i) => `\`${i.input}\` ${(i.bytes / 1024).toFixed(1)} kB`).join(", ");
  return `What limits it: a provider entry carries the whole shared lifecycle (watcher, scheduler, limiter, adaptive model, webhook helpers) and every error class whether the app uses them or not, next to openapi-fetch itself (about 6.4 kB minified, some 2.5 kB gzipped, alone half the 5 kB budget). Largest inputs of \`${one?.entry}\` (minified bytes in the output, before gzip): ${inputs}.`;
}

/**
 * The changes proposed for the misses, each with the effect measured on a prototype (a patched copy
 * of src/ outside the work tree, built the same way, interleaved with the unpatched build).
 */
export const PROPOSALS = `## Proposed library changes

Measured on a patched copy of src/ outside the work tree (2026-11-23, this machine), interleaved with the
unpatched build in the same process; the patched copy passes the library's own tests (25 files, fault matrix
306/306).

1. **Hand the signal to fetch, not to openapi-fetch's Request** (\`call()\` in src/core/client.ts, and the
   \`send\` callbacks of src/providers/*.ts). With the global fetch, pass openapi-fetch a per-request \`fetch\`
   option, \`(request) => guarded(request, { signal })\`, and no \`signal\`: fetch links the signal once, where
   today it is linked into openapi-fetch's Request and again into fetch's copy. A caller's own \`fetch\`
   (\`FetchLike\` takes only a Request) keeps getting it inside the Request. Loopback, two runs: Comfy 0.73–0.77×
   → 0.81–0.85× raw fetch; peak heap of the 10,000-job run 181–203 MiB → 150–155 MiB. No change without network (the canned
   fetch is a caller's fetch).
2. **DeepAffects: add the key with the query serializer** (\`createProviderHttp\` in src/core/client.ts gets an
   \`authQuery\` option, src/providers/deepaffects.ts uses it): \`createClient({ querySerializer })\` appends
   \`apikey=\` to the URL it builds, so no Request is rebuilt per call; the middleware stays for redirect hops
   only (\`authorize\`). With 1: no network 0.49× → 0.71× bare openapi-fetch, loopback 0.77–0.89× → 0.93–0.96× raw fetch.
3. **Optional, a contract change: \`FetchLike\` takes \`(request, init?: { signal })\`** and the signal is always
   handed beside the Request. No network, three runs: Comfy 0.65–0.72× → 0.79–0.86×, DeepAffects (with 2)
   0.48–0.49× → 0.84–0.88× bare openapi-fetch.
   A fetch that ignores \`init\` then cannot be cancelled (the wait still ends on time, with a race): with it,
   the fault matrix's own recording fetch, \`(request) => fetch(request)\`, left its hung requests open and
   failed the "response that never comes" cases, so callers' fetches would have to forward \`init\`.
   What is left after 1–3 (about 10–20 µs a call here) is the time limit itself (AbortController, timer) and
   the answer checks; 0.90× without network needs the time limit to cost nothing.
4. **Keep a little slack in the rate limiter** (\`acquire\` in src/lifecycle/limiter.ts): a grant is not yet a
   request; the send trails it by up to one busy turn of the event loop, so at the provider a sliding window
   can hold a few more requests than the budget (up to 5 % above here). Keeping each window
   \`min(250 ms, 5 %)\` longer than the budget's removes that at the cost of the same share of throughput
   (weak evidence so far: in the one prototype run no sliding window passed 375, but the budget bound less
   in that run, at most 349 per fixed window; unchanged runs show 401–421).
5. **Pace the polls a spent budget turns away** (\`poll()\` in src/lifecycle/watcher.ts): today each is
   rescheduled at the moment the window reopens, so thousands wake together, a few get slots and the rest are
   turned away and rescheduled together again, every window, in one synchronous run. Giving them consecutive
   slots per key (\`max(allowedAt, nextSlot)\`, then \`nextSlot += intervalMs / requests\`) wakes each about
   when a slot frees. Prototype: loop p99 20 and 29 ms against 28 and 30 ms unchanged in the same period: too
   close to call on this machine, but it removes O(jobs waiting) work per window.
6. **Cheaper bulk \`add()\`** (src/lifecycle/watcher.ts): adding 10,000 jobs runs 45–210 ms without a break
   (4–20 µs a job: about a third in \`add\` itself, a sixth in \`resolvePollPolicy\`, which validates and
   freezes a policy per job). Caching the resolved policy per (provider, options object) would cut that and
   share one policy object between jobs. Outside the measured window here, but an app adding jobs in bulk
   while others are polled pays it as loop delay.
`;
