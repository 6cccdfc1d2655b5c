// A stand-in for a database table of renders, one JSON file, so the resume example runs anywhere.
// Any store that keeps JSON (a SQL jsonb column, Redis, a queue message) does the same job.
import { randomUUID } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ComfyJobHandle, WaitState } from "jobstatus/comfy";

/** One row of the renders table: everything a wait needs is plain JSON. */
export interface RenderRow {
  handle: ComfyJobHandle;
  /** ISO 8601: a resumed wait keeps the deadline of the first. */
  deadline: string;
  /** The wait's saved state after its latest poll; null until the first poll. */
  wait: WaitState<ComfyJobHandle> | null;
}

const FILE = process.env.RENDERS_DB ?? path.join(os.tmpdir(), "jobstatus-example-renders.json");

async function readAll(): Promise<Record<string, RenderRow>> {
  try {
    return JSON.parse(await readFile(FILE, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}

/** `select * from renders where id = $1` */
export async function selectRender(id: string): Promise<RenderRow | undefined> {
  return (await readAll())[id];
}

/** `insert ... on conflict update`: the row is written whole, by write-then-rename, as a crash-safe store would. */
export async function saveRender(id: string, values: Partial<RenderRow>): Promise<void> {
  const rows = await readAll();
  rows[id] = { wait: null, ...rows[id], ...values } as RenderRow;
  const temp = `${FILE}.${randomUUID()}.tmp`;
  await writeFile(temp, JSON.stringify(rows, null, 2));
  await rename(temp, FILE);
}
