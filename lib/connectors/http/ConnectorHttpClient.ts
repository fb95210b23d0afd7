import type { z } from "zod";
import type { Period } from "../../ledger/types.ts";
import { AMOUNT_ISSUE_MARKER } from "../amounts.ts";
import {
  ConnectorAmountInvalidError,
  type ConnectorErrorContext,
  ConnectorInvalidKeyError,
  ConnectorNoAccessError,
  ConnectorRateLimitedError,
  ConnectorRequestRejectedError,
  ConnectorResponseInvalidError,
  ConnectorTimeoutError,
  ConnectorUnavailableError,
  type ResponseFieldProblem,
} from "../errors.ts";
import type { KeyedRateLimiter } from "./KeyedRateLimiter.ts";
import { parseRateLimitHeaders, type RateLimitInfo } from "./rateLimitHeaders.ts";
import { redactPathAndQuery, type RequestRecorder } from "./RequestRecorder.ts";
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryAfterFromText,
  type RetryPolicy,
} from "./retryPolicy.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Query values: arrays repeat the parameter; `undefined` leaves it out. */
export type QueryValue = string | number | boolean | undefined | readonly (string | number | boolean)[];
export type QueryParams = Readonly<Record<string, QueryValue>>;

/** Settings of one client (one base URL; typically one per connector instance). */
export interface ConnectorHttpClientOptions {
  /** Label in messages and errors: `tripletex`, `poweroffice-go`. */
  system: string;
  /** Base URL the request paths are appended to, e.g. `https://tripletex.no/v2` or a fake's `http://127.0.0.1:PORT/v2`. */
  baseUrl: string;
  /** Headers sent on every request (e.g. `Ocp-Apim-Subscription-Key`); never recorded. */
  headers?: Readonly<Record<string, string>>;
  /** Per-attempt timeout, from sending the request to having read the whole body (default 30 s). */
  timeoutMs?: number;
  /**
   * Largest answer read (default 100 MiB, far above the biggest page either API sends: 10 000 Tripletex postings, 20 000
   * PowerOffice Go rows). A larger one is `CONNECTOR_RESPONSE_INVALID`, not a process out of memory.
   */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** A limiter shared by every client that spends the same budget, and this client's key in it. */
  limiter?: KeyedRateLimiter;
  limiterKey?: string;
  /** Where each request (each attempt) is recorded for provenance, secrets removed. */
  recorder?: RequestRecorder;
  /** Tests: a fetch of their own, a clock, a random source, a sleep. */
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each retry (for logs and tests): what failed and how long the client waits. */
  onRetry?: (event: RetryEvent) => void;
}

/** A retry about to happen. */
export interface RetryEvent {
  endpoint: string;
  /** The attempt that failed (1 = the first). */
  attempt: number;
  delayMs: number;
  /** HTTP status of the failed attempt, or the kind of failure. */
  reason: number | "timeout" | "network";
}

