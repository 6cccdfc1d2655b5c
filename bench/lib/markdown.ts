/** The pieces every section of BENCHMARKS.md is written with. */
import type { Machine } from "./machine.js";

/** One target of one benchmark, met or missed, for the summary table. */
export interface Verdict {
  bench: string;
  target: string;
  figure: string;
  pass: boolean;
}

export const mark = (pass: boolean) => (pass ? "**PASS**" : "**MISS**");
export const int = (n: number) => Math.round(n).toLocaleString("en-US");
export const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`; // 1 kB = 1,000 B, as size-limit counts

export function machineLine(m: Machine): string {
  return `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform}); ${m.date.slice(0, 16).replace("T", " ")} UTC; load average ${m.load1}.`;
}

/** A section whose run failed: its title, its command and the first line of the error, no figures. */
export function failed(title: string, command: string, error: Error): string {
  return `## ${title}\n\n\`${command}\`\n\nThe run failed: \`${error.message.split("\n")[0]}\`. No figures.\n`;
}
