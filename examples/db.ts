// A stand-in for a database table of renders, one JSON file, so the resume example runs anywhere.
// Any store that keeps JSON (a SQL jsonb column, Redis, a queue message) does the same job.
import { randomUUID } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const FILE = process.env.RENDERS_DB ?? path.join(os.tmpdir(), "jobstatus-example-renders.json");

async function readAll(): Promise<Record<string, Record<string, unknown>>> {
  try {
    return JSON.parse(await readFile(FILE, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}

/** `select * from renders where id = $1` */
export async function selectRow(id: string): Promise<Record<string, unknown> | undefined> {
  return (await readAll())[id];
}

/** `update renders set ... where id = $1`, written whole by write-then-rename, as a crash-safe store would. */
export async function updateRow(id: string, values: Record<string, unknown>): Promise<void> {
  const rows = await readAll();
  rows[id] = { ...rows[id], ...values };
  const temp = `${FILE}.${randomUUID()}.tmp`;
  await writeFile(temp, JSON.stringify(rows, null, 2));
  await rename(temp, FILE);
}
