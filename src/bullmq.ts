/**
 * `jobstatus/bullmq`: watch jobs from a fleet of worker processes on BullMQ and Redis (Node only).
 *
 * A {@link createJobTracker | tracker} puts jobs into Redis from any process; any number of
 * {@link createTrackerWorker | workers} poll them, one poll per BullMQ job run, with the same clients,
 * poll policy and error handling as `wait`, within rate budgets the whole fleet shares. A worker that
 * dies loses no job: BullMQ's stalled-job recovery hands it to another. Needs the optional peer
 * dependencies `bullmq` and `ioredis`.
 *
 * @module jobstatus/bullmq
 */
export { createJobTracker, type JobTracker, type JobTrackerOptions, type TrackOptions } from "./bullmq/tracker.js";
export { createTrackerWorker, type TrackerWorker, type TrackerWorkerOptions } from "./bullmq/worker.js";
export type { PollJobData, Settlement, TrackedPollOptions } from "./bullmq/data.js";
export type { SerializedError, TrackedOutcome } from "./bullmq/outcome.js";
