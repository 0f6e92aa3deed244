/**
 * The building blocks of the host <-> webview protocols (chat.ts, stats.ts): type guards made from
 * small combinators (so a guard that drifts from its type fails to compile), discriminated-union
 * guards keyed by `type`, exhaustive handler tables instead of `switch` on untyped data, and
 * request/response correlation by id. Pure TypeScript: no `vscode`, no DOM, no Node.
 */

/** A type guard. */
export type Check<T> = (value: unknown) => value is T;

/** The type a guard admits. */
export type Guarded<C> = C extends Check<infer T> ? T : never;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const isString: Check<string> = (value): value is string => typeof value === 'string';
export const isBoolean: Check<boolean> = (value): value is boolean => typeof value === 'boolean';
export const isFiniteNumber: Check<number> = (value): value is number => typeof value === 'number' && Number.isFinite(value);

/** A string no longer than `max` (messages from the webview carry user text; bound it). */
export function boundedString(max: number): Check<string> {
  return (value): value is string => typeof value === 'string' && value.length <= max;
}

/** One of the given literal values. */
export function literal<const L extends readonly (string | number | boolean)[]>(...values: L): Check<L[number]> {
  return (value): value is L[number] => values.includes(value as L[number]);
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value): value is T | undefined => value === undefined || check(value);
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value): value is T | null => value === null || check(value);
}

export function arrayOf<T>(check: Check<T>, maxLength = Number.POSITIVE_INFINITY): Check<T[]> {
  return (value): value is T[] => Array.isArray(value) && value.length <= maxLength && value.every((item) => check(item));
}

/** A plain object whose values all pass `check` (a string-keyed map). */
export function recordOf<T>(check: Check<T>): Check<Record<string, T>> {
  return (value): value is Record<string, T> => isObject(value) && Object.values(value).every((item) => check(item));
}

type ShapeType<S extends Record<string, Check<unknown>>> = { [K in keyof S]: Guarded<S[K]> };

/**
 * An object with these fields (extra fields are allowed and ignored). Declaring the result as
 * `Check<SomeInterface>` makes the compiler verify the shape covers the interface's required fields.
 */
export function shape<S extends Record<string, Check<unknown>>>(fields: S): Check<ShapeType<S>> {
  const entries = Object.entries(fields);
  return (value): value is ShapeType<S> => isObject(value) && entries.every(([key, check]) => check(value[key]));
}

/** Any object, trusted to be T: for large payloads from the host (records, stats) rendered defensively. */
export function trustedObject<T extends object>(): Check<T> {
  return (value): value is T => isObject(value);
}

/** A message: an object with a string `type`. */
export interface Message {
  type: string;
}

/** A guard per member of a message union, keyed by its `type`. The mapped type makes it exhaustive. */
export type UnionChecks<M extends Message> = { [K in M['type']]: Check<Extract<M, { type: K }>> };

/** A guard for a whole message union: looks the `type` up in the table, then runs that member's guard. */
export function unionGuard<M extends Message>(checks: UnionChecks<M>): Check<M> {
  const table = checks as Record<string, Check<unknown>>;
  return (value): value is M => {
    if (!isObject(value) || typeof value.type !== 'string') return false;
    if (!Object.prototype.hasOwnProperty.call(table, value.type)) return false;
    return table[value.type](value);
  };
}

/** A handler per member of a message union. */
export type Handlers<M extends Message, R = void> = { [K in M['type']]: (message: Extract<M, { type: K }>) => R };

/** Calls the handler for this message's type. The table is exhaustive, so no `switch` and no default case. */
export function dispatch<M extends Message, R>(handlers: Handlers<M, R>, message: M): R {
  const handler = (handlers as unknown as Record<string, (message: M) => R>)[message.type];
  return handler(message);
}

// --- Requests and responses ------------------------------------------------------------------

/** The requests one side can make: method -> params and result. */
export type RequestMap = Record<string, { params: unknown; result: unknown }>;

export type RequestMessage<Q extends RequestMap> = {
  [K in keyof Q & string]: { type: 'request'; requestId: string; method: K; params: Q[K]['params'] };
}[keyof Q & string];

export type ResponseMessage<Q extends RequestMap> = {
  [K in keyof Q & string]:
    | { type: 'response'; requestId: string; method: K; ok: true; result: Q[K]['result'] }
    | { type: 'response'; requestId: string; method: K; ok: false; error: string };
}[keyof Q & string];

export type RequestChecks<Q extends RequestMap> = { [K in keyof Q & string]: { params: Check<Q[K]['params']>; result: Check<Q[K]['result']> } };

const REQUEST_ID = boundedString(100);

