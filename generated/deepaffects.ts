/**
 * Generated from openapi/deepaffects.yaml by scripts/generate.ts (openapi-typescript).
 * Do not edit: edit openapi/deepaffects.yaml and run `npm run generate`.
 */

export interface paths {
    "/audio/custom/ellipsis/api/v1/async/is_depressed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a depression prediction job
         * @description The docs show only `content` for this API (no `url`) and recommend at least 25 seconds of interview.
         *     Its documented webhook body is `{request_id, depressed}`, not `{request_id, response}`.
         */
        post: operations["startDepressionJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audio/generic/api/v1/async/analytics/interaction": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start an interaction analytics job */
        post: operations["startInteractionAnalyticsJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audio/generic/api/v1/async/asr": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a speech-to-text job */
        post: operations["startAsrJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audio/generic/api/v1/async/featurize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a paralinguistic feature extraction job */
        post: operations["startFeaturizeJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audio/generic/api/v1/async/vad": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a voice activity detection job */
        post: operations["startVoiceActivityJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audio/generic/api/v2/async/denoise": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start an audio denoising job */
        post: operations["startDenoiseJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audio/generic/api/v2/async/diarization/identify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a speaker identification job */
        post: operations["startSpeakerIdentificationJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audio/generic/api/v2/async/diarize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a speaker diarization job */
        post: operations["startDiarizeJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audio/generic/api/v2/async/recognise_emotion": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start an emotion recognition job
         * @description The result is a list of segments: `emotion` (anger, excited, frustration, happy, sad, neutral), `start`, `end`.
         */
        post: operations["startEmotionJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/text/generic/api/v1/async/punctuate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a smart punctuation job */
        post: operations["startPunctuationJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/text/generic/api/v1/async/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a conversation summarization job */
        post: operations["startSummaryJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/transaction/generic/api/v1/async/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the state and, once finished, the result of an async job
         * @description Polling costs requests against the rate limit; prefer the webhook where you can receive it.
         */
        get: operations["getAsyncStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/video/generic/api/alpha/async/videochapters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a video chapter detection job (alpha) */
        post: operations["startVideoChaptersJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    asyncResult: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Result of an async job, POSTed to the caller's webhook URL
         * @description Sent once the job finishes. Anything other than HTTP 200 from the receiver makes DeepAffects retry,
         *     up to 5 times with exponential backoff, after which the result is only available from the status endpoint.
         */
        post: operations["receiveAsyncResult"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /** @description Speaker options apply only when `enableSpeakerDiarization` is true. */
        AsrRequest: components["schemas"]["AudioInput"] & components["schemas"]["SpeakerOptions"] & {
            /**
             * @description Punctuate the transcript.
             * @default true
             */
            enablePunctuation?: boolean;
            /**
             * @description Tag each word with its speaker.
             * @default false
             */
            enableSpeakerDiarization?: boolean;
        };
        /** @description The answer to an async call; the job runs in the background. */
        AsyncAccepted: {
            /** @description The API that was called (the docs show both a name and a path such as `/video/generic/api/alpha/async/videochapters`). */
            api: string;
            /** @description The `request_id` you sent, or one the API generated. */
            request_id: string;
        };
        /** @description A job's id with the result of the API that ran it. */
        AsyncResult: {
            request_id?: string;
            /** @description The API's own result (an object or, for emotion, a list); its shape depends on the API. */
            response?: unknown;
        };
        AsyncStatusResponse: {
            response?: components["schemas"]["AsyncResult"];
            /**
             * @description Free text, not an enum. The docs list `Completed`, `Failed` and `Running`, but SeerNet's own
             *     summary client waits while the status contains "progress" (as in "In Progress"), so other
             *     spellings occur. Treat unknown values as still running; the known values are in
             *     `x-jobstatus-known-values`.
             */
            status: string;
        };
        /**
         * @description Media to analyse. Send exactly one of `content` (base64 of the file) and `url` (a public URL, faster to
         *     submit); both or neither is an error. Any format ffmpeg reads is accepted.
         */
        AudioInput: {
            /** @description The whole file, base64-encoded. */
            content?: string;
            /** @description Container or codec of the file, for example `FLAC`, `WAV`, `MP3`. */
            encoding?: string;
            /**
             * @description Language spoken in the audio.
             * @default en-US
             */
            languageCode?: string;
            /** @description Sample rate of the audio in Hz. */
            sampleRate?: number;
            /**
             * Format: uri
             * @description A publicly reachable URL of the file.
             */
            url?: string;
        } & (unknown | unknown);
        /**
         * @description The docs mark `encoding` and `languageCode` as required here. The older SDK model for v1 diarize
         *     names the speaker count `speakers`; v2 uses `speakerCount`.
         */
        DiarizeRequest: components["schemas"]["AudioInput"] & components["schemas"]["SpeakerOptions"];
        /** @description Either error shape of errors.md; which status carries which is not documented. */
        ErrorBody: components["schemas"]["GatewayFault"] | components["schemas"]["TypedError"];
        /**
         * @description Error body from the API gateway, for example `{"fault": {"faultstring": "Invalid ApiKey", "detail":
         *     {"errorcode": "oauth.v2.InvalidApiKey"}}}` (errors.md, "Example error response").
         */
        GatewayFault: {
            fault: {
                detail?: {
                    /** @description Gateway error code, for example `oauth.v2.InvalidApiKey`. */
                    errorcode?: string;
                };
                /** @description Human-readable reason. */
                faultstring: string;
            };
        };
        InteractionAnalyticsRequest: components["schemas"]["AudioInput"] & components["schemas"]["SpeakerOptions"] & {
            /** @description Analytics to compute; `[all]` computes every one. */
            metrics?: ("all" | "emotion" | "energy" | "interruptions" | "pace" | "questions_asked" | "tone" | "talk_to_listen" | "key_phrases" | "summary" | "intents")[];
        };
        PunctuationRequest: {
            /** @description Unpunctuated text blobs; the result keeps their order. */
            texts: string[];
        };
        SpeakerIdentificationRequest: components["schemas"]["AudioInput"] & {
            /** @description Enrolled speakers to look for. */
            speakerIds?: string[];
        };
        /** @description Options shared by the APIs that separate speakers. */
        SpeakerOptions: {
            /**
             * @description Kind of recording; `callcenter` suits 2-3 speakers, `meeting` 4-6.
             * @default callcenter
             * @enum {string}
             */
            audioType?: "callcenter" | "meeting" | "earnings_calls" | "interview" | "press_conference";
            /**
             * @description Remove silence and noise segments first (recommended).
             * @default false
             */
            doVad?: boolean;
            /**
             * @description Each channel of a multi-channel file is one speaker.
             * @default false
             */
            separateSpeakerPerChannel?: boolean;
            /** @description Where the audio came from (`webex`, `zoom`, `gotomeeting`, `phone`); selects a tuned model. */
            source?: string;
            /**
             * @description Number of speakers, -1 when unknown.
             * @default -1
             */
            speakerCount?: number;
            /** @description Enrolled speakers to identify. */
            speakerIds?: string[];
        };
        SummaryRequest: {
            /**
             * @description Model for abstractive summaries.
             * @default mopsus
             * @enum {string}
             */
            model?: "mopsus" | "iamus" | "cassandra";
            /** @description The transcript, one entry per speaker turn. */
            summaryData: {
                /** @description End of the turn in seconds; echoed in the summary. */
                end?: number;
                /** @description Lets the abstractive summary name the speaker. */
                speakerId?: string;
                /** @description Start of the turn in seconds; echoed in the summary. */
                start?: number;
                text: string;
            }[];
            /**
             * @default extractive
             * @enum {string}
             */
            summaryType?: "extractive" | "abstractive" | "all";
        };
        /**
         * @description "All errors are returned in the form of JSON with a type and optional message" (errors.md, "Error
         *     types"): `params_invalid`, `unknown_route`, `queued` (try again in a few minutes), `rate_limit`, `api_error`.
         */
        TypedError: {
            message?: string;
            type: string;
        };
        VoiceActivityRequest: components["schemas"]["AudioInput"] & {
            /**
             * @description Shortest non-speech segment to report, in seconds.
             * @default 0
             */
            minNonSpeechDuration?: number;
        };
        /**
         * @description What the webhook receives: `{request_id, response}`, where `response` is the API's result (each API
         *     page, "Webhook" output). Extra properties are allowed because the depression API documents
         *     `{request_id, depressed}` instead (depression-prediction-api.md, "Output Parameters (Webhook)"):
         *     there the result is the payload itself.
         */
        WebhookPayload: {
            request_id: string;
            /** @description The API's own result; its shape depends on the API. */
            response?: unknown;
        } & {
            [key: string]: unknown;
        };
    };
    responses: {
        /** @description The job was accepted and runs in the background. */
        Accepted: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "request_id": "8bdd983a-c6bd-4159-982d-6a2471406d62",
                 *       "api": "requested_api_name"
                 *     }
                 */
                "application/json": components["schemas"]["AsyncAccepted"];
            };
        };
        /** @description The request is not valid (`params_invalid`), for example both `content` and `url` were sent. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description No such resource or route (`unknown_route`); on the status endpoint, an unknown `request_id`. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Over the plan's quota for this endpoint. Retrying does not help until the quota allows it. */
        OverQuota: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Over 5 requests per minute for this API or 100 per day: a `rate_limit` error. Transient: wait and retry. */
        RateLimited: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description DeepAffects failed on its side (`api_error`); the docs give this as "50X". */
        ServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description The API key is missing or not valid. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "fault": {
                 *         "faultstring": "Invalid ApiKey",
                 *         "detail": {
                 *           "errorcode": "oauth.v2.InvalidApiKey"
                 *         }
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["GatewayFault"];
            };
        };
    };
    parameters: {
        /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
        RequestId: string;
        /**
         * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
         *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
         *     identifier", but every API page and the SDK treat it as the callback URL.
         */
        Webhook: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    startDepressionJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AudioInput"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startInteractionAnalyticsJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InteractionAnalyticsRequest"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startAsrJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AsrRequest"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startFeaturizeJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AudioInput"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startVoiceActivityJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VoiceActivityRequest"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startDenoiseJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AudioInput"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startSpeakerIdentificationJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SpeakerIdentificationRequest"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startDiarizeJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DiarizeRequest"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startEmotionJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AudioInput"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startPunctuationJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PunctuationRequest"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startSummaryJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SummaryRequest"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    getAsyncStatus: {
        parameters: {
            query: {
                /** @description The `request_id` from the 202 answer of the call that started the job. */
                request_id: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description The job's state, with the API's result when it has completed. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AsyncStatusResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    startVideoChaptersJob: {
        parameters: {
            query: {
                /** @description Your own id for the job; echoed in the 202 answer, the webhook and the status. Generated by the API when omitted. */
                request_id?: components["parameters"]["RequestId"];
                /**
                 * @description URL the result is POSTed to when the job finishes; required on every async call. It must be
                 *     reachable from the internet (not localhost). One concepts page calls it "a custom defined webhook
                 *     identifier", but every API page and the SDK treat it as the callback URL.
                 */
                webhook: components["parameters"]["Webhook"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AudioInput"];
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            202: components["responses"]["Accepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            402: components["responses"]["OverQuota"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
        };
    };
    receiveAsyncResult: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookPayload"];
            };
        };
        responses: {
            /** @description Received; DeepAffects stops delivering. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Refused; counts as a failed delivery and is retried like any non-200 answer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
