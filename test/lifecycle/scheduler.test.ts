import { expect, test } from "vitest";
import { createScheduler } from "../../src/lifecycle/scheduler.js";

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test("runs tasks in order of their times, once each; a cancelled one never", async () => {
  const scheduler = createScheduler();
  const ran: string[] = [];
  const now = Date.now();
  scheduler.at(now + 30, () => ran.push("c"));
  scheduler.at(now + 10, () => ran.push("a"));
  const cancel = scheduler.at(now + 20, () => ran.push("cancelled"));
  scheduler.at(now + 20, () => ran.push("b"));
  cancel();
  expect(scheduler.size).toBe(3);
  await new Promise((r) => setTimeout(r, 80));
  expect(ran).toEqual(["a", "b", "c"]);
  expect(scheduler.size).toBe(0);
});

test("many tasks due at once are run in slices, with I/O let in between, and all of them run", async () => {
  const scheduler = createScheduler();
  const due = Date.now();
  let ran = 0;
  for (let i = 0; i < 1_000; i++) scheduler.at(due, () => (busy(0.1), ran++));
  // Ready when the timer fires; runs in the first check phase after a turn of the timer ends.
  let ranBeforeIo = -1;
  const io = new Promise<void>((resolve) => {
    const tick = () => (ran > 0 ? ((ranBeforeIo = ran), resolve()) : setImmediate(tick));
    setImmediate(tick);
  });
  await io;
  // 1,000 tasks of 0.1 ms are 100 ms of work: a single turn would have run them all first.
  expect(ranBeforeIo).toBeGreaterThan(0);
  expect(ranBeforeIo).toBeLessThan(1_000);
  for (let i = 0; i < 100 && ran < 1_000; i++) await new Promise((r) => setTimeout(r, 10));
  expect(ran).toBe(1_000);
  expect(scheduler.size).toBe(0);
});

test("close() drops every task and leaves no timer", async () => {
  const scheduler = createScheduler();
  let ran = 0;
  for (let i = 0; i < 10; i++) scheduler.at(Date.now() + 5, () => ran++);
  scheduler.close();
  await new Promise((r) => setTimeout(r, 30));
  expect(ran).toBe(0);
  expect(scheduler.size).toBe(0);
});

test("a task further out than setTimeout can count (2^31 - 1 ms), or at Infinity, waits quietly: no overflow warning, no busy timer", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => void warnings.push(w.name);
  process.on("warning", onWarning);
  const scheduler = createScheduler();
  let ran = 0;
  try {
    scheduler.at(Date.now() + 2 ** 31 + 60_000, () => ran++);
    scheduler.at(Infinity, () => ran++);
    const cpu = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 200));
    const { user, system } = process.cpuUsage(cpu);
    expect(warnings).toEqual([]);
    expect(ran).toBe(0);
    expect(scheduler.size).toBe(2);
    // A timer re-armed every millisecond costs far more than this in 200 ms.
    expect((user + system) / 1_000).toBeLessThan(60);
  } finally {
    scheduler.close();
    process.off("warning", onWarning);
  }
});

test("a task at NaN runs once, at once, and breaks no order", async () => {
  const scheduler = createScheduler();
  const ran: string[] = [];
  scheduler.at(Date.now() + 20, () => ran.push("later"));
  scheduler.at(Number.NaN, () => ran.push("nan"));
  scheduler.at(Date.now() + 10, () => ran.push("sooner"));
  await new Promise((r) => setTimeout(r, 60));
  expect(ran).toEqual(["nan", "sooner", "later"]);
  expect(scheduler.size).toBe(0);
});
