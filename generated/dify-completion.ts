/**
 * Generated from openapi/dify-completion.yaml by scripts/generate.ts (openapi-typescript).
 * Do not edit: edit openapi/dify-completion.yaml and run `npm run generate`.
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
         * 启动标注回复设置任务
         * @description 把开启或关闭标注回复的任务放入队列后立即返回。返回的状态只会是 `waiting` 或 `processing`，
         *     最终结果需要通过状态查询接口获得。旧版文档还列出了一个响应体相同的 202 响应。
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
         * 查询标注回复设置任务的状态
         * @description Dify 把任务状态保存在以动作和任务 ID 为键的缓存项中。用另一个动作查询，或查询服务端没有的任务 ID，
         *     都会返回 400 `invalid_param`（"The job does not exist."），而不是 404。
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
        /** @description 刚进入队列的任务。 */
        AnnotationReplyJob: {
            /**
             * Format: uuid
             * @description 传给状态查询接口的任务 ID。
             */
            job_id: string;
            /** @description `waiting` 或 `processing`；终止状态只会出现在状态查询接口中。 */
            job_status: string;
        };
        /**
         * @description 任务的状态。Dify 文档只在文字说明中列出四种状态，这里用枚举明确写出。状态不是 `error` 时
         *     `error_msg` 为空字符串；旧版文档把它标为可为 null，因此也接受 null。
         */
        AnnotationReplyJobStatus: {
            /** @description 任务失败的原因；其他情况下为空。 */
            error_msg?: string | null;
            /**
             * Format: uuid
             * @description 该状态所属的任务。
             */
            job_id: string;
            /**
             * @description `waiting`（排队中）、`processing`（执行中）、`completed`（已完成）或 `error`（失败，见 `error_msg`）。
             * @enum {string}
             */
            job_status: "waiting" | "processing" | "completed" | "error";
        };
        /**
         * @description 任务的设置。Dify 要求三个字段都必须提供（即使是 `disable`）：服务端先校验请求体再看动作。
         *     缺少字段时返回 400 `invalid_param`，`params` 指出缺少的字段。
         */
        AnnotationReplySettings: {
            /** @description 用于把问题与标注进行匹配的向量模型，例如 `text-embedding-3-small`。 */
            embedding_model_name: string;
            /** @description 向量模型的提供商，例如 `openai`。 */
            embedding_provider_name: string;
            /** @description 相似度分数的下限，达到该分数的标注才会被用作回复。 */
            score_threshold: number;
        };
        /** @description Dify 的错误结构。`status` 与 HTTP 状态码相同；程序应根据 `code` 分支，`message` 用于展示。 */
        Error: {
            /** @description 稳定的机器可读错误码，例如 `invalid_param`。 */
            code: string;
            /** @description 供人阅读的详细信息。 */
            message: string;
            /** @description 400 `invalid_param` 涉及的请求体字段（服务端指明时）。 */
            params?: string;
            /** @description 响应的 HTTP 状态码。 */
            status: number;
        };
    };
    responses: {
        /** @description `forbidden`：该密钥不能执行此操作（访问限制或套餐限制），只有 `message` 能说明是哪一种。 */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `internal_server_error`：Dify 服务端出错；请退避后重试。 */
        InternalServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `invalid_param`：请求体无效，或（状态查询接口中）该动作下不存在此任务 ID。 */
        InvalidParam: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /**
         * @description `too_many_requests`（该应用同时进行的请求过多：退避后重试）或 `rate_limit_error`
         *     （Dify 云服务的套餐配额已用完：在配额重置之前重试无效）。
         */
        TooManyRequests: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `unauthorized`：API 密钥缺失或无效。 */
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
        /** @description 开启还是关闭标注回复；查询状态时必须使用启动任务时的同一个动作。 */
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
                /** @description 开启还是关闭标注回复；查询状态时必须使用启动任务时的同一个动作。 */
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
            /** @description 任务已进入队列。 */
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
                /** @description 开启还是关闭标注回复；查询状态时必须使用启动任务时的同一个动作。 */
                action: components["parameters"]["Action"];
                /** @description 启动任务时返回的 `job_id`。 */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 任务的当前状态。 */
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
