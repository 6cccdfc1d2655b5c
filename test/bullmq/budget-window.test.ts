// The fleet's sliding window against a real redis-server: a slot counts from when it is taken until a
// window after its request ended, so a slow request still holds its place when the provider sees it.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFleetBudget } from "../../src/bullmq/budget.js";
import { REDIS_MISSING, startRedis, type TestRedis } from "./fixtures/redis.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Without redis-server the tests skip on a developer's machine and fail under CI (CI=true).
describe.skipIf(REDIS_MISSING)("jobstatus/bullmq: the fleet's rate window", () => {
  let redis: TestRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.connection);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it("a request still in flight past the window keeps its slot until it ends, and a window after", async () => {
    const budget = createFleetBudget(client, "window-test");
    const oneIn300 = [{ requests: 1, intervalMs: 300 }];
    const first = await budget.take("k", oneIn300, 5_000);
    await sleep(400); // the first request is still running: the provider may be seeing it just now
    const whileInFlight = await budget.take("k", oneIn300, 5_000);
    expect(typeof whileInFlight === "number" && whileInFlight > 0).toBe(true);
    expect(typeof first).toBe("function");
    if (typeof first === "function") await first();
    const justAfter = await budget.take("k", oneIn300, 5_000);
    expect(typeof justAfter === "number" && justAfter > 200).toBe(true);
    await sleep(320);
    expect(typeof (await budget.take("k", oneIn300, 5_000))).toBe("function");
  });

  it("a pause turns every take away until it ends, and a shorter pause does not lift a longer one", async () => {
    const budget = createFleetBudget(client, "pause-test");
    await budget.pause("k", 400);
    await budget.pause("k", 50);
    const wait = await budget.take("k", [], 5_000);
    expect(typeof wait === "number" && wait > 300).toBe(true);
    await sleep(wait as number);
    expect(typeof (await budget.take("k", [], 5_000))).toBe("function");
  });
});
