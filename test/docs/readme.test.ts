import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { COMFY_STATES, DEEPAFFECTS_STATES, DIFY_STATES } from "../../src/index.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

test("the README's state tables are the exported ones, row for row", () => {
  const block = readme.split("<!-- state-tables:start -->")[1]?.split("<!-- state-tables:end -->")[0] ?? "";
  const rows = [...block.matchAll(/^\| (Dify|Comfy Cloud|DeepAffects) \| `([^`]+)` \| (\w+) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
  const expected = [
    ...Object.entries(DIFY_STATES).map(([raw, state]) => ["Dify", raw, state]),
    ...Object.entries(COMFY_STATES).map(([raw, state]) => ["Comfy Cloud", raw, state]),
    ...Object.entries(DEEPAFFECTS_STATES).map(([raw, state]) => ["DeepAffects", raw, state]),
  ];
  expect(rows).toEqual(expected);
});

test("the first screen holds the two commands a newcomer needs", () => {
  const firstScreen = readme.split("\n").slice(0, 20).join("\n");
  expect(firstScreen).toContain("npm install && npm start");
  expect(firstScreen).toContain("npm test");
});
