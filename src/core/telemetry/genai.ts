/**
 * A recorded call as OpenTelemetry GenAI telemetry (docs/telemetry.md): the span's attributes and
 * the metric points, from the record alone. Pure: no SDK here; src/node/telemetry.ts exports it.
 */
import type { CallRecord } from '../history/record';
import { baseUrlProblem } from '../models/endpoints';

export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;

export interface SpanData {
  name: string;
  /** Ms since the epoch. */
  startMs: number;
  endMs: number;
  attributes: Attributes;
  /** Set for a failed call (the span's status is then ERROR with this message). */
  errorMessage?: string;
}

export interface MetricPoint {
  value: number;
  attributes: Attributes;
}

export interface CallTelemetry {
  span: SpanData;
  /** gen_ai.client.token.usage, one point per token type (none when nothing was used). */
  tokens: MetricPoint[];
  /** gen_ai.client.operation.duration, in seconds. */
  duration: MetricPoint;
  /** qwen_router.cost: the estimate in its currency (none when nothing was billed). */
  cost?: MetricPoint;
  /** qwen_router.routing.duration, in seconds (none when routing did not run). */
  routing?: MetricPoint;
}

export interface TelemetryOptions {
  /** Put the prompt and answer text on the span (gen_ai.input.messages / gen_ai.output.messages). Never for a metadata-privacy record. */
  includeText?: boolean;
}

/** Bucket boundaries the GenAI conventions advise. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

function serverOf(baseUrl: string | undefined): Attributes {
  if (!baseUrl) return {};
  try {
    const url = new URL(baseUrl);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { 'server.address': url.hostname.replace(/^\[(.*)\]$/, '$1'), 'server.port': port };
  } catch {
    return {};
  }
}

/**
 * The span and metric points for one record. `end` is the record's timestamp (taken when the call
 * ended); the span starts routing + model latency before it.
 */
export function callTelemetry(record: CallRecord, options: TelemetryOptions = {}): CallTelemetry {
  const { llm, routing } = record;
  const requestModel = llm.provider_model ?? llm.model;
  const provider = llm.provider || 'unknown';
  const routingMs = typeof routing?.routing_latency_ms === 'number' ? routing.routing_latency_ms : 0;
  const endMs = record.timestamp * 1000;
  const startMs = endMs - routingMs - (llm.llm_latency_ms || 0);
  const errorType = record.error ? record.error.kind : record.cancelled ? 'cancelled' : undefined;
  const currency = llm.cost_currency ?? 'USD';
  const cost = currency === 'USD' ? llm.cost_usd : (llm.cost ?? 0);
  const used = llm.usage_source !== 'none' && llm.usage_source !== undefined ? true : llm.input_tokens + llm.output_tokens > 0;

  // The attributes every metric point shares (low cardinality: no ids, no text).
  const common: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.system': provider,
    'gen_ai.request.model': requestModel,
    ...serverOf(llm.base_url),
    ...(record.error || record.cancelled ? {} : { 'gen_ai.response.model': requestModel }),
    ...(routing?.tier ? { 'qwen_router.tier': routing.tier } : {}),
  };

  const attributes: Attributes = {
    ...common,
    'qwen_router.model_key': llm.model,
    ...(routing ? { 'qwen_router.routing.method': routing.method } : {}),
    ...(typeof routing?.complexity_score === 'number' ? { 'qwen_router.routing.complexity': routing.complexity_score } : {}),
    ...(typeof routing?.task_type === 'string' ? { 'qwen_router.routing.task_type': routing.task_type } : {}),
    ...(routing?.fallback_reason ? { 'qwen_router.routing.fallback_reason': routing.fallback_reason } : {}),
    ...(typeof routing?.routing_latency_ms === 'number' ? { 'qwen_router.routing.latency_ms': routing.routing_latency_ms } : {}),
    ...(record.request.temperature !== null && record.request.temperature !== undefined ? { 'gen_ai.request.temperature': record.request.temperature } : {}),
    ...(record.request.max_tokens !== null && record.request.max_tokens !== undefined ? { 'gen_ai.request.max_tokens': record.request.max_tokens } : {}),
    ...(llm.response_id ? { 'gen_ai.response.id': llm.response_id } : {}),
    ...(llm.finish_reason ? { 'gen_ai.response.finish_reasons': [llm.finish_reason] } : {}),
    ...(used ? { 'gen_ai.usage.input_tokens': llm.input_tokens, 'gen_ai.usage.output_tokens': llm.output_tokens } : {}),
    ...(llm.cached_tokens !== undefined ? { 'gen_ai.usage.cache_read.input_tokens': llm.cached_tokens } : {}),
    ...(llm.cache_creation_tokens !== undefined ? { 'gen_ai.usage.cache_creation.input_tokens': llm.cache_creation_tokens } : {}),
    ...(llm.reasoning_tokens !== undefined ? { 'qwen_router.usage.reasoning_tokens': llm.reasoning_tokens } : {}),
    ...(llm.usage_source ? { 'qwen_router.usage.source': llm.usage_source } : {}),
    'qwen_router.cost': cost,
    'qwen_router.cost.currency': currency,
    ...(llm.cache_saved !== undefined ? { 'qwen_router.cost.cache_saved': llm.cache_saved } : {}),
    ...(llm.price_as_of ? { 'qwen_router.cost.price_as_of': llm.price_as_of } : {}),
    'qwen_router.llm.latency_ms': llm.llm_latency_ms,
    ...(typeof llm.ttft_ms === 'number' ? { 'qwen_router.llm.ttft_ms': llm.ttft_ms } : {}),
    ...(record.attempts !== undefined ? { 'qwen_router.attempts': record.attempts } : {}),
    ...(record.escalated_from?.length ? { 'qwen_router.escalated_from': record.escalated_from } : {}),
    ...(record.id ? { 'qwen_router.call.id': record.id } : {}),
    ...(record.cancelled ? { 'qwen_router.cancelled': true } : {}),
    ...(errorType ? { 'error.type': errorType } : {}),
    ...(record.error?.status !== undefined ? { 'http.response.status_code': record.error.status } : {}),
    ...(options.includeText && record.privacy !== 'metadata' ? textAttributes(record) : {}),
  };

  const durationAttributes = { ...common, ...(errorType ? { 'error.type': errorType } : {}) };
  return {
    span: { name: `chat ${requestModel}`, startMs, endMs, attributes, ...(record.error ? { errorMessage: record.error.message } : {}) },
    tokens: used
      ? [
          { value: llm.input_tokens, attributes: { ...common, 'gen_ai.token.type': 'input' } },
          { value: llm.output_tokens, attributes: { ...common, 'gen_ai.token.type': 'output' } },
        ]
      : [],
    duration: { value: (llm.llm_latency_ms || 0) / 1000, attributes: durationAttributes },
    ...(cost > 0 ? { cost: { value: cost, attributes: { ...common, 'qwen_router.cost.currency': currency } } } : {}),
    ...(routing && typeof routing.routing_latency_ms === 'number'
      ? { routing: { value: routing.routing_latency_ms / 1000, attributes: { 'qwen_router.routing.method': routing.method, ...(routing.tier ? { 'qwen_router.tier': routing.tier } : {}) } } }
      : {}),
  };
}

