import { describe, expect, test } from "vitest";
import {
  COMFY_STATES,
  createComfyClient,
  createDeepAffectsClient,
  createDifyClient,
  DEEPAFFECTS_STATES,
  DIFY_STATES,
  type JobState,
} from "../../src/index.js";

// The clients never send a request here: normalize is pure.
const dify = createDifyClient({ apiKey: "k" });
const comfy = createComfyClient({ apiKey: "k" });
const deepaffects = createDeepAffectsClient({ apiKey: "k" });

describe("Dify", () => {
  test.each([
    ["waiting", "queued"],
    ["processing", "running"],
    ["completed", "succeeded"],
    ["error", "failed"],
  ] as const)("%s → %s", (raw, state) => {
    expect(DIFY_STATES[raw]).toBe(state);
    expect(dify.normalize(raw)).toBe(state);
  });
});

describe("Comfy Cloud: the documented six and the 17 raw internal states", () => {
  const rows: Array<[string, JobState, boolean]> = [
    ["waiting_to_dispatch", "queued", false],
    ["pending", "queued", false],
    ["in_progress", "running", false],
    ["completed", "succeeded", true],
    ["submitted", "queued", false],
    ["queued_limited", "queued", false],
    ["queued_waiting", "queued", false],
    ["allocated", "queued", false],
    ["preparing", "queued", false],
    ["pending_execution", "queued", false],
    ["executing", "running", false],
    ["executed", "running", false],
    ["success", "succeeded", true],
    ["error", "failed", true],
    ["non_retryable_error", "failed", true],
    ["erroring", "running", false],
    ["lost", "failed", true],
    ["cancelled", "cancelled", true],
    ["cancel_requested", "running", false],
    ["cancel_pending", "running", false],
    ["cancelling_preparing", "running", false],
  ];
  test.each(rows)("%s → %s (terminal: %s)", (raw, state, terminal) => {
    expect(comfy.normalize(raw)).toBe(state);
    expect(["succeeded", "failed", "cancelled"].includes(state)).toBe(terminal);
  });
  test("the table has exactly these rows, and only the documented terminal ones end a job", () => {
    expect(Object.keys(COMFY_STATES).sort()).toEqual(rows.map(([raw]) => raw).sort());
    const terminal = rows
      .filter(([, , t]) => t)
      .map(([raw]) => raw)
      .sort();
    expect(terminal).toEqual(["cancelled", "completed", "error", "lost", "non_retryable_error", "success"]);
  });
});

describe("DeepAffects: case and spacing tolerant", () => {
  test.each([
    ["Completed", "succeeded"],
    ["completed", "succeeded"],
    ["Failed", "failed"],
    ["FAILED", "failed"],
    ["Running", "running"],
    ["running ", "running"],
    ["In Progress", "running"],
    ["in progress", "running"],
    ["IN_PROGRESS", "running"],
    ["in-progress", "running"],
    ["Progressing", "running"],
  ] as const)("%j → %s", (raw, state) => {
    expect(deepaffects.normalize(raw)).toBe(state);
  });
  test("the exported table lists the documented values and the SeerNet spelling", () => {
    expect(DEEPAFFECTS_STATES).toEqual({ Running: "running", "In Progress": "running", Completed: "succeeded", Failed: "failed" });
  });
});

test.each([
  ["Queued?"],
  ["done"],
  [""],
  [null],
  [undefined],
  [42],
  [{ status: "completed" }],
  [["completed"]],
  ["__proto__"],
  ["constructor"],
  ["toString"],
])("anything else is unknown, never an error: %j", (raw) => {
  for (const client of [dify, comfy, deepaffects]) expect(client.normalize(raw)).toBe("unknown");
});
