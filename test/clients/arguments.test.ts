/**
 * Bad client arguments are an InvalidArgumentError before any request: a time limit that is 0,
 * negative, NaN or longer than a timer can wait (as a client option or per call), and an API key that
 * cannot travel in a header (non-ASCII, an emoji, a control character), reported without the key.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ComfyClient } from "../../src/comfy.js";
import { InvalidArgumentError } from "../../src/index.js";
import { startFakeProviders, type FakeProviders } from "../../src/testing.js";
import { APIS, everythingIn, keyOf, makeClient, urlOf } from "../fixtures/apis.js";

let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
});
afterAll(() => fake.close());

const BAD_TIMEOUTS = [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, 1e10];

describe.each(APIS)("%s", (api) => {
  test.each(BAD_TIMEOUTS)("timeoutMs %d is refused at client creation", (timeoutMs) => {
    expect(() => makeClient(api, { apiKey: keyOf(api, fake.keys), baseUrl: urlOf(api, fake.urls), timeoutMs })).toThrow(
      InvalidArgumentError,
    );
    expect(() => makeClient(api, { apiKey: keyOf(api, fake.keys), baseUrl: urlOf(api, fake.urls), timeoutMs })).toThrow(
      /timeoutMs must be/,
    );
  });

  test.each(BAD_TIMEOUTS)("a status call's timeoutMs %d is refused before any request", async (timeoutMs) => {
    const client = makeClient(api, { apiKey: keyOf(api, fake.keys), baseUrl: urlOf(api, fake.urls) });
    const job = fake.createJob(api, { status: "whatever" });
    const before = fake.requests().length;
    const error = await client.provider.status(client.handle(job.id), { timeoutMs }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/timeoutMs must be/);
    expect(fake.requests().length).toBe(before);
  });

  test.each([
    ["an accented letter", "kéy-0123456789abcdef-SECRET"],
    ["an emoji", "key-\u{1F600}-0123456789-SECRET"],
    ["a character beyond Latin-1", "key-\u0100-0123456789-SECRET"],
    ["a line break inside", "key-0123\n456789-SECRET"],
    ["a tab inside", "key-0123\t456789-SECRET"],
    ["DEL", "key-0123\u007f456789-SECRET"],
    ["a NUL", "key-0123\u0000456789-SECRET"],
  ])("an API key with %s is refused at client creation, without quoting it", (_, apiKey) => {
    let error: unknown;
    try {
      makeClient(api, { apiKey, baseUrl: urlOf(api, fake.urls) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/apiKey/);
    const shown = everythingIn(error);
    for (const part of ["SECRET", "0123456789", "456789"]) expect(shown).not.toContain(part);
  });
});

test("a start call's timeoutMs is checked too", async () => {
  const client = makeClient("comfy", { apiKey: fake.keys.comfy, baseUrl: fake.urls.comfy });
  const comfy = client.provider as ComfyClient;
  const before = fake.requests().length;
  const error = await comfy
    .submitWorkflow({ "1": { class_type: "KSampler", inputs: {} } }, {}, { timeoutMs: Number.NaN })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect(fake.requests().length).toBe(before);
});