/** One request. The response body is validated with `schema`; its output is what `request` returns. */
export interface HttpRequest<S extends z.ZodType> {
  method?: HttpMethod;
  /** Path relative to the base URL, starting with `/`: `/ledger/posting`, `/token/session/:create`. */
  path: string;
  query?: QueryParams;
  /** Per-request headers (e.g. `Authorization`); never recorded, never in an error. */
  headers?: Readonly<Record<string, string>>;
  body?: { json: unknown } | { form: Readonly<Record<string, string>> };
  /** The zod schema of a successful answer's JSON body. */
  schema: S;
  /**
   * What an empty answer stands for (a 204, or a 2xx with no body): PowerOffice Go answers an empty list with 204 and
   * no body, so its lists pass `[]`. Absent: an empty answer is `CONNECTOR_RESPONSE_INVALID`.
   */
  emptyValue?: z.output<S>;
  /** How errors and records name the endpoint (default `METHOD path`): use the path template, e.g. `GET /company/{id}`. */
  endpoint?: string;
  /** The inclusive date window this request reads (recorded for provenance). */
  window?: Period;
  /** How many rows the answer holds (recorded for provenance). */
  rows?: (data: z.output<S>) => number;
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
  /** Overrides the client's retry policy for this request (`false`: never retry). */
  retry?: Partial<RetryPolicy> | false;
  /**
   * Whether the request may be sent twice (default: true for GET, PUT and DELETE). A non-idempotent request is retried
   * only on 429, 503 and a refused connection, where the server did not act on it.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
}

/** A validated answer. */
export interface HttpResponse<T> {
  status: number;
  data: T;
  /** True for a 204 or an empty body (then `data` is the request's `emptyValue`). */
  empty: boolean;
  headers: Headers;
  rateLimit: RateLimitInfo;
  /** Attempts made, the successful one included. */
  attempts: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024;
const BODY_EXCERPT = 2_000;

/**
 * The connectors' HTTP client (fetch): timeouts per attempt, retries with exponential backoff and full jitter on 429,
 * 5xx, 408 and network failures, honouring `Retry-After` (seconds or HTTP date) and the rate-limit headers (a spent
 * budget pauses every client on the same limiter key until the reset), a keyed client-side limiter, zod validation of
 * every answer (a mismatch fails loudly with `CONNECTOR_RESPONSE_INVALID` naming the endpoint and each field path; an
 * amount not exact to the øre, `CONNECTOR_AMOUNT_INVALID`), 204 handling, and a record of every request without
 * secrets. Every failure is a {@link ConnectorError}: 401 → `CONNECTOR_INVALID_KEY`, 403 → `CONNECTOR_NO_ACCESS`,
 * other 4xx → `CONNECTOR_REQUEST_REJECTED` (with the body), 429 → `CONNECTOR_RATE_LIMITED`, 5xx/network →
 * `CONNECTOR_UNAVAILABLE`, no answer in time → `CONNECTOR_TIMEOUT`. A caller's own abort rejects with its reason.
 */
export class ConnectorHttpClient {
  readonly system: string;
  readonly baseUrl: string;
  readonly #options: ConnectorHttpClientOptions;
  readonly #fetch: typeof globalThis.fetch;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: ConnectorHttpClientOptions) {
    this.#options = options;
    this.system = options.system;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? sleep;
    if (options.limiter && options.limiterKey === undefined) throw new TypeError("a limiter needs a limiterKey");
  }

  /** The recorder of this client's requests, if any. */
  get recorder(): RequestRecorder | undefined {
    return this.#options.recorder;
  }

  /** `GET path` validated with `schema`. */
  get<S extends z.ZodType>(
    path: string,
    schema: S,
    options: Omit<HttpRequest<S>, "path" | "schema" | "method"> = {},
  ): Promise<HttpResponse<z.output<S>>> {
    return this.request({ ...options, method: "GET", path, schema });
  }

