/**
 * Generated from openapi/dify-chatflow.yaml by scripts/generate.ts (openapi-typescript).
 * Do not edit: edit openapi/dify-chatflow.yaml and run `npm run generate`.
 */

export interface paths {
    "/apps/annotation-reply/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start an annotation-reply configuration job
         * @description Queues the job that enables or disables annotation reply and returns at once. The answer only ever
         *     carries `waiting` or `processing`; the outcome has to be read from the status endpoint.
         *     Older Dify documentation also listed a 202 answer with the same body.
         */
        post: operations["configureAnnotationReply"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/annotation-reply/{action}/status/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the state of an annotation-reply configuration job
         * @description Dify keeps the job state in a cache entry keyed by action and job id. Asking with the other action,
         *     or for an id the server does not hold, answers 400 `invalid_param` ("The job does not exist.")
         *     rather than 404.
         */
        get: operations["getAnnotationReplyJobStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @enum {string} */
        AnnotationReplyAction: "enable" | "disable";
        /** @description The job that was just queued. */
        AnnotationReplyJob: {
            /**
             * Format: uuid
             * @description Identifier to pass to the status endpoint.
             */
            job_id: string;
            /** @description `waiting` or `processing`; the terminal states only appear on the status endpoint. */
            job_status: string;
        };
        /**
         * @description State of a job. Dify's reference gives the four states in prose only; the enum below makes them
         *     explicit. `error_msg` is an empty string unless the state is `error`; older references marked it
         *     nullable, so null is accepted.
         */
        AnnotationReplyJobStatus: {
            /** @description Why the job failed; empty otherwise. */
            error_msg?: string | null;
            /**
             * Format: uuid
             * @description The job this state belongs to.
             */
            job_id: string;
            /**
             * @description `waiting` (queued), `processing` (running), `completed` (done) or `error` (failed, see `error_msg`).
             * @enum {string}
             */
            job_status: "waiting" | "processing" | "completed" | "error";
        };
        /**
         * @description Settings for the job. Dify requires all three fields, even for `disable`: the body is validated
         *     before the action is looked at. A missing field answers 400 `invalid_param` with `params` naming it.
         */
        AnnotationReplySettings: {
            /** @description Embedding model used to match questions against annotations, for example `text-embedding-3-small`. */
            embedding_model_name: string;
            /** @description Provider of the embedding model, for example `openai`. */
            embedding_provider_name: string;
            /** @description Lowest similarity score at which a stored annotation is used as the reply. */
            score_threshold: number;
        };
        /** @description Dify's error envelope. `status` repeats the HTTP status; branch on `code`, show `message`. */
        Error: {
            /** @description Stable machine-readable error code, for example `invalid_param`. */
            code: string;
            /** @description Human-readable detail. */
            message: string;
            /** @description The body field a 400 `invalid_param` is about, when the server names one. */
            params?: string;
            /** @description The HTTP status code of the response. */
            status: number;
        };
    };
    responses: {
        /** @description `forbidden`: the key can't act here, for an access restriction or a plan limit; only the `message` says which. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `internal_server_error`: Dify failed on its side; retry with backoff. */
        InternalServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /**
         * @description `invalid_param`: the body is not valid, or (on the status endpoint) no job with this id exists for
         *     this action.
         */
        InvalidParam: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /**
         * @description `too_many_requests` (too many requests at once for this app: back off and retry) or
         *     `rate_limit_error` (a Dify Cloud plan quota: retrying does not help until the quota resets).
         */
        TooManyRequests: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `unauthorized`: the API key is missing or not valid. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: {
        /** @description Which way to switch annotation reply; the status call must repeat the action used to start the job. */
        Action: components["schemas"]["AnnotationReplyAction"];
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    configureAnnotationReply: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Which way to switch annotation reply; the status call must repeat the action used to start the job. */
                action: components["parameters"]["Action"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AnnotationReplySettings"];
            };
        };
        responses: {
            /** @description The job was queued. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnnotationReplyJob"];
                };
            };
            400: components["responses"]["InvalidParam"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
    getAnnotationReplyJobStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Which way to switch annotation reply; the status call must repeat the action used to start the job. */
                action: components["parameters"]["Action"];
                /** @description The `job_id` returned when the job was started. */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The current state of the job. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnnotationReplyJobStatus"];
                };
            };
            400: components["responses"]["InvalidParam"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
}
