/** Seeded randomness and the job-length workloads of the polling benchmark. */

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG, good enough for simulations. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent stream from a seed and labels, so each (policy, job) has its own jitter. */
export function mix(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** Job lengths in ms, log-uniform between loMs and hiMs. */
export function logUniform(count: number, seed: number, loMs = 2_000, hiMs = 1_800_000): number[] {
  const random = prng(seed);
  const span = Math.log(hiMs / loMs);
  return Array.from({ length: count }, () => loMs * Math.exp(random() * span));
}

/** Standard normal by Box-Muller. */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export interface Mode {
  share: number;
  medianMs: number;
  /** Spread of the log of the length. */
  sigma: number;
}

/** 80 % of jobs about 10 s, 20 % about 10 min, each log-normal with a small spread. */
export const BIMODAL: readonly Mode[] = [
  { share: 0.8, medianMs: 10_000, sigma: 0.2 },
  { share: 0.2, medianMs: 600_000, sigma: 0.2 },
];

export function mixture(count: number, seed: number, modes: readonly Mode[] = BIMODAL): number[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    let pick = random();
    let mode = modes[modes.length - 1] as Mode;
    for (const m of modes) {
      if (pick < m.share) {
        mode = m;
        break;
      }
      pick -= m.share;
    }
    return mode.medianMs * Math.exp(mode.sigma * normal(random));
  });
}
