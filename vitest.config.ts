import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  // The examples import the package by name, as users do; here those names mean the sources (the
  // same mapping as tsconfig.json's `paths`, which tsx follows when it runs an example).
  resolve: {
    alias: [
      { find: /^jobstatus$/, replacement: src("index.ts") },
      { find: /^jobstatus\/(dify|comfy|deepaffects|testing|bullmq)$/, replacement: src("$1.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
