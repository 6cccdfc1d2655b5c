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
         * Interrupt currently running jobs
         * @description Cancel all currently RUNNING jobs for the authenticated user.
         *     This will interrupt any job that is currently in 'in_progress' status.
         *     Note: This endpoint only affects running jobs. To cancel pending jobs, use /api/queue.
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
         * Get job status
         * @description Returns the current status of a specific job by ID
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
        /**
         * Get full job details
         * @description Retrieve complete details for a specific job including workflow and outputs.
         *     Used for detail views, workflow re-execution, and debugging.
         */
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
        /**
         * Submit a workflow for execution
         * @description Submit a workflow to be executed by the backend.
         *     The workflow is a JSON object describing the nodes and their connections.
         */
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
         * Manage queue operations
         * @description Cancel specific PENDING jobs by ID or clear all pending jobs in the queue: the answer's `deleted`
         *     lists the ids that were cancelled, and an id it does not list was not (it is running, already over,
         *     or unknown). Running jobs are stopped with `POST /api/interrupt`, which interrupts all of the
         *     caller's running jobs.
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
         * View a file
         * @description Retrieve and view a file from the ComfyUI file system.
         *     This endpoint is typically used to view generated images or other output files.
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
    "/ws": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job events over a WebSocket
         * @description Upgrades to a WebSocket that sends the user's job events as JSON text frames (status, execution_start, executing, progress, executed, execution_success, execution_error, execution_interrupted, and more).
         */
        get: operations["openJobEvents"];
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
        /** @description Detailed execution error information from ComfyUI */
        ExecutionError: {
            /** @description Input values at time of failure (empty object if not available) */
            current_inputs: {
                [key: string]: unknown;
            };
            /** @description Output values at time of failure (empty object if not available) */
            current_outputs: {
                [key: string]: unknown;
            };
            /** @description Human-readable error message */
            exception_message: string;
            /** @description Python exception type (e.g., "RuntimeError") */
            exception_type: string;
            /** @description ID of the node that failed */
            node_id: string;
            /** @description Type name of the node (e.g., "KSampler") */
            node_type: string;
            /** @description Array of traceback lines (empty array if not available) */
            traceback: string[];
        };
        /** @description Full job details including workflow and outputs */
        JobDetailResponse: {
            /**
             * Format: int64
             * @description Job creation timestamp (Unix timestamp in seconds)
             */
            create_time: number;
            execution_error?: components["schemas"]["ExecutionError"];
            /** @description Node-level execution metadata (only for terminal states) */
            execution_meta?: {
                [key: string]: unknown;
            };
            /** @description ComfyUI execution status and timeline (only for terminal states) */
            execution_status?: {
                [key: string]: unknown;
            };
            /**
             * Format: uuid
             * @description Unique job identifier
             */
            id: string;
            /** @description Full outputs object from ComfyUI (only for terminal states) */
            outputs?: {
                [key: string]: unknown;
            };
            /** @description Total number of output files (omitted for non-terminal states) */
            outputs_count?: number;
            /** @description Primary preview output (only for terminal states) */
            preview_output?: {
                [key: string]: unknown;
            };
            /**
             * @description User-friendly job status
             * @enum {string}
             */
            status: "pending" | "in_progress" | "completed" | "failed" | "cancelled";
            /**
             * Format: int64
             * @description Last update timestamp (Unix timestamp in seconds)
             */
            update_time: number;
            /** @description Full ComfyUI workflow (10-100KB, omitted if not available) */
            workflow?: {
                [key: string]: unknown;
            };
            /** @description UUID identifying the workflow graph definition */
            workflow_id?: string;
        };
        /** @description Job status information */
        JobStatusResponse: {
            /** @description The inference instance assigned to this job (if any) */
            assigned_inference?: string | null;
            /**
             * Format: date-time
             * @description When the job was created
             */
            created_at?: string;
            /** @description Error message if the job failed */
            error_message?: string | null;
            /**
             * Format: uuid
             * @description The job ID
             */
            id?: string;
            /**
             * Format: date-time
             * @description When the job status was last changed
             */
            last_state_update?: string;
            /**
             * @description Current job status
             * @enum {string}
             */
            status: "waiting_to_dispatch" | "pending" | "in_progress" | "completed" | "error" | "cancelled" | "submitted" | "queued_limited" | "queued_waiting" | "allocated" | "preparing" | "pending_execution" | "executing" | "executed" | "success" | "non_retryable_error" | "erroring" | "lost" | "cancel_requested" | "cancel_pending" | "cancelling_preparing";
            /**
             * Format: date-time
             * @description When the job was last updated
             */
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
        /** @description Why a workflow was refused: `error` (an object with `type` and `message`, or a plain string when the body had no prompt) and `node_errors`, the problems per node id. */
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
            /** @description Extra data to be associated with the prompt */
            extra_data?: {
                [key: string]: unknown;
            };
            /**
             * @description If true, adds the prompt to the front of the queue.
             *     **Note:** Accepted for ComfyUI API compatibility but **ignored** in cloud.
             *     Cloud manages queue ordering internally based on job submission time and fair scheduling.
             */
            front?: boolean;
            /**
             * @description Priority number for the queue (lower numbers have higher priority).
             *     **Note:** Accepted for ComfyUI API compatibility but **ignored** in cloud.
             *     Cloud uses its own queue management with per-user ordering and fair scheduling.
             */
            number?: number;
            /** @description List of node names to execute */
            partial_execution_targets?: string[];
            /** @description The workflow graph to execute */
            prompt: {
                [key: string]: unknown;
            };
        };
        PromptResponse: {
            /** @description Any errors in the nodes of the prompt */
            node_errors?: {
                [key: string]: unknown;
            };
            /** @description Priority number in the queue */
            number?: number;
            /**
             * Format: uuid
             * @description Unique identifier for the prompt execution
             */
            prompt_id?: string;
        };
        /** @description Request to manage queue operations */
        QueueManageRequest: {
            /** @description If true, clear all pending jobs from the queue */
            clear?: boolean;
            /** @description Array of PENDING job IDs to cancel */
            delete?: string[];
        };
        QueueManageResponse: {
            /** @description Whether the queue was cleared */
            cleared?: boolean;
            /** @description Array of job IDs that were successfully cancelled */
            deleted?: string[];
        };
        /** @description Sent when a node completes execution with outputs. */
        WebSocketExecutedMessage: {
            data?: {
                /** @description Display node ID */
                display_node?: string;
                /** @description Node ID that completed */
                node: string;
                /**
                 * @description Node outputs. Structure varies by node type.
                 *     For image outputs: { "images": [{"filename": "...", "subfolder": "", "type": "output"}] }
                 *     For video outputs: { "video": [{"filename": "...", "subfolder": "", "type": "output"}] }
                 */
                output?: {
                    [key: string]: unknown;
                };
                /** Format: uuid */
                prompt_id: string;
            };
            /** @enum {string} */
            type?: "executed";
        };
        /** @description Sent when a specific node starts executing. */
        WebSocketExecutingMessage: {
            data?: {
                /** @description The display node ID (may differ from node for grouped nodes) */
                display_node?: string | null;
                /** @description The node ID currently executing (null when execution completes) */
                node?: string | null;
                /** Format: uuid */
                prompt_id: string;
            };
            /** @enum {string} */
            type?: "executing";
        };
        /** @description Sent when workflow execution fails with an error. */
        WebSocketExecutionErrorMessage: {
            data?: {
                /** @description Input values at time of failure */
                current_inputs?: {
                    [key: string]: unknown;
                };
                /** @description Output values at time of failure */
                current_outputs?: {
                    [key: string]: unknown;
                };
                /** @description Human-readable error message */
                exception_message: string;
                /**
                 * @description Error classification. Common types:
                 *     - ValidationError: Invalid workflow or inputs
                 *     - ModelDownloadError: Failed to download required model
                 *     - OOMError: Out of GPU memory
                 *     - InsufficientFundsError: Account balance too low
                 *     - InactiveSubscriptionError: Subscription not active
                 * @enum {string}
                 */
                exception_type?: "ValidationError" | "ModelDownloadError" | "ImageDownloadError" | "OOMError" | "PanicError" | "ServiceError" | "WebSocketError" | "DispatcherError" | "InsufficientFundsError" | "InactiveSubscriptionError";
                /** @description Node IDs that completed before the error */
                executed?: string[];
                /** @description Node ID where error occurred (if applicable) */
                node_id?: string;
                /** @description Type of node where error occurred */
                node_type?: string;
                /** Format: uuid */
                prompt_id: string;
                /** @description Stack trace lines (for debugging) */
                traceback?: string[];
            };
            /** @enum {string} */
            type?: "execution_error";
        };
        /** @description Sent when workflow execution is cancelled/interrupted. */
        WebSocketExecutionInterruptedMessage: {
            data?: {
                /** Format: uuid */
                prompt_id: string;
            };
            /** @enum {string} */
            type?: "execution_interrupted";
        };
        /** @description Sent when workflow execution begins. */
        WebSocketExecutionStartMessage: {
            data?: {
                /**
                 * Format: uuid
                 * @description The job/prompt ID that started executing
                 */
                prompt_id: string;
            };
            /** @enum {string} */
            type?: "execution_start";
        };
        /** @description Sent when the entire workflow completes successfully. */
        WebSocketExecutionSuccessMessage: {
            data?: {
                /** Format: uuid */
                prompt_id: string;
            };
            /** @enum {string} */
            type?: "execution_success";
        };
        /**
         * @description Base structure for all WebSocket messages. Messages are JSON with a type
         *     field indicating the message type and a data field containing type-specific payload.
         */
        WebSocketMessage: {
            /** @description Message payload (structure varies by type) */
            data?: {
                [key: string]: unknown;
            };
            type: components["schemas"]["WebSocketMessageType"];
        };
        /**
         * @description Type of WebSocket message. These match ComfyUI's native message types.
         * @enum {string}
         */
        WebSocketMessageType: "status" | "execution_start" | "execution_cached" | "executing" | "progress" | "progress_state" | "executed" | "execution_success" | "execution_error" | "execution_interrupted";
        /** @description Step-by-step progress within a node (e.g., diffusion sampling steps). */
        WebSocketProgressMessage: {
            data?: {
                /** @description Total number of steps */
                max: number;
                /** @description Node ID showing progress */
                node: string;
                /** Format: uuid */
                prompt_id: string;
                /** @description Current step number */
                value: number;
            };
            /** @enum {string} */
            type?: "progress";
        };
        /** @description Queue status update. Sent when the queue state changes. */
        WebSocketStatusMessage: {
            data?: {
                /** @description Session ID (only on initial connection) */
                sid?: string;
                status?: {
                    exec_info?: {
                        /** @description Number of jobs remaining in queue for this user */
                        queue_remaining?: number;
                    };
                };
            };
            /** @enum {string} */
            type?: "status";
        };
    };
    responses: {
        /** @description The API key's subscription is inactive. Retrying does not help until the subscription is active again. */
        SubscriptionInactive: {
            headers: {
                /** @description Present only on a rate limit (assumption); absent for an inactive subscription. */
                "Retry-After"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
    };
    parameters: never;
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
            /** @description Success - Job interrupted or no running job found */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unauthorized - Authentication required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            429: components["responses"]["SubscriptionInactive"];
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getJobStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The unique ID of the job */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success - Job status returned */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatusResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Forbidden - job belongs to another user */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            429: components["responses"]["SubscriptionInactive"];
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    getJobDetail: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Job identifier (UUID) */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success - Job details retrieved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDetailResponse"];
                };
            };
            /** @description Unauthorized - Authentication required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Forbidden - Job does not belong to user */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            429: components["responses"]["SubscriptionInactive"];
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
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
            /** @description Success - Prompt accepted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptResponse"];
                };
            };
            /** @description Invalid prompt */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptErrorResponse"];
                };
            };
            /** @description Unauthorized - the API key is missing or not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Payment required - Insufficient credits */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptErrorResponse"];
                };
            };
            /** @description Subscription inactive ("payment required"): despite the status code this is not a request rate, and retrying will not help until the subscription is active again. */
            429: {
                headers: {
                    /** @description Present only on a rate limit (assumption); absent for an inactive subscription. */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptErrorResponse"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptErrorResponse"];
                };
            };
            /** @description Service unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PromptErrorResponse"];
                };
            };
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
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueManageResponse"];
                };
            };
            /** @description Invalid request parameters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            429: components["responses"]["SubscriptionInactive"];
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    viewFile: {
        parameters: {
            query: {
                /**
                 * @description Image channel to extract from PNG images.
                 *     - 'rgb': Return only RGB channels (alpha set to fully opaque)
                 *     - 'a' or 'alpha': Return alpha channel as grayscale image
                 *     - If not specified, return original image unchanged via redirect
                 */
                channel?: string;
                /** @description Name of the file to view */
                filename: string;
                /** @description Format of the file */
                format?: string;
                /** @description Frame rate for video files */
                frame_rate?: number;
                /** @description Full path to the file (used for temp files) */
                fullpath?: string;
                /**
                 * @description Subfolder path where the file is located.
                 *     **Note:** Accepted for ComfyUI API compatibility but **ignored** in cloud.
                 *     Cloud uses content-addressed storage where assets are stored by hash only.
                 *     The subfolder is client-side UI metadata and not used for storage lookup.
                 */
                subfolder?: string;
                /** @description Timestamp parameter */
                timestamp?: number;
                /**
                 * @description Type of file (e.g., output, input, temp).
                 *     **Note:** In cloud, both `output` and `temp` files are stored in the same bucket.
                 *     The type parameter is used for compatibility but storage location is determined by hash.
                 */
                type?: string;
                /** @description Workflow identifier */
                workflow?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success - File content returned (used when channel parameter is present) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": string;
                };
            };
            /** @description Redirect to GCS signed URL */
            302: {
                headers: {
                    /** @description Signed URL to access the file in GCS */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid request parameters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description File not found or unauthorized */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            429: components["responses"]["SubscriptionInactive"];
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    openJobEvents: {
        parameters: {
            query: {
                /** @description A unique id for the connection; ignored today, sent for forward compatibility. */
                clientId?: string;
                /** @description The API key. */
                token: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching Protocols; each text frame is one of these messages. */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebSocketMessage"] & (components["schemas"]["WebSocketStatusMessage"] | components["schemas"]["WebSocketExecutionStartMessage"] | components["schemas"]["WebSocketExecutingMessage"] | components["schemas"]["WebSocketProgressMessage"] | components["schemas"]["WebSocketExecutedMessage"] | components["schemas"]["WebSocketExecutionSuccessMessage"] | components["schemas"]["WebSocketExecutionErrorMessage"] | components["schemas"]["WebSocketExecutionInterruptedMessage"]);
                };
            };
            /** @description Unauthorized (assumption, as the HTTP routes answer) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
}
