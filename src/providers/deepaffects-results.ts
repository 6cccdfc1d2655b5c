/**
 * The result each DeepAffects async API delivers, as its page of the developer docs shows it (the
 * "Output" webhook example and "Output Parameters (Webhook)" tables of developer-docs/<api>-api.md);
 * the status endpoint carries the same object in `response.response` (job-status-api.md, "Output").
 * These types describe the documents: the client does not check a result against them.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { DeepAffectsJobHandle, JobSnapshot } from "../core/state.js";
import type { components } from "../../generated/deepaffects.js";

type StatusBody = components["schemas"]["AsyncStatusResponse"];

/** A stretch of audio, in seconds. */
export interface DeepAffectsTimedSegment {
  start: number;
  end: number;
}

/** One word of a transcript (asr-api.md, "Word Segment"). */
export interface DeepAffectsWord extends DeepAffectsTimedSegment {
  word: string;
  confidence: number;
  /** Set only when `enableSpeakerDiarization` is true. */
  speaker_id?: string;
}

/** `asr` (asr-api.md, "Transcribed Object"). */
export interface DeepAffectsAsrResult {
  transcript: string;
  confidence: number;
  words: DeepAffectsWord[];
  /** Set only when `enableSpeakerDiarization` is true. */
  num_speakers?: number;
}

/** A stretch of audio with its speaker (speaker-diarization-api.md, speaker-identification-api.md). */
export interface DeepAffectsSpeakerSegment extends DeepAffectsTimedSegment {
  speaker_id: string;
}

/** `diarize` (speaker-diarization-api.md, "Output"). */
export interface DeepAffectsDiarizeResult {
  num_speakers: number;
  segments: DeepAffectsSpeakerSegment[];
}

/** `identify_speakers` (speaker-identification-api.md, "Speaker Identification Segment"). */
export interface DeepAffectsIdentifyResult {
  segments: DeepAffectsSpeakerSegment[];
}

/** `recognise_emotion`: a list, not an object (emotion-recognition-api.md, "Output", Async). */
export type DeepAffectsEmotionResult = Array<DeepAffectsTimedSegment & { emotion: string }>;

/** `vad` (voice-activity-detection-api.md): tags such as noise, speech, music, applause, laughter. */
export interface DeepAffectsVadResult {
  segments: Array<DeepAffectsTimedSegment & { tag: string }>;
}

/** `denoise`: where to fetch the cleaned audio, for a limited time (audio-denoising-api.md, "Output"). */
export interface DeepAffectsDenoiseResult {
  url: string;
  sampleRate?: number;
  encoding?: string;
  languageCode?: string;
}

/** `featurize` (paralinguistic-feature-extraction-api.md, "Output"). */
export interface DeepAffectsFeaturizeResult {
  mfccs: number[][];
  zcr: number[];
  energy: number[];
}

/** One sentence of a summary; times only when the input carried them (text-summary-api.md, "Summary-Timings Segment"). */
export interface DeepAffectsSummarySegment {
  text: string;
  score: number;
  start?: number;
  end?: number;
}

/** `summary`: `extractive` or `abstractive`, as the request asked (text-summary-api.md, "Output Parameters (Webhook)"). */
export interface DeepAffectsSummaryResult {
  extractive?: DeepAffectsSummarySegment[];
  abstractive?: { long: DeepAffectsSummarySegment[]; short: DeepAffectsSummarySegment[] };
}

/** `punctuate`: one text per input text, in the same order (text-punctuation-api.md). */
export interface DeepAffectsPunctuateResult {
  punctuated_texts: string[];
}

/** `videochapters` (chapter-detection-api.md, "Output"). */
export interface DeepAffectsChaptersResult {
  chapters: Array<DeepAffectsTimedSegment & { title: string; confidence: number }>;
}

/** A value per speaker (interaction-analytics-api.md, "SpeakerId-Value Segment"). */
export interface DeepAffectsSpeakerValue {
  speaker_id: string;
  value: number | string;
}

/**
 * `interaction_analytics` (interaction-analytics-api.md, "Interaction-Analytics-Object"): each metric
 * is there only when the request asked for it, so every field is optional.
 */
export interface DeepAffectsInteractionResult {
  num_speakers?: number;
  segments?: Array<
    DeepAffectsSpeakerSegment & { text?: string; confidence?: number; emotion?: string; emotion_score?: number; intent?: string }
  >;
  energy?: DeepAffectsSpeakerValue[];
  pace?: DeepAffectsSpeakerValue[];
  tone?: DeepAffectsSpeakerValue[];
  talk_to_listen?: DeepAffectsSpeakerValue[];
  interruptions?: DeepAffectsTimedSegment[];
  questions_asked?: Array<{ speaker_id: string; value: number; questions: Array<DeepAffectsTimedSegment & { text: string }> }>;
  intent_timings?: Array<{ speaker_id: string; intents: Array<DeepAffectsTimedSegment & { text: string }> }>;
  key_phrase_timings?: Array<DeepAffectsTimedSegment & { keyphrase: string }>;
  extractive_summary?: DeepAffectsSummarySegment[];
  abstractive_summary?: { long: DeepAffectsSummarySegment[]; short: DeepAffectsSummarySegment[] };
  calleq?: { summary?: string; key_phrases?: string[]; loudness?: Array<[number, number]>; [metric: string]: unknown };
}

/**
 * Each async API's result by name (the names of `DEEPAFFECTS_APIS`). `is_depressed` is `unknown`: its page shows only a webhook body
 * `{request_id, depressed}`, not what the status endpoint carries.
 */
export interface DeepAffectsResults {
  asr: DeepAffectsAsrResult;
  diarize: DeepAffectsDiarizeResult;
  recognise_emotion: DeepAffectsEmotionResult;
  interaction_analytics: DeepAffectsInteractionResult;
  identify_speakers: DeepAffectsIdentifyResult;
  vad: DeepAffectsVadResult;
  denoise: DeepAffectsDenoiseResult;
  featurize: DeepAffectsFeaturizeResult;
  is_depressed: unknown;
  summary: DeepAffectsSummaryResult;
  punctuate: DeepAffectsPunctuateResult;
  videochapters: DeepAffectsChaptersResult;
}

/**
 * The result in a succeeded DeepAffects snapshot (polled, or delivered by webhook), typed as `api`'s
 * docs describe it; undefined while the job has not succeeded. Throws an InvalidArgumentError when the
 * snapshot's job was started by another API, so the type never names the wrong result.
 * @example
 * const handle = await da.start("asr", body);
 * const done = await wait(da, handle);
 * console.log(deepAffectsResult(done, handle.api)?.transcript);
 */
export function deepAffectsResult<N extends keyof DeepAffectsResults>(
  snapshot: JobSnapshot<unknown, DeepAffectsJobHandle, string>,
  api: N,
): DeepAffectsResults[N] | undefined {
  if (snapshot.handle.api !== api) {
    throw new InvalidArgumentError(
      `deepaffects: this snapshot is of a ${JSON.stringify(String(snapshot.handle.api).slice(0, 64))} job, not ${JSON.stringify(api)}.`,
      {
        provider: "deepaffects",
      },
    );
  }
  if (snapshot.state !== "succeeded") return undefined;
  // Polled and delivered snapshots alike hold a status body (fromWebhook shapes a delivery as one).
  return (snapshot.raw as StatusBody | undefined)?.response?.response as DeepAffectsResults[N] | undefined;
}
