/**
 * Generated from openapi/comfy-cloud.yaml by scripts/generate.ts (openapi-typescript).
 * Do not edit: edit openapi/comfy-cloud.yaml and run `npm run generate`.
 */

export interface paths {
    "/api/interrupt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Interrupt every running job of the caller
         * @description Cancels ALL of the authenticated user's running jobs, not one: Comfy offers no way to stop a single
         *     running job. Pending jobs are untouched (cancel those with `POST /api/queue`).
         */
        post: operations["interruptJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/job/{job_id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Poll the raw state of a job
         * @description The lightweight polling endpoint. It returns the job's raw internal state (see JobStatusResponse),
         *     not the five user-facing states of `GET /api/jobs/{job_id}`, and no outputs. A successful job
         *     reads `success` here and `completed` there.
         */
        get: operations["getJobStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a job's full record, with outputs once it has finished */
        get: operations["getJobDetail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/prompt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a workflow; the answer's prompt_id is the job id */
        post: operations["executePrompt"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel pending jobs by id, or clear every pending job
         * @description Only affects jobs that have not started: the answer's `deleted` lists the ids that were cancelled,
         *     and an id it does not list was not (it is running, already over, or unknown). Running jobs are
         *     stopped with `POST /api/interrupt`, which interrupts all of the caller's running jobs.
         */
        post: operations["manageQueue"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/view": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download an output file (redirects to signed storage)
         * @description Without `channel` the server answers 302 with a `Location` pointing at a signed URL in cloud storage.
         *     That URL carries its own authorisation: fetch it without `X-API-Key`. Do not let an HTTP client
         *     follow the redirect with the key attached: on a cross-origin redirect fetch drops only standard
         *     credentials such as `Authorization` and would resend `X-API-Key` to the storage host. Use
         *     `redirect: "manual"`, read `Location` and make a fresh request without the key.
         */
        get: operations["viewFile"];
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
        ErrorResponse: {
            code: string;
            message: string;
        };
        /** @description The node failure behind a failed job, when ComfyUI reported one. */
        ExecutionError: {
            current_inputs: {
                [key: string]: unknown;
            };
            current_outputs: {
                [key: string]: unknown;
            };
            exception_message: string;
            exception_type: string;
            node_id: string;
            node_type: string;
            traceback: string[];
        };
        /** @description A job's full record. Output fields appear only once the job is in a terminal state. */
        JobDetailResponse: {
            /**
             * Format: int64
             * @description Creation time, Unix seconds.
             */
            create_time: number;
            execution_error?: components["schemas"]["ExecutionError"];
            execution_meta?: {
                [key: string]: unknown;
            };
            execution_status?: {
                [key: string]: unknown;
            };
            /** Format: uuid */
            id: string;
            /** @description ComfyUI's outputs keyed by node id; file entries are fetched with `GET /api/view`. */
            outputs?: {
                [key: string]: unknown;
            };
            outputs_count?: number;
            preview_output?: {
                [key: string]: unknown;
            };
            /**
             * @description The user-facing state, grouped from the raw states of the polling endpoint.
             * @enum {string}
             */
            status: "pending" | "in_progress" | "completed" | "failed" | "cancelled";
            /**
             * Format: int64
             * @description Last update time, Unix seconds.
             */
            update_time: number;
            /** @description The submitted workflow (can be large; omitted when unavailable). */
            workflow?: {
                [key: string]: unknown;
            };
            workflow_id?: string;
        };
        /** @description State of a job as returned by the polling endpoint. */
        JobStatusResponse: {
            /** @description The inference worker running the job, if any. */
            assigned_inference?: string | null;
            /** Format: date-time */
            created_at?: string;
            /** @description Why the job failed, if it did. */
            error_message?: string | null;
            /**
             * Format: uuid
             * @description The job id.
             */
            id?: string;
            /**
             * Format: date-time
             * @description When `status` last changed.
             */
            last_state_update?: string;
            /**
             * @description Raw states, pending: submitted, queued_limited, queued_waiting, allocated, preparing,
             *     pending_execution. Running: executing, executed. Terminal: success, error, non_retryable_error,
             *     lost, cancelled. Cancellation in flight: cancel_requested, cancel_pending, cancelling_preparing;
             *     erroring is a failure in flight. The six values of Comfy's file are kept so a server that
             *     one day maps states as documented still validates.
             * @enum {string}
             */
            status: "waiting_to_dispatch" | "pending" | "in_progress" | "completed" | "error" | "cancelled" | "submitted" | "queued_limited" | "queued_waiting" | "allocated" | "preparing" | "pending_execution" | "executing" | "executed" | "success" | "non_retryable_error" | "erroring" | "lost" | "cancel_requested" | "cancel_pending" | "cancelling_preparing";
            /** Format: date-time */
            updated_at?: string;
        };
        PromptError: {
            details?: string;
            extra_info?: {
                [key: string]: unknown;
            };
            message?: string;
            /** @description Machine-readable reason, such as `prompt_outputs_failed_validation` or `invalid_prompt`. */
            type?: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @description Why a workflow was refused: `error` (an object with `type` and `message`, or a plain string when the
         *     body had no prompt) and `node_errors`, the problems per node id.
         */
        PromptErrorResponse: {
            error?: string | components["schemas"]["PromptError"];
            node_errors?: {
                [key: string]: components["schemas"]["PromptNodeError"];
            } | unknown[];
        } & {
            [key: string]: unknown;
        };
        PromptNodeError: {
            class_type?: string;
            dependent_outputs?: string[];
            errors?: components["schemas"]["PromptError"][];
        } & {
            [key: string]: unknown;
        };
        PromptRequest: {
            /** @description Extra data stored with the job; workflows with partner nodes put a Comfy API key here. */
            extra_data?: {
                [key: string]: unknown;
            };
            /** @description Put the job first in local ComfyUI's queue; accepted and ignored by Cloud. */
            front?: boolean;
            /** @description Queue priority in local ComfyUI; accepted and ignored by Cloud, which schedules fairly per user. */
            number?: number;
            /** @description Run only the listed output nodes. */
            partial_execution_targets?: string[];
            /** @description The workflow graph in ComfyUI's API format (node id to node). */
            prompt: {
                [key: string]: unknown;
            };
        };
        PromptResponse: {
            /** @description Problems found in individual nodes, keyed by node id. */
            node_errors?: {
                [key: string]: unknown;
            };
            /** @description Position number in the queue. */
            number?: number;
            /**
             * Format: uuid
             * @description The new job's id.
             */
            prompt_id?: string;
        };
        QueueManageRequest: {
            /** @description When true, cancel every pending job of the caller. */
            clear?: boolean;
            /** @description Ids of pending jobs to cancel. */
            delete?: string[];
        };
        QueueManageResponse: {
            /** @description Whether the pending queue was cleared. */
            cleared?: boolean;
            /** @description Ids that were cancelled. */
            deleted?: string[];
        };
    };
    responses: {
        /** @description The request parameters are not valid. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description Comfy Cloud failed on its side. */
        InternalError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description No job with this id. */
        JobNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The job exists but belongs to another user. */
        OtherUsersJob: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
        /** @description The workflow was refused (400 invalid, 402 insufficient credits, 500/503 server trouble). */
        PromptError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["PromptErrorResponse"];
            };
        };
        /**
         * @description "Payment required - User has not paid" (openapi-cloud.yaml): the subscription is inactive, despite the
         *     status code not a request rate. Retrying does not help until the subscription is active again.
         */
        PromptSubscriptionInactive: {
            headers: {
                /** @description Present only on a rate limit (assumption); absent for an inactive subscription. */
                "Retry-After"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["PromptErrorResponse"];
            };
        };
        /** @description The API key's subscription is inactive. Retrying does not help until the subscription is active again. */
        SubscriptionInactive: {
            headers: {
                /** @description Present only on a rate limit (assumption, see above); absent for an inactive subscription. */
                "Retry-After"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        /** @description The API key is missing or not valid. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"];
            };
        };
    };
    parameters: {
        /** @description The job id, which is the `prompt_id` returned on submission. */
        JobId: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    interruptJob: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The running jobs were interrupted, or none was running. Comfy documents no body. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["SubscriptionInactive"];
            500: components["responses"]["InternalError"];
        };
    };
    getJobStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job id, which is the `prompt_id` returned on submission. */
                job_id: components["parameters"]["JobId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job's current state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatusResponse"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["OtherUsersJob"];
            404: components["responses"]["JobNotFound"];
            429: components["responses"]["SubscriptionInactive"];
            500: components["responses"]["InternalError"];
        };
    };
    getJobDetail: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job id, which is the `prompt_id` returned on submission. */
                job_id: components["parameters"]["JobId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job's record. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDetailResponse"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["OtherUsersJob"];
            404: components["responses"]["JobNotFound"];
            429: components["responses"]["SubscriptionInactive"];
            500: components["responses"]["InternalError"];
        };
    };
    executePrompt: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PromptRequest"];
            };
        };
        responses: {
            /** @description The workflow was accepted and queued. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptResponse"];
                };
            };
            400: components["responses"]["PromptError"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["PromptError"];
            429: components["responses"]["PromptSubscriptionInactive"];
            500: components["responses"]["PromptError"];
            503: components["responses"]["PromptError"];
        };
    };
    manageQueue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["QueueManageRequest"];
            };
        };
        responses: {
            /** @description What was cancelled. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueManageResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["SubscriptionInactive"];
            500: components["responses"]["InternalError"];
        };
    };
    viewFile: {
        parameters: {
            query: {
                /** @description `rgb`, `a` or `alpha`: return that channel of a PNG directly (200) instead of redirecting. */
                channel?: string;
                /** @description Name of the output file, as listed in the job's outputs. */
                filename: string;
                /** @description Accepted for compatibility with local ComfyUI and ignored by Cloud (storage is content-addressed). */
                subfolder?: string;
                /** @description `output`, `input` or `temp`; kept for compatibility, the storage location comes from the file hash. */
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The requested channel of a PNG image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": string;
                };
            };
            /** @description Redirect to a signed storage URL for the file. */
            302: {
                headers: {
                    /** @description Signed storage URL; request it without the API key. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            /** @description No such file, or the file is not the caller's. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            429: components["responses"]["SubscriptionInactive"];
            500: components["responses"]["InternalError"];
        };
    };
}
