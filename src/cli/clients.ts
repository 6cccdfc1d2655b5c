/**
 * Provider clients from the environment: the key only ever comes from *_API_KEY, the base URL from
 * --base-url or *_BASE_URL. Also the one list of key values the output layer masks as a last guard.
 */
import {
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  type ComfyClient,
  type DeepAffectsClient,
  type DifyClient,
  type JobHandle,
  type JobProvider,
  type WebSocketClass,
} from "../index.js";
import type { JobTarget, ProviderArg } from "./args.js";
import { MissingKeyError } from "./exit-codes.js";

export type Env = Record<string, string | undefined>;

export const ENV_NAMES: Record<ProviderArg, { key: string; baseUrl: string }> = {
  dify: { key: "DIFY_API_KEY", baseUrl: "DIFY_BASE_URL" },
  comfy: { key: "COMFY_API_KEY", baseUrl: "COMFY_BASE_URL" },
  deepaffects: { key: "DEEPAFFECTS_API_KEY", baseUrl: "DEEPAFFECTS_BASE_URL" },
};

/** Every key value set in the environment, for the output layer to mask. */
export function secretsOf(env: Env): string[] {
  return Object.values(ENV_NAMES)
    .map(({ key }) => env[key])
    .filter((v): v is string => typeof v === "string" && v.trim().length > 0);
}

function settings(provider: ProviderArg, env: Env, baseUrlFlag: string | undefined) {
  const names = ENV_NAMES[provider];
  const apiKey = env[names.key];
  if (apiKey === undefined || apiKey.trim() === "") {
    throw new MissingKeyError(`${names.key} is not set: export your ${provider} API key as ${names.key} (see jobstatus --help).`);
  }
  const baseUrl = baseUrlFlag ?? (env[names.baseUrl] || undefined);
  return { apiKey, ...(baseUrl ? { baseUrl } : {}) };
}

export function difyClient(env: Env, app: "chatflow" | "completion", baseUrl: string | undefined): DifyClient<"chatflow" | "completion"> {
  return createDifyClient<"chatflow" | "completion">({ ...settings("dify", env, baseUrl), app });
}

export function comfyClient(env: Env, baseUrl: string | undefined, webSocket?: WebSocketClass | false): ComfyClient {
  return createComfyClient({ ...settings("comfy", env, baseUrl), ...(webSocket !== undefined ? { webSocket } : {}) });
}

export function deepAffectsClient(env: Env, baseUrl: string | undefined): DeepAffectsClient {
  return createDeepAffectsClient(settings("deepaffects", env, baseUrl));
}

/** The client and a handle for a job named on the command line. */
export function jobOf(target: JobTarget, env: Env, socket = true): { client: JobProvider<any, any>; handle: JobHandle } {
  // The CLI does not know when the job started: "now" makes the poll schedule start fast and grow.
  const startedAt = new Date().toISOString();
  const { jobId } = target;
  switch (target.provider) {
    case "dify": {
      const client = difyClient(env, target.app, target.baseUrl);
      return { client, handle: client.checkHandle({ provider: "dify", app: target.app, action: target.action, jobId, startedAt }) };
    }
    case "comfy": {
      const client = comfyClient(env, target.baseUrl, socket ? undefined : false);
      return { client, handle: client.checkHandle({ provider: "comfy", jobId, startedAt }) };
    }
    case "deepaffects": {
      const client = deepAffectsClient(env, target.baseUrl);
      return { client, handle: client.checkHandle({ provider: "deepaffects", api: target.api, jobId, startedAt }) };
    }
  }
}
