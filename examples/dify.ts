// Dify annotation reply: enable it on a Chatflow app, wait for the job, read the seed endpoint.
//
//   DIFY_API_KEY=app-... npx tsx examples/dify.ts
//   (DIFY_BASE_URL for self-hosted Dify or the fake server: see examples/README.md)
import { createDifyClient, wait } from "jobstatus/dify";

const dify = createDifyClient({ apiKey: process.env.DIFY_API_KEY!, baseUrl: process.env.DIFY_BASE_URL, app: "chatflow" });

const handle = await dify.configureAnnotationReply("enable", {
  score_threshold: 0.9,
  embedding_provider_name: "openai",
  embedding_model_name: "text-embedding-3-small",
});
console.log(`started job ${handle.jobId}`);

const done = await wait(dify, handle, { timeoutMs: 60_000 });
console.log(`annotation reply: ${done.state}${done.errorMessage ? ` (${done.errorMessage})` : ""}`);

// The same job through the typed seed endpoint: { job_id, job_status, error_msg }.
const body = await dify.getJobStatus("enable", handle.jobId);
console.log(`job_status: ${body.job_status}`);