  async request<S extends z.ZodType>(request: HttpRequest<S>): Promise<HttpResponse<z.output<S>>> {
    const method = request.method ?? "GET";
    const endpoint = request.endpoint ?? `${method} ${request.path}`;
    const policy: RetryPolicy =
      request.retry === false
        ? { ...DEFAULT_RETRY_POLICY, ...this.#options.retry, maxAttempts: 1 }
        : { ...DEFAULT_RETRY_POLICY, ...this.#options.retry, ...request.retry };
    const idempotent = request.idempotent ?? (method !== "POST" && method !== "PATCH");
    const timeoutMs = request.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const pathAndQuery = `${request.path}${queryString(request.query)}`;
    const url = `${this.baseUrl}${pathAndQuery}`;
    const context = (extra: ConnectorErrorContext = {}): ConnectorErrorContext => ({
      system: this.system,
      endpoint,
      ...extra,
    });
    const { headers, body } = this.#requestInit(request);

    for (let attempt = 1; ; attempt++) {
      const last = attempt >= policy.maxAttempts;
      // The wait for a turn under the limiter is not part of the attempt's timeout.
      const release = this.#options.limiter
        ? await this.#options.limiter.acquire(this.#options.limiterKey!, request.signal)
        : undefined;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      let response: Response;
      let text: string;
      try {
        // Redirects are refused: a credential must never follow one to another host.
        response = await this.#fetch(url, { method, headers, body, signal, redirect: "error" });
        text = await readText(response, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
      } catch (error) {
        release?.();
        if (request.signal?.aborted) throw request.signal.reason;
        if (error instanceof ResponseTooLargeError) {
          this.#record(request, method, pathAndQuery, error.status, attempt);
          throw new ConnectorResponseInvalidError(
            `${this.system} ${endpoint}: the answer is larger than ${error.limit} bytes`,
            {
              context: context({ httpStatus: error.status, attempts: attempt }),
              problems: [{ path: "(body)", message: `larger than ${error.limit} bytes` }],
            },
          );
        }
        const timedOut = timeout.aborted;
        this.#record(request, method, pathAndQuery, 0, attempt);
        const refused = isConnectionRefused(error);
        if (!last && (idempotent || refused)) {
          const delayMs = backoffDelayMs(attempt, policy, this.#random);
          this.#options.onRetry?.({ endpoint, attempt, delayMs, reason: timedOut ? "timeout" : "network" });
          await this.#sleep(delayMs, request.signal);
          continue;
        }
        if (timedOut) {
          throw new ConnectorTimeoutError(
            `${this.system} ${endpoint}: no answer within ${timeoutMs} ms (${attempt} attempt${plural(attempt)})`,
            {
              cause: error,
              context: context({ attempts: attempt, timeoutMs }),
            },
          );
        }
        throw new ConnectorUnavailableError(
          `${this.system} ${endpoint}: could not reach the API (${describeNetworkError(error)}; ${attempt} attempt${plural(attempt)})`,
          { cause: error, context: context({ attempts: attempt }) },
        );
      }
      release?.();

      const now = this.#now();
      const rateLimit = parseRateLimitHeaders(response.headers, now);
      if (this.#options.limiter && rateLimit.remaining === 0 && rateLimit.resetAt !== undefined) {
        this.#options.limiter.pauseUntil(this.#options.limiterKey!, rateLimit.resetAt);
      }
      const status = response.status;

      if (status >= 200 && status < 300) {
        const result = this.#parse(request, endpoint, status, text, context({ httpStatus: status, attempts: attempt }));
        this.#record(request, method, pathAndQuery, status, attempt, result.data, result.empty);
        return {
          status,
          data: result.data,
          empty: result.empty,
          headers: response.headers,
          rateLimit,
          attempts: attempt,
        };
      }
      this.#record(request, method, pathAndQuery, status, attempt);
      const bodyValue = parseErrorBody(text);
      const errorContext = context({ httpStatus: status, attempts: attempt });

      if (status === 429) {
        const statedMs =
          parseRetryAfter(response.headers.get("retry-after"), now) ??
          (rateLimit.resetAt !== undefined ? Math.max(0, rateLimit.resetAt - now) : undefined) ??
          retryAfterFromText(text);
        const retryAt = statedMs !== undefined ? new Date(now + statedMs).toISOString() : undefined;
        if (statedMs !== undefined && this.#options.limiter)
          this.#options.limiter.pauseUntil(this.#options.limiterKey!, now + statedMs);
        const tooLong = statedMs !== undefined && statedMs > policy.maxRetryAfterMs;
        if (last || tooLong) {
          throw new ConnectorRateLimitedError(
            `${this.system} ${endpoint}: rate limited (429${retryAt ? `, try again after ${retryAt}` : ""}; ${attempt} attempt${plural(attempt)})`,
            { context: errorContext, retryAfter: retryAt },
          );
        }
        // With a limiter the pause makes this request (and every other one on the key) wait at acquire; the jitter
        // spreads requests that were paused together.
        let delayMs: number;
        if (statedMs !== undefined) {
          delayMs =
            (this.#options.limiter ? 0 : statedMs) + Math.floor(this.#random() * Math.min(1000, policy.baseDelayMs));
        } else {
          // No stated wait (Tripletex may leave Reset off the 429 itself): back off on our own, and hold every client
          // on the key for as long, since they spend the same budget.
          delayMs = backoffDelayMs(attempt, policy, this.#random);
          this.#options.limiter?.pauseUntil(this.#options.limiterKey!, now + delayMs);
        }
        this.#options.onRetry?.({ endpoint, attempt, delayMs, reason: status });
        await this.#sleep(delayMs, request.signal);
        continue;
      }
      if (status >= 500 || status === 408) {
        const mayRetry = idempotent || status === 503;
        if (!last && mayRetry) {
          const statedMs = parseRetryAfter(response.headers.get("retry-after"), now);
          if (statedMs === undefined || statedMs <= policy.maxRetryAfterMs) {
            // A 503 with Retry-After speaks for the whole API: every client on the key waits as long.
            if (statedMs !== undefined && this.#options.limiter)
              this.#options.limiter.pauseUntil(this.#options.limiterKey!, now + statedMs);
            const delayMs = Math.max(statedMs ?? 0, backoffDelayMs(attempt, policy, this.#random));
            this.#options.onRetry?.({ endpoint, attempt, delayMs, reason: status });
            await this.#sleep(delayMs, request.signal);
            continue;
          }
        }
        throw new ConnectorUnavailableError(
          `${this.system} ${endpoint}: the API answered ${status}${describeErrorBody(bodyValue)} (${attempt} attempt${plural(attempt)})`,
          { context: errorContext, body: bodyValue },
        );
      }
      if (status === 401) {
        throw new ConnectorInvalidKeyError(
          `${this.system} ${endpoint}: the API refused the credentials (401${describeErrorBody(bodyValue)})`,
          {
            context: errorContext,
            body: bodyValue,
          },
        );
      }
      if (status === 403) {
        throw new ConnectorNoAccessError(
          `${this.system} ${endpoint}: the key has no access (403${describeErrorBody(bodyValue)})`,
          {
            context: errorContext,
            body: bodyValue,
          },
        );
      }
      throw new ConnectorRequestRejectedError(
        `${this.system} ${endpoint}: the API refused the request (${status}${describeErrorBody(bodyValue)})`,
        {
          context: errorContext,
          body: bodyValue,
        },
      );
    }
  }

  #requestInit(request: HttpRequest<z.ZodType>): { headers: Record<string, string>; body?: string } {
    const headers: Record<string, string> = {
      accept: "application/json",
      ...this.#options.headers,
      ...request.headers,
    };
    if (!request.body) return { headers };
    if ("json" in request.body)
      return { headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(request.body.json) };
    return {
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(request.body.form as Record<string, string>).toString(),
    };
  }

  #parse<S extends z.ZodType>(
    request: HttpRequest<S>,
    endpoint: string,
    status: number,
    text: string,
    context: ConnectorErrorContext,
  ): { data: z.output<S>; empty: boolean } {
    if (status === 204 || text.trim() === "") {
      if ("emptyValue" in request) return { data: request.emptyValue as z.output<S>, empty: true };
      throw new ConnectorResponseInvalidError(
        `${this.system} ${endpoint}: the API answered ${status} with no body where a JSON body was expected`,
        {
          context,
          problems: [{ path: "(body)", message: "empty" }],
        },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConnectorResponseInvalidError(
        `${this.system} ${endpoint}: the answer is not JSON (${(error as Error).message}; starts ${JSON.stringify(text.slice(0, 60))})`,
        { cause: error, context, problems: [{ path: "(body)", message: "not JSON" }] },
      );
    }
    const parsed = request.schema.safeParse(json);
    if (parsed.success) return { data: parsed.data, empty: false };
    const issues = parsed.error.issues;
    const amountIssue = issues.find(
      (issue) =>
        issue.code === "custom" && (issue as { params?: Record<string, unknown> }).params?.[AMOUNT_ISSUE_MARKER],
    );
    if (amountIssue) {
      const field = formatIssuePath(amountIssue.path);
      const params = (amountIssue as { params?: Record<string, unknown> }).params ?? {};
      throw new ConnectorAmountInvalidError(`${this.system} ${endpoint} ${field}: ${amountIssue.message}`, {
        cause: parsed.error,
        context: { ...context, field },
        value: valueAt(json, amountIssue.path) ?? params.value,
      });
    }
    const problems: ResponseFieldProblem[] = issues.map((issue) => ({
      path: formatIssuePath(issue.path),
      message: issue.message,
    }));
    const shown = problems
      .slice(0, 3)
      .map((problem) => `${problem.path}: ${problem.message}`)
      .join("; ");
    throw new ConnectorResponseInvalidError(
      `${this.system} ${endpoint}: the answer does not have the expected shape (the API may have changed): ${shown}${problems.length > 3 ? `; and ${problems.length - 3} more` : ""}`,
      { cause: parsed.error, context, problems },
    );
  }

  #record(
    request: HttpRequest<z.ZodType>,
    method: string,
    pathAndQuery: string,
    status: number,
    attempt: number,
    data?: unknown,
    empty?: boolean,
  ): void {
    const recorder = this.#options.recorder;
    if (!recorder) return;
    let rows: number | undefined;
    if (data !== undefined && request.rows) {
      try {
        rows = request.rows(data);
      } catch {
        rows = undefined;
      }
    } else if (empty) rows = 0;
    recorder.record({
      method,
      path: redactPathAndQuery(pathAndQuery),
      status,
      ...(request.window ? { window: { ...request.window } } : {}),
      ...(rows !== undefined ? { rows } : {}),
      ...(attempt > 1 ? { attempt } : {}),
    });
  }
}

/** `values[3].account.number`, `[0].Amount`, `(body)` for the root. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(body)";
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) text += text === "" ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

/** `?a=1&b=x&b=y`, sorted as given; empty when nothing to send. */
export function queryString(query: QueryParams | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(name, String(item));
    else params.append(name, String(value));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

class ResponseTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly limit: number,
  ) {
    super(`response larger than ${limit} bytes`);
  }
}

/** The body as text, refusing more than `limit` bytes (read as it streams, so a huge answer is never held whole). */
async function readText(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(response.status, limit);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(response.status, limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = json;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function parseErrorBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.length > BODY_EXCERPT ? `${text.slice(0, BODY_EXCERPT)}…` : text;
  }
}

/** A short excerpt of an error body for the message: the API's own message field when there is one. */
function describeErrorBody(body: unknown): string {
  if (body === undefined) return "";
  if (typeof body === "string") return `: ${body.slice(0, 200)}`;
  if (body && typeof body === "object") {
    const record = Object.fromEntries(
      Object.entries(body as Record<string, unknown>).map(([key, value]) => [key.toLowerCase(), value]),
    );
    const parts = [record.code, record.title, record.message, record.detail].filter(
      (part) => typeof part === "string" || typeof part === "number",
    );
    if (parts.length > 0) return `: ${parts.join(" ").slice(0, 300)}`;
  }
  return "";
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  return (error as Error)?.message ?? String(error);
}

function isConnectionRefused(error: unknown): boolean {
  return (error as { cause?: { code?: string } })?.cause?.code === "ECONNREFUSED";
}

function plural(count: number): string {
  return count === 1 ? "" : "s";
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
