/**
 * OpenTelemetry export of recorded calls (docs/telemetry.md): one span per call and the GenAI
 * metrics, over OTLP/HTTP (JSON), with the official SDK. Nothing is registered globally (other
 * extensions in the same host keep their own providers). `recorded` never throws and never waits:
 * spans go out in batches, metrics on an interval and at `shutdown`, which is bounded.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { CallRecord, PrivacyMode } from '../core/history/record';
import type { Logger } from '../core/log';
import { callTelemetry, DURATION_BUCKETS, TOKEN_BUCKETS, type OtlpTarget } from '../core/telemetry/genai';

export interface CallExporterOptions {
  /** Reported as service.version. */
  version: string;
  /** Reported as qwen_router.surface on the resource: "vscode", "cli". */
  surface: string;
  /** Where failed exports are reported (once until an export succeeds again). */
  log?: Logger;
  /** How often metrics are sent while running (default 60 s; always at shutdown). */
  metricIntervalMs?: number;
  /** How long spans wait to be batched (default 2 s). */
  spanDelayMs?: number;
}

type ExportCallback = (result: { code: number; error?: Error }) => void;

/** Reports the first failure of a run of failed exports to the log, without the headers. */
function reporting<T extends object>(exporter: T, what: string, url: string, log: Logger | undefined): T {
  let failing = false;
  const target = exporter as unknown as { export: (items: unknown, done: ExportCallback) => void };
  const original = target.export.bind(exporter);
  target.export = (items, done) =>
    original(items, (result) => {
      if (result.code !== 0 && !failing) log?.warn(`OpenTelemetry: could not send ${what} to ${url}: ${result.error?.message ?? 'export failed'} (the calls themselves are unaffected)`);
      failing = result.code !== 0;
      done(result);
    });
  return exporter;
}

export class CallExporter {
  private readonly tracer?: BasicTracerProvider;
  private readonly meters?: MeterProvider;
  private readonly instruments?: ReturnType<CallExporter['createInstruments']>;
  private closed?: Promise<void>;

  constructor(
    readonly target: OtlpTarget,
    private readonly options: CallExporterOptions,
  ) {
    const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: target.serviceName, [ATTR_SERVICE_VERSION]: options.version, 'qwen_router.surface': options.surface });
    const common = { headers: target.headers, timeoutMillis: target.timeoutMs };
    if (target.tracesUrl) {
      const exporter = reporting(new OTLPTraceExporter({ url: target.tracesUrl, ...common }), 'spans', target.tracesUrl, options.log) as SpanExporter;
      this.tracer = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.spanDelayMs ?? 2_000, exportTimeoutMillis: target.timeoutMs })] });
    }
    if (target.metricsUrl) {
      const exporter = reporting(new OTLPMetricExporter({ url: target.metricsUrl, ...common }), 'metrics', target.metricsUrl, options.log) as PushMetricExporter;
      const interval = options.metricIntervalMs ?? 60_000;
      this.meters = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: interval, exportTimeoutMillis: Math.min(target.timeoutMs, interval) })] });
      this.instruments = this.createInstruments(this.meters);
    }
  }

  private createInstruments(meters: MeterProvider) {
    const meter = meters.getMeter('qwen-router', this.options.version);
    return {
      tokens: meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', description: 'Number of input and output tokens used', advice: { explicitBucketBoundaries: TOKEN_BUCKETS } }),
      duration: meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', description: 'GenAI operation duration', advice: { explicitBucketBoundaries: DURATION_BUCKETS } }),
      cost: meter.createCounter('qwen_router.cost', { unit: '{currency_unit}', description: 'Estimated cost of the calls, in qwen_router.cost.currency (list prices, not a bill)' }),
      routing: meter.createHistogram('qwen_router.routing.duration', { unit: 's', description: 'Time spent deciding the route', advice: { explicitBucketBoundaries: DURATION_BUCKETS } }),
    };
  }

  /**
   * Exports one recorded call. Never throws, never waits for the network. Text goes out only when
   * the target asks for it and the history it was recorded under keeps text (`privacy` "full").
   */
  recorded(record: CallRecord, privacy: PrivacyMode): void {
    if (this.closed) return;
    try {
      const t = callTelemetry(record, { includeText: this.target.includeText && privacy === 'full' });
      if (this.tracer) {
        const span = this.tracer.getTracer('qwen-router', this.options.version).startSpan(t.span.name, { kind: SpanKind.CLIENT, startTime: t.span.startMs, attributes: t.span.attributes });
        if (t.span.errorMessage !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: t.span.errorMessage });
        span.end(t.span.endMs);
      }
      if (this.instruments) {
        for (const point of t.tokens) this.instruments.tokens.record(point.value, point.attributes);
        this.instruments.duration.record(t.duration.value, t.duration.attributes);
        if (t.cost) this.instruments.cost.add(t.cost.value, t.cost.attributes);
        if (t.routing) this.instruments.routing.record(t.routing.value, t.routing.attributes);
      }
    } catch (error) {
      this.options.log?.warn(`OpenTelemetry: could not export a call: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Sends what is pending (spans and metrics) and stops; resolves within the target's timeout (+1 s) whatever the collector does. */
  shutdown(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.target.timeoutMs + 1_000);
      timer.unref?.();
      void Promise.allSettled([this.tracer?.shutdown(), this.meters?.shutdown()]).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.closed;
  }
}
