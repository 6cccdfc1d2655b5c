/** `jobstatus start`: starts one job and prints its handle, the JSON that `wait` and the library take. */
import { readFile } from "node:fs/promises";
import type { DeepAffectsApi, DeepAffectsBody, JobHandle } from "../../index.js";
import type { Command, StartTarget } from "../args.js";
import { comfyClient, deepAffectsClient, difyClient, type Env } from "../clients.js";
import type { Context } from "../context.js";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { jsonLine, printable, SHOWN } from "../terminal-text.js";
import { sentence } from "../wording.js";

export async function runStart(command: Extract<Command, { kind: "start" }>, { env, out, signal }: Context): Promise<ExitCode> {
  const handle = await start(command.start, command.baseUrl, env, signal);
  if (out.json) {
    out.record(handle);
  } else {
    out.out(jsonLine(handle));
    const flags =
      handle.provider === "dify"
        ? ` --app ${handle.app} --action ${handle.action}`
        : handle.provider === "deepaffects"
          ? ` --api ${handle.api}`
          : "";
    out.err(out.paint.dim(`Started. Wait for it with: jobstatus wait ${handle.provider} ${printable(handle.jobId, SHOWN.id)}${flags}`));
  }
  return EXIT.succeeded;
}

async function start(target: StartTarget, baseUrl: string | undefined, env: Env, signal: AbortSignal): Promise<JobHandle> {
  switch (target.provider) {
    case "comfy": {
      const client = comfyClient(env, baseUrl);
      const file = await readJson(target.workflowFile, "--workflow");
      // Either the workflow itself (node id → {class_type, inputs}) or a whole /api/prompt body.
      if (isObject(file) && isObject(file["prompt"]) && !("class_type" in file["prompt"])) {
        const { prompt, ...extra } = file;
        return client.submitWorkflow(prompt as never, extra, { signal });
      }
      return client.submitWorkflow(file as never, undefined, { signal });
    }
    case "deepaffects": {
      const client = deepAffectsClient(env, baseUrl);
      const body = await readJson(target.bodyFile, "--body");
      if (!isObject(body)) throw new UsageError(`--body ${target.bodyFile} must hold a JSON object (the API's request body).`);
      return client.start(target.api as DeepAffectsApi, body as DeepAffectsBody<DeepAffectsApi>, {
        signal,
        ...(target.webhook !== undefined ? { webhook: target.webhook } : {}),
      });
    }
    case "dify": {
      const client = difyClient(env, target.app, baseUrl);
      return client.configureAnnotationReply(
        target.action,
        {
          score_threshold: target.scoreThreshold,
          embedding_provider_name: target.embeddingProvider,
          embedding_model_name: target.embeddingModel,
        },
        { signal },
      );
    }
  }
}

async function readJson(file: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`${flag} ${file}: cannot read the file${code ? ` (${code})` : ""}.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(sentence(`${flag} ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
