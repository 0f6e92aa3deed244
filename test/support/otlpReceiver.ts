/**
 * A stand-in for an OpenTelemetry collector's OTLP/HTTP receiver, for tests: a real HTTP server on
 * 127.0.0.1 (a random port) that accepts POST /v1/traces and /v1/metrics in OTLP's JSON encoding
 * (what @opentelemetry/exporter-*-otlp-http send), answers 200 {} and keeps what arrived, decoded
 * into plain spans and metric points. `hang` makes it accept requests and never answer. Run
 * directly, it prints {"endpoint": "..."} and serves GET /__receiver/spans and /__receiver/metrics
 * (for extension-host tests): node out/test/support/otlpReceiver.js [--port N]
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Value = string | number | boolean | Value[] | undefined;

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}

export interface ReceivedSpan {
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  status: { code?: number; message?: string };
  attributes: Record<string, Value>;
  resource: Record<string, Value>;
}

export interface ReceivedPoint {
  metric: string;
  unit?: string;
  /** The sum (a counter's value, or a histogram's sum). */
  value: number;
  count?: number;
  attributes: Record<string, Value>;
}

function valueOf(v: OtlpValue | undefined): Value {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

export function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, Value> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

const nanosToMs = (n: string | number) => Number(BigInt(n) / 1000n) / 1000;

export function decodeSpans(body: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? [])
        out.push({ name: s.name, kind: s.kind, startMs: nanosToMs(s.startTimeUnixNano), endMs: nanosToMs(s.endTimeUnixNano), status: s.status ?? {}, attributes: attributesOf(s.attributes), resource });
  }
  return out;
}

export function decodeMetrics(body: any): ReceivedPoint[] {
  const out: ReceivedPoint[] = [];
  for (const rm of body.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? [])
      for (const m of sm.metrics ?? []) {
        for (const p of m.sum?.dataPoints ?? []) out.push({ metric: m.name, unit: m.unit, value: p.asDouble ?? Number(p.asInt ?? 0), attributes: attributesOf(p.attributes) });
        for (const p of m.histogram?.dataPoints ?? []) out.push({ metric: m.name, unit: m.unit, value: p.sum ?? 0, count: Number(p.count ?? 0), attributes: attributesOf(p.attributes) });
      }
  return out;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly metrics: ReceivedPoint[] = [];
  /** Every request: path, content type and headers. */
  readonly requests: { path: string; contentType: string; headers: IncomingMessage['headers'] }[] = [];
  /** Accept requests and never answer them (a collector that hangs). */
  hang = false;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(port = 0): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (req, res) => receiver.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  /** http://127.0.0.1:PORT, to set as OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.spans.length = 0;
    this.metrics.length = 0;
    this.requests.length = 0;
    this.hang = false;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/__receiver/spans') return json(res, 200, this.spans);
      if (req.method === 'GET' && path === '/__receiver/metrics') return json(res, 200, this.metrics);
      if (req.method !== 'POST' || (path !== '/v1/traces' && path !== '/v1/metrics')) return json(res, 404, {});
      const contentType = String(req.headers['content-type'] ?? '');
      this.requests.push({ path, contentType, headers: req.headers });
      if (this.hang) return;
      if (!contentType.startsWith('application/json')) return json(res, 415, { message: `this receiver decodes OTLP JSON only, not ${contentType}` });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return json(res, 400, { message: 'not JSON' });
      }
      if (path === '/v1/traces') this.spans.push(...decodeSpans(body));
      else this.metrics.push(...decodeMetrics(body));
      json(res, 200, {});
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

if (require.main === module) {
  const at = process.argv.indexOf('--port');
  void OtlpReceiver.start(at > 0 ? Number(process.argv[at + 1]) : 0).then((receiver) => {
    process.stdout.write(`${JSON.stringify({ endpoint: receiver.endpoint })}\n`);
  });
}
