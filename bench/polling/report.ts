/** Markdown table, SVG chart and the floor bound for the polling benchmark. */
import type { PolicyResult, PollingBenchResult } from "../polling.js";

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

/**
 * A lower bound, true of every schedule whose polls are at least `minIntervalMs` apart, on the share
 * of jobs (log-uniform in [loMs, hiMs]) found more than `threshold` of their length late. A poll at t
 * finds in time only jobs that ended in [t / (1 + threshold), t], a log-length of ln(1 + threshold);
 * at most k polls fit in [lo, (lo + k·min)), so jobs in [lo, (lo + k·min) / (1 + threshold)) can be
 * covered over a log-length of at most k·ln(1 + threshold) and the rest are late.
 */
export function floorBound(minIntervalMs: number, threshold: number, loMs: number, hiMs: number) {
  const step = Math.log(1 + threshold);
  let best = 0;
  let atMs = loMs;
  for (let k = 1; k < 100_000; k++) {
    const t = (loMs + k * minIntervalMs) / (1 + threshold);
    if (t > hiMs) break;
    const late = Math.log(t / loMs) - k * step;
    if (late > best) {
      best = late;
      atMs = t;
    }
  }
  return { minIntervalMs, threshold, lateShare: best / Math.log(hiMs / loMs), atMs };
}

function table(rows: readonly PolicyResult[]): string {
  const head =
    "| policy | requests/job | lag p50 (s) | lag p95 (s) | lag max (s) | rel. lag p50 | rel. lag p95 | rel. lag max |\n" +
    "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.label} | ${r.requestsPerJob.toFixed(1)} | ${r.lagS.p50.toFixed(2)} | ${r.lagS.p95.toFixed(2)} | ` +
          `${r.lagS.max.toFixed(2)} | ${pct(r.relLag.p50)} | ${pct(r.relLag.p95)} | ${pct(r.relLag.max)} |`,
      )
      .join("\n")
  );
}

export function renderMarkdown(result: PollingBenchResult): string {
  const { config, defaultPolicy: d } = result;
  const sources = result.logUniform.map((r) => `- **${r.label}**: ${r.source}`).join("\n");
  const sensitivity = [result.bimodal, ...result.sensitivity]
    .sort((a, b) => a.sigma - b.sigma)
    .map((b) => {
      const [plain, , matched] = b.policies as [PolicyResult, PolicyResult, PolicyResult];
      return (
        `| ${b.sigma} | ${plain.requestsPerJob.toFixed(1)} / ${pct(plain.relLag.p95)} | ` +
        `${matched.requestsPerJob.toFixed(1)} / ${pct(matched.relLag.p95)} (patience ${matched.patience?.toFixed(3)}) | ${b.ratio.toFixed(2)} |`
      );
    })
    .join("\n");
  return `# Polling efficiency (benchmark 3)

\`npx tsx bench/polling.ts\` (\`npm run bench:polling\`). A virtual clock: no timers, no network, seeded
randomness, so the figures do not depend on the machine. ${config.jobs} jobs, ${config.workload}, seed
${config.seed}; the adaptive model is trained on ${config.jobs} other jobs from the same distribution
(seed ${config.trainSeed}), the way a wait feeds it: each job's last running poll and the poll that saw
it end. Lag is the time from a job's end to the first poll that sees it; relative lag is lag ÷ length.

Default policy: first check ${d.initialDelayMs / 1000} s after the start, then every
max(${d.minIntervalMs / 1000} s, ${d.patience} × elapsed) capped at ${d.maxIntervalMs / 1000} s, each interval shortened by
up to ${pct(d.jitter)} at random.

## ${config.workload}

${table(result.logUniform)}

![requests per job against p95 relative lag](polling.svg)

${sources}

## Bimodal: ${config.bimodal.map((m) => `${pct(m.share)} about ${m.medianMs / 1000} s`).join(", ")} (log-normal, σ ${config.bimodal[0]?.sigma})

${table(result.bimodal.policies)}

Adaptive requests ÷ default requests at the same or lower p95 relative lag: **${result.bimodal.ratio.toFixed(2)}**.
The adaptive rows' worst cases are jobs that ended where the model expected almost none (in the
stretches it crosses in one step): those are found up to one maximum interval late.
The same comparison with other spreads around each mode (requests/job / p95 relative lag):

| σ | default | adaptive, lag matched | ratio |
|---:|---|---|---:|
${sensitivity}

## Targets

${result.targets.map((t) => `- **${t.pass ? "PASS" : "MISS"}** (${t.id}) ${t.text}: ${t.detail}.`).join("\n")}
`;
}

