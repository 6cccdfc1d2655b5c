/** Small helpers for the test-kit tests; they use only the public entry. */
import type { FakeProviders } from "../../src/testing.js";

// Bodies in these tests are checked field by field, so a loose type keeps them short.
export type Json = any;

export async function body(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

/** Polls `check` every 10 ms until it is true, failing after `timeoutMs` (on the real clock, so a mocked Date cannot stall it). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    if (await check()) return;
    if (performance.now() > end) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** Request helpers that send each provider's credential the documented way. */
export function clients(fake: FakeProviders) {
  return {
    dify: (path: string, init: RequestInit = {}, app: "chatflow" | "completion" = "chatflow") =>
      fetch(`${app === "chatflow" ? fake.urls.difyChatflow : fake.urls.difyCompletion}${path}`, {
        ...init,
        headers: {
          Authorization: `Bearer ${app === "chatflow" ? fake.keys.difyChatflow : fake.keys.difyCompletion}`,
          "Content-Type": "application/json",
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
    comfy: (path: string, init: RequestInit = {}, key = fake.keys.comfy) =>
      fetch(`${fake.urls.comfy}${path}`, {
        redirect: "manual",
        ...init,
        headers: { "X-API-Key": key, "Content-Type": "application/json", ...(init.headers as Record<string, string> | undefined) },
      }),
    deepaffects: (path: string, init: RequestInit = {}, query: Record<string, string> = {}) => {
      const q = new URLSearchParams({ apikey: fake.keys.deepaffects, ...query });
      const sep = path.includes("?") ? "&" : "?";
      return fetch(`${fake.urls.deepaffects}${path}${sep}${q}`, {
        ...init,
        headers: { "Content-Type": "application/json", ...(init.headers as Record<string, string> | undefined) },
      });
    },
  };
}

export const DA_STATUS = "/transaction/generic/api/v1/async/status";
export const DA_ASR = "/audio/generic/api/v1/async/asr";