/** Guards a request message: a known method with valid params. */
export function requestGuard<Q extends RequestMap>(checks: RequestChecks<Q>): Check<RequestMessage<Q>> {
  const table = checks as Record<string, { params: Check<unknown> }>;
  return (value): value is RequestMessage<Q> => {
    if (!isObject(value) || value.type !== 'request' || !REQUEST_ID(value.requestId) || typeof value.method !== 'string') return false;
    if (!Object.prototype.hasOwnProperty.call(table, value.method)) return false;
    return table[value.method].params(value.params);
  };
}

/** Guards a response message: a known method, and on success a result that passes that method's guard. */
export function responseGuard<Q extends RequestMap>(checks: RequestChecks<Q>): Check<ResponseMessage<Q>> {
  const table = checks as Record<string, { result: Check<unknown> }>;
  return (value): value is ResponseMessage<Q> => {
    if (!isObject(value) || value.type !== 'response' || !REQUEST_ID(value.requestId) || typeof value.method !== 'string') return false;
    if (!Object.prototype.hasOwnProperty.call(table, value.method)) return false;
    if (value.ok === true) return table[value.method].result(value.result);
    return value.ok === false && typeof value.error === 'string';
  };
}

/** A handler per request method: params in, result out (a thrown error becomes an `ok: false` reply). */
export type RequestHandlers<Q extends RequestMap> = { [K in keyof Q & string]: (params: Q[K]['params']) => Promise<Q[K]['result']> | Q[K]['result'] };

/** Runs the handler for a request and builds the correlated response; never throws. */
export async function answerRequest<Q extends RequestMap>(handlers: RequestHandlers<Q>, request: RequestMessage<Q>): Promise<ResponseMessage<Q>> {
  const handler = (handlers as Record<string, (params: unknown) => unknown>)[request.method];
  try {
    const result = await handler(request.params);
    return { type: 'response', requestId: request.requestId, method: request.method, ok: true, result } as ResponseMessage<Q>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { type: 'response', requestId: request.requestId, method: request.method, ok: false, error: message } as ResponseMessage<Q>;
  }
}

/**
 * The requesting side's bookkeeping: sends a request with a fresh id, and settles its promise when
 * the response with that id comes back (or rejects on an error reply, a timeout or `dispose`).
 */
export class PendingRequests<Q extends RequestMap> {
  private next = 0;
  private readonly pending = new Map<string, { method: string; resolve: (value: unknown) => void; reject: (error: Error) => void; timer?: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly send: (message: RequestMessage<Q>) => void,
    private readonly prefix = 'r',
    private readonly timeoutMs = 0,
  ) {}

  request<K extends keyof Q & string>(method: K, params: Q[K]['params']): Promise<Q[K]['result']> {
    const requestId = `${this.prefix}${++this.next}`;
    return new Promise<Q[K]['result']>((resolve, reject) => {
      const entry: { method: string; resolve: (value: unknown) => void; reject: (error: Error) => void; timer?: ReturnType<typeof setTimeout> } = {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (this.timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.pending.delete(requestId);
          reject(new Error(`${method}: no answer within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
      }
      this.pending.set(requestId, entry);
      this.send({ type: 'request', requestId, method, params } as RequestMessage<Q>);
    });
  }

  /** Settles the matching request; returns false for a response nobody waits for (or of another method). */
  settle(response: ResponseMessage<Q>): boolean {
    const entry = this.pending.get(response.requestId);
    if (!entry || entry.method !== response.method) return false;
    this.pending.delete(response.requestId);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    if (response.ok) entry.resolve(response.result);
    else entry.reject(new Error(response.error));
    return true;
  }

  get size(): number {
    return this.pending.size;
  }

  dispose(): void {
    for (const [, entry] of this.pending) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      entry.reject(new Error('the view was closed'));
    }
    this.pending.clear();
  }
}

// --- Localized strings -----------------------------------------------------------------------

/** A table of UI strings: key -> English text (which is also the l10n key on the host). */
export type StringTable = Readonly<Record<string, string>>;

/** The same keys, localized. */
export type Localized<T extends StringTable> = { [K in keyof T]: string };

/** Localizes every string of a table with the host's translator (`vscode.l10n.t`). */
export function localizeTable<T extends StringTable>(table: T, translate: (english: string) => string): Localized<T> {
  const out: Record<string, string> = {};
  for (const [key, english] of Object.entries(table)) out[key] = translate(english);
  return out as Localized<T>;
}

/** A guard that the strings object has every key of the table as a string. */
export function stringsGuard<T extends StringTable>(table: T): Check<Localized<T>> {
  const keys = Object.keys(table);
  return (value): value is Localized<T> => isObject(value) && keys.every((key) => typeof value[key] === 'string');
}

/** Fills `{0}`, `{1}`... as vscode.l10n.t does. */
export function formatString(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? match : String(value);
  });
}