const W = 760;
const H = 460;
const M = { left: 70, right: 190, top: 30, bottom: 55 };

/** Requests per job (log x) against p95 relative lag (linear y), one labelled point per policy. */
export function renderSvg(result: PollingBenchResult): string {
  const rows = result.logUniform;
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...rows.map((r) => r.requestsPerJob)) + 1e-9));
  const yMax = Math.ceil(Math.max(...rows.map((r) => r.relLag.p95)) * 5 + 0.5) / 5;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (v: number): number => M.left + (Math.log10(Math.max(1, v)) / Math.log10(xMax)) * plotW;
  const y = (v: number): number => M.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const parts: string[] = [];
  for (let e = 0; 10 ** e <= xMax; e++) {
    const gx = x(10 ** e).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${M.top}" x2="${gx}" y2="${M.top + plotH}" class="grid"/>`,
      `<text x="${gx}" y="${M.top + plotH + 18}" text-anchor="middle">${10 ** e}</text>`,
    );
  }
  const yStep = yMax <= 2 ? 0.2 : 0.5;
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    const gy = y(v).toFixed(1);
    parts.push(
      `<line x1="${M.left}" y1="${gy}" x2="${M.left + plotW}" y2="${gy}" class="grid"/>`,
      `<text x="${M.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v * 100)} %</text>`,
    );
  }
  const target = y(0.15).toFixed(1);
  parts.push(
    `<line x1="${M.left}" y1="${target}" x2="${M.left + plotW}" y2="${target}" class="target"/>`,
    `<text x="${M.left + plotW + 6}" y="${(y(0.15) + 4).toFixed(1)}" class="note">15 % (target 2)</text>`,
  );
  const placed: Array<{ x: number; y: number }> = [];
  for (const r of [...rows].sort((a, b) => a.relLag.p95 - b.relLag.p95)) {
    const px = x(r.requestsPerJob);
    const py = y(r.relLag.p95);
    let ly = py + 4;
    while (placed.some((p) => Math.abs(p.x - px) < 150 && Math.abs(p.y - ly) < 14)) ly -= 14;
    placed.push({ x: px, y: ly });
    const ours = r.key.startsWith("ours");
    parts.push(
      `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="5" class="${ours ? "ours" : "other"}"/>`,
      `<text x="${(px + 9).toFixed(1)}" y="${ly.toFixed(1)}">${escapeXml(r.label)} (${r.requestsPerJob.toFixed(1)}, ${pct(r.relLag.p95)})</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<style>.grid{stroke:#ddd;stroke-width:1}.ours{fill:#d62728}.other{fill:#1f77b4}text{fill:#222}.target{stroke:#2ca02c;stroke-dasharray:5 4}.note{fill:#2ca02c}</style>
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${M.left}" y="18" font-size="14" font-weight="bold">Polling: requests per job vs p95 relative lag (${escapeXml(result.config.workload)}, ${result.config.jobs} jobs)</text>
${parts.join("\n")}
<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>
<text x="${M.left + plotW / 2}" y="${H - 12}" text-anchor="middle">requests per job (log scale)</text>
<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">p95 of lag ÷ job length</text>
</svg>
`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
