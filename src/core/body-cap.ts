/** The response size cap, counted as fetch hands the body out: decoded. */
import type { ResponseTooLargeError } from "./errors.js";

/**
 * Caps the body at `maxBytes` as fetch hands it out, that is decoded: a gzip, deflate or br body's
 * Content-Length is its compressed size and says nothing of what it inflates to. Only a body fetch
 * does not decode is let through on its declared length alone.
 */
export function capBody(
  response: Response,
  maxBytes: number,
  tooLarge: (problem: string) => ResponseTooLargeError,
  signal: AbortSignal,
): Response {
  const length = response.headers.get("content-length");
  const declared = length === null ? Number.NaN : Number(length);
  if (declared > maxBytes) {
    void response.body?.cancel();
    throw tooLarge(`with a ${declared}-byte body, over the ${maxBytes}-byte cap (maxResponseBytes)`);
  }
  const encoded = response.headers.has("content-encoding");
  if (response.body === null || (Number.isFinite(declared) && !encoded)) return response;
  let seen = 0;
  const onAbort = () => counter.error(signal.reason);
  let counter!: TransformStreamDefaultController<Uint8Array>;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        counter = controller;
        // Node 20's fetch can stall on a body that fails to decode (a 64-78 KB one, not a smaller or a
        // larger one) and then ignores the abort: the time limit ends the read here instead.
        signal.addEventListener("abort", onAbort, { once: true });
      },
      transform(chunk, controller) {
        seen += chunk.byteLength;
        // Erroring the stream cancels the body upstream, which stops the decoder and drops the connection.
        if (seen > maxBytes)
          controller.error(tooLarge(`with a body over the ${maxBytes}-byte cap (maxResponseBytes)${encoded ? " once decoded" : ""}`));
        else controller.enqueue(chunk);
      },
      flush() {
        signal.removeEventListener("abort", onAbort);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}
