// The README is read on npmjs.com and as the TypeDoc site's landing page, where the repository's
// other files are not: a relative link there leads nowhere.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const outsideCode = readme.replace(/^```[\s\S]*?^```$/gm, "");
const links = [...outsideCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes. */
const anchors = new Set(
  [...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
    m[1]!
      .toLowerCase()
      .replace(/[^\w\- ]/g, "")
      .replace(/ /g, "-"),
  ),
);

test("every README link is absolute or an anchor of the README itself", () => {
  expect(links.length).toBeGreaterThan(10);
  expect(links.filter((link) => !/^https:\/\//.test(link) && !link.startsWith("#"))).toEqual([]);
});

test("every in-page anchor names a heading", () => {
  expect(links.filter((link) => link.startsWith("#") && !anchors.has(link.slice(1)))).toEqual([]);
});
