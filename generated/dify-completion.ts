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
         * 标注回复初始设置
         * @description 启用或禁用标注回复设置，并配置嵌入模型。此接口异步执行。嵌入模型的提供商和模型名称可通过 v1/workspaces/current/models/model-types/text-embedding 接口获取（使用 Dataset API Token 鉴权）。
         */
        post: operations["initialAnnotationReplySettings"];
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
         * 查询标注回复初始设置任务状态
         * @description 查询异步执行的标注回复初始设置任务的状态。
         */
        get: operations["getInitialAnnotationReplySettingsStatus"];
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
        AnnotationReplyJob: components["schemas"]["AsyncJobResponse"];
        AnnotationReplyJobStatus: components["schemas"]["AsyncJobStatusResponse"];
        AnnotationReplySettings: components["schemas"]["InitialAnnotationReplySettingsRequest"];
        /** @description 异步任务响应。 */
        AsyncJobResponse: {
            /**
             * Format: uuid
             * @description 任务 ID。
             */
            job_id: string;
            /** @description 任务状态。 */
            job_status: string;
        };
        AsyncJobStatusResponse: components["schemas"]["AsyncJobResponse"] & {
            /** @description 错误信息（如果任务失败）。 */
            error_msg?: string | null;
            /**
             * @description `waiting`（排队中）、`processing`（执行中）、`completed`（已完成）或 `error`（失败，见 `error_msg`）。
             * @enum {string}
             */
            job_status?: "waiting" | "processing" | "completed" | "error";
        };
        /** @description Dify 的错误结构。`status` 与 HTTP 状态码相同；程序应根据 `code` 分支，`message` 用于展示。 */
        Error: {
            code: string;
            message: string;
            /** @description 400 `invalid_param` 所针对的请求体字段（如有）。 */
            params?: string;
            status: number;
        };
        /** @description 标注回复设置请求体。三个字段都必填，`disable` 也一样：服务端先校验请求体再看动作。缺少字段时返回 400 `invalid_param`，`params` 为缺少的字段名。 */
        InitialAnnotationReplySettingsRequest: {
            /** @description 嵌入模型名称（必填）。 */
            embedding_model_name: string;
            /** @description 嵌入模型提供商名称（必填）。 */
            embedding_provider_name: string;
            /**
             * Format: float
             * @description 相似度阈值。
             */
            score_threshold: number;
        };
    };
    responses: never;
    parameters: {
        /** @description 动作，只能是 'enable' 或 'disable'。 */
        AnnotationActionPathParam: "enable" | "disable";
        /** @description 任务 ID，从标注回复初始设置接口返回。 */
        JobIdPathParam: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    initialAnnotationReplySettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description 动作，只能是 'enable' 或 'disable'。 */
                action: components["parameters"]["AnnotationActionPathParam"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AnnotationReplySettings"];
            };
        };
        responses: {
            /** @description 标注回复设置任务已启动。 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnnotationReplyJob"];
                };
            };
            /** @description 标注回复设置任务已接受。 */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnnotationReplyJob"];
                };
            };
            /** @description `invalid_param`：请求体无效。 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `unauthorized`：API 密钥缺失或无效。 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `forbidden`：密钥无权执行此操作（访问限制或套餐限制），具体原因见 `message`。 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `too_many_requests`（并发过多：退避后重试）或 `rate_limit_error`（套餐配额已用完：配额重置前重试无效）。 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_server_error`：Dify 服务端出错；请退避后重试。 */
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
    getInitialAnnotationReplySettingsStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description 动作，只能是 'enable' 或 'disable'。 */
                action: components["parameters"]["AnnotationActionPathParam"];
                /** @description 任务 ID，从标注回复初始设置接口返回。 */
                job_id: components["parameters"]["JobIdPathParam"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 成功获取任务状态。 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnnotationReplyJobStatus"];
                };
            };
            /** @description `invalid_param`：该动作下不存在此任务 ID（"The job does not exist."）。任务结束后 Dify 只保留其状态 600 秒，之后也返回此错误。 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `unauthorized`：API 密钥缺失或无效。 */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `forbidden`：密钥无权执行此操作（访问限制或套餐限制），具体原因见 `message`。 */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `too_many_requests` 或 `rate_limit_error`（见启动任务的接口）。 */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_server_error`：Dify 服务端出错；请退避后重试。 */
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
