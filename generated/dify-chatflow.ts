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
         * Configure Annotation Reply
         * @description Enables or disables the annotation reply feature. The request body is validated before the action runs, so `embedding_provider_name`, `embedding_model_name`, and `score_threshold` are required for both `enable` and `disable`. Executes asynchronously; use [Get Annotation Reply Job Status](/api-reference/annotations/get-annotation-reply-job-status) to track progress.
         */
        post: operations["initialAdvancedAnnotationReplySettings"];
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
         * Get Annotation Reply Job Status
         * @description Retrieves the status of an asynchronous annotation reply configuration job started by [Configure Annotation Reply](/api-reference/annotations/configure-annotation-reply).
         */
        get: operations["getAdvancedInitialAnnotationReplySettingsStatus"];
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
        AnnotationReplyJob: components["schemas"]["InitialAnnotationReplySettingsResponse"];
        AnnotationReplyJobStatus: components["schemas"]["InitialAnnotationReplySettingsStatusResponse"];
        AnnotationReplySettings: components["schemas"]["InitialAnnotationReplySettingsRequest"];
        /** @description Dify's error envelope. `status` repeats the HTTP status; branch on `code`, show `message`. */
        Error: {
            code: string;
            message: string;
            /** @description The body field a 400 `invalid_param` is about, when there is one. */
            params?: string;
            status: number;
        };
        /** @description Settings for the job. Dify requires all three fields, even for `disable`: the body is validated before the action is looked at. A missing field answers 400 `invalid_param` with `params` naming it. */
        InitialAnnotationReplySettingsRequest: {
            /** @description Name of the embedding model to use for annotation matching (e.g., `text-embedding-3-small`). */
            embedding_model_name: string;
            /** @description Name of the embedding model provider (e.g., `openai`, `cohere`). */
            embedding_provider_name: string;
            /**
             * Format: float
             * @description Minimum similarity score for an annotation to be considered a match. Higher values require closer matches.
             */
            score_threshold: number;
        };
        InitialAnnotationReplySettingsResponse: {
            /**
             * Format: uuid
             * @description Asynchronous job ID. Use with [Get Annotation Reply Job Status](/api-reference/annotations/get-annotation-reply-job-status) to track progress.
             */
            job_id: string;
            /** @description Current job status: `waiting` (queued) or `processing` (in progress). `completed` and `error` are returned only by [Get Annotation Reply Job Status](/api-reference/annotations/get-annotation-reply-job-status). */
            job_status: string;
        };
        InitialAnnotationReplySettingsStatusResponse: {
            /** @description Error message describing why the job failed. Empty string when `job_status` is not `error`. */
            error_msg?: string | null;
            /**
             * Format: uuid
             * @description Job ID from the [Configure Annotation Reply](/api-reference/annotations/configure-annotation-reply) call.
             */
            job_id: string;
            /**
             * @description Current job status. `waiting` for queued, `processing` for in progress, `completed` when finished, `error` if failed.
             * @enum {string}
             */
            job_status: "waiting" | "processing" | "completed" | "error";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    initialAdvancedAnnotationReplySettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Action to perform. */
                action: "enable" | "disable";
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AnnotationReplySettings"];
            };
        };
        responses: {
            /** @description Annotation reply settings task initiated. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnnotationReplyJob"];
                };
            };
            /** @description `invalid_param`: the body is not valid. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `unauthorized`: the API key is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `forbidden`: the key can't act here, for an access restriction or a plan limit; only the `message` says which. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `too_many_requests` (too many concurrent requests: back off and retry) or `rate_limit_error` (a plan quota: retrying will not help until it resets). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_server_error`: Dify failed on its side; back off and retry. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAdvancedInitialAnnotationReplySettingsStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Action type, must match the [Configure Annotation Reply](/api-reference/annotations/configure-annotation-reply) call. */
                action: "enable" | "disable";
                /** @description Job ID returned by [Configure Annotation Reply](/api-reference/annotations/configure-annotation-reply). */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successfully retrieved task status. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnnotationReplyJobStatus"];
                };
            };
            /** @description `invalid_param` : The specified job does not exist (or the other action was asked). Dify keeps an ended job's status for 600 s; after that its id answers this too. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `unauthorized`: the API key is missing or not valid. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `forbidden`: the key can't act here, for an access restriction or a plan limit; only the `message` says which. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `too_many_requests` or `rate_limit_error` (see the start operation). */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_server_error`: Dify failed on its side; back off and retry. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