/** gen_ai.input.messages / gen_ai.output.messages, as the conventions' JSON; only the text the record holds. */
function textAttributes(record: CallRecord): Attributes {
  const input = record.request.messages.filter((m) => typeof m.content === 'string').map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] }));
  const out: Attributes = {};
  if (input.length) out['gen_ai.input.messages'] = JSON.stringify(input);
  const parts: { type: string; content: string }[] = [];
  if (record.llm.reasoning_content) parts.push({ type: 'reasoning', content: record.llm.reasoning_content });
  if (record.llm.response_content) parts.push({ type: 'text', content: record.llm.response_content });
  if (parts.length) out['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', parts, finish_reason: record.llm.finish_reason ?? 'stop' }]);
  return out;
}

/** Where and how to export: resolved from settings (the extension) or OTEL_* variables (the CLI). */
export interface OtlpTarget {
  tracesUrl: string;
  metricsUrl: string;
  headers: Record<string, string>;
  serviceName: string;
  includeText: boolean;
  /** Per export request, and the bound on the final flush. */
  timeoutMs: number;
}

/** The signal URL from a base endpoint, as the OTLP exporter spec says: `<base>/v1/traces`. */
export function signalUrl(base: string, signal: 'traces' | 'metrics'): string {
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}

/**
 * `key=value,key2=value2` (OTEL_EXPORTER_OTLP_HEADERS; values may be percent-encoded). Returns the
 * headers, or a problem that names the bad entry's key (never its value: values hold tokens).
 */
export function parseOtlpHeaders(text: string): { headers: Record<string, string>; problem?: string } {
  const headers: Record<string, string> = {};
  for (const entry of text.split(',')) {
    if (!entry.trim()) continue;
    const at = entry.indexOf('=');
    const key = (at < 0 ? entry : entry.slice(0, at)).trim();
    if (at < 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) return { headers: {}, problem: `OpenTelemetry headers: "${key.slice(0, 40)}" is not a key=value pair with a valid header name` };
    let value = entry.slice(at + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // not percent-encoded: as written
    }
    headers[key] = value;
  }
  return { headers };
}

/** What is wrong with an OTLP endpoint, or undefined (https://, or http:// to this machine unless allowed). */
export function otlpEndpointProblem(url: string, options: { allowInsecureHttp?: boolean } = {}): string | undefined {
  const problem = baseUrlProblem(url, options);
  return problem ? `OpenTelemetry endpoint: ${problem.replace(/^base URL/, 'URL').replace('your API key and prompts', 'your telemetry and its headers')}` : undefined;
}

const TRUE = /^(1|true|yes|on)$/i;

/**
 * The CLI's target from the standard variables: OTEL_EXPORTER_OTLP_ENDPOINT (or the per-signal
 * _TRACES_/_METRICS_ENDPOINT, used as they are), OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_TIMEOUT (ms, default 5000); text only with
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. Undefined when no endpoint is set or
 * OTEL_SDK_DISABLED=true.
 */
export function otlpTargetFromEnvironment(env: Readonly<Record<string, string | undefined>>, options: { allowInsecureHttp?: boolean } = {}): { target?: OtlpTarget; problem?: string } {
  if (TRUE.test(env.OTEL_SDK_DISABLED ?? '')) return {};
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base ? signalUrl(base, 'traces') : undefined);
  const metricsUrl = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim() || (base ? signalUrl(base, 'metrics') : undefined);
  if (!tracesUrl && !metricsUrl) return {};
  for (const url of [tracesUrl, metricsUrl]) {
    const problem = url ? otlpEndpointProblem(url, options) : undefined;
    if (problem) return { problem };
  }
  const parsed = parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS ?? '');
  if (parsed.problem) return { problem: parsed.problem };
  const timeout = Number(env.OTEL_EXPORTER_OTLP_TIMEOUT);
  return {
    target: {
      tracesUrl: tracesUrl ?? '',
      metricsUrl: metricsUrl ?? '',
      headers: parsed.headers,
      serviceName: env.OTEL_SERVICE_NAME?.trim() || 'qwen-router',
      includeText: TRUE.test(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT ?? ''),
      timeoutMs: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, 30_000) : 5_000,
    },
  };
}
