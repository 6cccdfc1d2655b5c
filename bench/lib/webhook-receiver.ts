/** Where the fake DeepAffects posts results in a benchmark: each delivery is handed to `deliver` by its request id. */
import { createServer, type Server } from "node:http";

export async function webhookReceiver(deliver: (requestId: string, payload: unknown) => void): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { request_id?: unknown };
        if (typeof payload.request_id === "string") deliver(payload.request_id, payload);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
