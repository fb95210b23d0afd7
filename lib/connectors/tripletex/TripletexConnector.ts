import { createHash } from "node:crypto";
import type { z } from "zod";
import type { Period } from "../../ledger/types.ts";
import { Secret } from "../../secrets/Secret.ts";
import {
  connectionCheckFromError,
  ConnectorInvalidKeyError,
  ConnectorNoAccessError,
  ConnectorRequestRejectedError,
  ConnectorUnavailableError,
} from "../errors.ts";
import { ConnectorHttpClient, type ConnectorHttpClientOptions, type QueryParams } from "../http/ConnectorHttpClient.ts";
import { KeyedRateLimiter, type RateLimit } from "../http/KeyedRateLimiter.ts";
import { RequestRecorder } from "../http/RequestRecorder.ts";
import type {
  AccountingConnector,
  ChangeMarker,
  ConnectedCompany,
  ConnectionCheck,
  ConnectorCredentials,
  PulledLedger,
  PulledRecord,
  PullPlan,
  PullRequest,
  SyncProvenance,
} from "../ports.ts";
import { addDays, toTripletexRange } from "./dateWindows.ts";
import {
  type PostingPage,
  type PostingPageRequest,
  PostingWindowError,
  readPostings,
  RowCapExceeded,
} from "./readPostings.ts";
import {
  AccountSchema,
  BalanceSheetAccountSchema,
  ClientCompanySchema,
  CompanySchema,
  FIELDS,
  listResponseSchema,
  LoggedInUserInfoSchema,
  PostingSchema,
  RESULT_TOO_LARGE_CODE,
  type TripletexAccount,
  type TripletexBalanceSheetAccount,
  type TripletexCompany,
  valueResponseSchema,
} from "./schemas.ts";
import { employeeTokenLabel, TripletexSessions } from "./TripletexSessions.ts";
import { toAccount, toTransaction } from "./tripletexMapping.ts";

/** Production base URL of Tripletex API 2.0. */
export const TRIPLETEX_BASE_URL = "https://tripletex.no/v2";

/**
 * saldo's budget per Tripletex token owner (an employee token, or an accountant token shared by its client
 * companies): at most 10 requests per second from all of saldo together. Tripletex does not publish its numbers
 * (apis.md: expect 429 and `X-Rate-Limit-*`), so saldo keeps well under what its answers' headers have shown, and
 * paces by this budget before any answer says "slow down"; the headers still pause a token whose budget is spent.
 * Several processes (sync workers, the connection-checking routes) each take a share (README "Rate limits").
 */
export const TRIPLETEX_TOKEN_RATE_LIMIT: RateLimit = { requests: 10, perMs: 1000 };

export interface TripletexConnectorOptions {
  /** `https://tripletex.no/v2`, the test environment `https://api-test.tripletex.tech/v2`, or a fake's `…/v2`. */
  baseUrl?: string;
  /** saldo's API consumer token (platform configuration). */
  consumerToken: Secret<string>;
  /**
   * The process-wide limiter. Tripletex counts requests per token owner (employee token and API consumer), so each
   * employee token is its own key (`tripletex:<hash>`); the answers' `X-Rate-Limit-Remaining`/`-Reset` pause a key
   * whose budget is spent.
   */
  limiter?: KeyedRateLimiter;
  /** This process's budget per token owner (default all of {@link TRIPLETEX_TOKEN_RATE_LIMIT}). */
  rateLimit?: RateLimit;
  /** Rows per page (`count`); Tripletex's default is 1000. */
  pageSize?: number;
  /** Days ahead a session is asked for (at least 2: see {@link TripletexSessions}). */
  sessionDays?: number;
  /** HTTP settings passed to the client (timeouts, retries, and for tests fetch/clock/sleep). */
  http?: Omit<ConnectorHttpClientOptions, "system" | "baseUrl" | "limiter" | "limiterKey" | "recorder">;
  /** The clock (ISO timestamps of checks and fetches; "today" of session expiration dates). */
  now?: () => Date;
}

/** Endpoints a pull needs, with what they give (the names in `missingPrivileges` of a `no-access` check). */
const PROBES = [
  { endpoint: "GET /ledger/account", privilege: "ledger/account (chart of accounts)" },
  { endpoint: "GET /balanceSheet", privilege: "balanceSheet (saldobalanse)" },
  { endpoint: "GET /ledger/posting", privilege: "ledger/posting (postings)" },
] as const;

/** One client company's session context: whom to authenticate as and under which username. */
interface Call {
  employeeToken: Secret<string>;
  /** Basic-auth username: `0` (the employee's own company) or a client company's id. */
  username: string;
  client: ConnectorHttpClient;
}

/**
 * The Tripletex adapter of the connector port (API 2.0). See `apis.md` for the facts and the pitfalls it handles:
 * sessions two days ahead and renewed on 401, accountant tokens acting through the client company's id, exclusive
 * `dateTo`, accounts without movement included, postings in month windows split under the 10 000-row cap and paged
 * until a short page, `versionDigest`s as the change marker, amounts from `amount` (never `amountGross`) converted
 * once to øre.
 */
export class TripletexConnector implements AccountingConnector<"tripletex"> {
  readonly system = "tripletex" as const;
  readonly #options: TripletexConnectorOptions;
  readonly #baseUrl: string;
  readonly #sessions: TripletexSessions;
  readonly #now: () => Date;
  readonly #pageSize: number;
  readonly #limiter: KeyedRateLimiter;

  constructor(options: TripletexConnectorOptions) {
    this.#options = options;
    this.#baseUrl = (options.baseUrl ?? TRIPLETEX_BASE_URL).replace(/\/+$/, "");
    this.#now = options.now ?? (() => new Date());
    this.#pageSize = options.pageSize ?? 1000;
    // Always a limiter, even without a shared one: it is what holds every request of a token back once an answer said
    // `X-Rate-Limit-Remaining: 0` (Tripletex may leave `X-Rate-Limit-Reset` out of the 429 itself).
    this.#limiter = options.limiter ?? new KeyedRateLimiter();
    this.#sessions = new TripletexSessions({
      consumerToken: options.consumerToken,
      today: () => this.#now().toISOString().slice(0, 10),
      ...(options.sessionDays !== undefined ? { sessionDays: options.sessionDays } : {}),
    });
  }

  async check(credentials: ConnectorCredentials<"tripletex">): Promise<ConnectionCheck> {
    const checkedAt = this.#now().toISOString();
    const call = this.#call(credentials, new RequestRecorder());
    let company: ConnectedCompany | undefined;
    try {
      const me = await this.#whoAmI({ ...call, username: "0" });
      if (!credentials.companyId) {
        // An accountant token reaches client companies only through their ids: it must be bound to one first. No
        // `company` then: the accounting firm's own company is not the client's (a client must not be named after it).
        const clients = await this.#clients(call);
        if (clients.length > 0) {
          return {
            status: "no-access",
            checkedAt,
            message:
              `the key is an accountant key that reaches ${clients.length} client compan${clients.length === 1 ? "y" : "ies"}: ` +
              "bind the client to one of them (its company id)",
          };
        }
      }
      company = toConnectedCompany((await this.#company(call, me.companyId)).company);
      const missingPrivileges: string[] = [];
      for (const probe of PROBES) {
        try {
          await this.#probe(call, probe.endpoint);
        } catch (error) {
          if (error instanceof ConnectorNoAccessError) missingPrivileges.push(probe.privilege);
          else throw error;
        }
      }
      if (missingPrivileges.length > 0) {
        return {
          status: "no-access",
          checkedAt,
          company,
          missingPrivileges,
          message: `the employee token lacks access to ${missingPrivileges.join(", ")}: give it the accounting entitlements in Tripletex`,
        };
      }
      return { status: "ok", checkedAt, company };
    } catch (error) {
      const result = connectionCheckFromError(error, checkedAt);
      return company ? { ...result, company } : result;
    }
  }

  async listCompanies(credentials: ConnectorCredentials<"tripletex">): Promise<ConnectedCompany[]> {
    const call = this.#call(credentials, new RequestRecorder());
    const clients = await this.#clients(call);
    if (clients.length > 0) return clients;
    const me = await this.#whoAmI({ ...call, username: "0" });
    return [toConnectedCompany(me.company ?? { id: me.companyId })];
  }

  /**
   * The period's marker (three one-row reads, see {@link #marker}): unchanged when it equals the previous one. Else,
   * when the previous sync recorded the `versionDigest` of every postings window it read, each window's digest is
   * read again (one one-row request each): the windows whose digest changed — new, changed, moved or deleted postings
   * all change it — are read again, the others are kept (`incremental`; no window at all when only the chart or the
   * balance sheet changed). A window that was read in account ranges (a day over the 10 000-row cap) has no digest of
   * its own and is always read again. No such record (a sync from before incremental refresh, another company or
   * period): `full`.
   */
  async plan(credentials: ConnectorCredentials<"tripletex">, request: PullRequest): Promise<PullPlan> {
    const recorder = new RequestRecorder();
    const call = this.#call(credentials, recorder);
    const startedAt = this.#now().toISOString();
    const marker = await this.#marker(call, request.period);
    const previous = request.previousMarker;
    if (previous === undefined)
      return { kind: "full", marker, reason: "no earlier sync", requestCount: recorder.count };
    if (previous.digest === marker.digest) return { kind: "unchanged", marker, requestCount: recorder.count };
    const windows = windowDigestsOf(previous);
    if (
      windows.length === 0 ||
      previous.details?.username !== marker.details?.username ||
      previous.details?.period !== marker.details?.period
    ) {
      return {
        kind: "full",
        marker,
        reason: "the previous sync kept no digest per window of this company and period",
        requestCount: recorder.count,
      };
    }
    const changed: Period[] = [];
    for (const { window, digest } of windows) {
      const now = digest === SPLIT_WINDOW ? SPLIT_WINDOW : await this.#windowDigest(call, window);
      if (now !== digest) changed.push(window);
    }
    const reasons = [`versionDigest: ${changed.length} of ${windows.length} postings windows changed`];
    if (previous.details?.balanceSheet !== marker.details?.balanceSheet) reasons.push("the balance sheet changed");
    if (previous.details?.accounts !== marker.details?.accounts) reasons.push("the chart of accounts changed");
    return {
      kind: "incremental",
      windows: changed,
      reason: reasons.join("; "),
      requestCount: recorder.count,
      planned: { startedAt, marker },
    };
  }

  async pull(credentials: ConnectorCredentials<"tripletex">, request: PullRequest): Promise<PulledLedger> {
    const recorder = new RequestRecorder();
    const call = this.#call(credentials, recorder);
    const fetchedAt = this.#now().toISOString();
    const period = request.period;

    await this.#refuseUnboundAccountant(call);
    const { company: tripletexCompany } = await this.#company(call);
    const company = toConnectedCompany(tripletexCompany);
    const currency = tripletexCompany.currency?.code ?? "NOK";
    // The marker is read before the figures: if the books change during the pull, the next plan sees a change.
    const marker = await this.#marker(call, period);
    const chart = await this.#readAll(call, "/ledger/account", AccountSchema, { fields: FIELDS.account });
    const balances = await this.#readAll(call, "/balanceSheet", BalanceSheetAccountSchema, {
      ...toTripletexRange(period),
      includeActiveAccountsWithoutMovements: true,
      fields: FIELDS.balanceSheet,
    });
    const accounts = mergeAccounts(chart, balances);
    const numbers = chart.map((account) => account.number);
    const accountBounds = { from: 0, to: (numbers.length > 0 ? Math.max(...numbers) : 9999) + 1 };
    const windows: Period[] = [];
    const pageSize = this.#pageSize;
    const fetchPage = (page: PostingPageRequest) => this.#postingPage(call, page);
    // Incremental: only the windows asked for; the digests of the others stay those of the previous sync.
    const toRead = request.windows ?? [period];
    const digests = new Map<string, string>();
    if (request.windows !== undefined && request.previousMarker !== undefined) {
      for (const { window, digest } of windowDigestsOf(request.previousMarker)) {
        if (!request.windows.some((read) => read.start <= window.end && window.start <= read.end))
          digests.set(windowKey(window), digest);
      }
    }

    async function* records(): AsyncGenerator<PulledRecord, void, undefined> {
      for (const account of accounts) yield { type: "account", account };
      try {
        for (const part of toRead) {
          for await (const window of readPostings(fetchPage, part, {
            pageSize,
            accountBounds,
            onWindowRead: (read, _rows, range, digest) => {
              const last = windows.at(-1);
              if (!range || !last || last.start !== read.start || last.end !== read.end) windows.push({ ...read });
              digests.set(windowKey(read), range ? SPLIT_WINDOW : (digest ?? EMPTY_WINDOW));
            },
          })) {
            for (const voucher of window.vouchers)
              yield { type: "transaction", transaction: toTransaction(voucher, currency) };
          }
        }
      } catch (error) {
        throw translateWindowError(error);
      }
    }

    const baseUrl = this.#baseUrl;
    return {
      company,
      currency,
      period,
      records: records(),
      provenance: (): SyncProvenance => ({
        system: "tripletex",
        company,
        baseUrl,
        fetchedAt,
        requests: recorder.records,
        requestCount: recorder.count,
        windows: windows.map((window) => ({ ...window })),
        marker: {
          ...marker,
          // The books changed between the plan and this pull, maybe in a window kept from before: a digest no fresh
          // marker equals, so that the next plan compares every window again.
          ...(request.planned?.marker !== undefined && request.planned.marker.digest !== marker.digest
            ? { digest: createHash("sha256").update(`${marker.digest}:changed-after-plan`).digest("hex") }
            : {}),
          details: {
            ...marker.details,
            ...Object.fromEntries([...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
          },
        },
      }),
    };
  }

  // --- calls --------------------------------------------------------------------------------------------------------

  #call(credentials: ConnectorCredentials<"tripletex">, recorder: RequestRecorder): Call {
    const employeeToken = new Secret(credentials.key.reveal().employeeToken);
    // One budget per token owner: every client company an accountant token reaches spends the same one.
    const limiterKey = `tripletex:${employeeTokenLabel(employeeToken)}`;
    this.#limiter.setLimit(limiterKey, this.#options.rateLimit ?? TRIPLETEX_TOKEN_RATE_LIMIT);
    const client = new ConnectorHttpClient({
      ...this.#options.http,
      system: "tripletex",
      baseUrl: this.#baseUrl,
      recorder,
      limiter: this.#limiter,
      limiterKey,
    });
    return { employeeToken, username: credentials.companyId ?? "0", client };
  }

  /**
   * One authenticated GET. A 401 means the session lapsed or was revoked: one new session and one more try; a second
   * 401 means Tripletex no longer accepts the key.
   */
  async #get<S extends z.ZodType>(
    call: Call,
    path: string,
    schema: S,
    options: { query?: QueryParams; endpoint?: string; window?: Period; rows?: (data: z.output<S>) => number } = {},
  ): Promise<z.output<S>> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.#sessions.token(call.client, call.employeeToken, { renew: attempt > 1 });
      try {
        const response = await call.client.get(path, schema, {
          ...options,
          headers: { authorization: `Basic ${Buffer.from(`${call.username}:${session}`).toString("base64")}` },
        });
        return response.data;
      } catch (error) {
        if (!(error instanceof ConnectorInvalidKeyError)) throw error;
        this.#sessions.forget(call.employeeToken);
        if (attempt >= 2) {
          throw new ConnectorInvalidKeyError(
            `tripletex ${error.endpoint ?? path}: a new session was refused too (401): the employee token is no longer valid`,
            { cause: error, context: { ...error.context }, body: error.body },
          );
        }
      }
    }
  }

  /** Every page of a list (until a short page). */
  async #readAll<T extends z.ZodType>(call: Call, path: string, item: T, query: QueryParams): Promise<z.output<T>[]> {
    const schema = listResponseSchema(item);
    const all: z.output<T>[] = [];
    for (let from = 0; ; from += this.#pageSize) {
      const page = await this.#get(call, path, schema, {
        query: { ...query, from, count: this.#pageSize },
        rows: (data) => data.values.length,
      });
      all.push(...(page.values as z.output<T>[]));
      if (page.values.length < this.#pageSize) return all;
    }
  }

  async #whoAmI(call: Call) {
    const response = await this.#get(call, "/token/session/>whoAmI", valueResponseSchema(LoggedInUserInfoSchema), {
      query: { fields: FIELDS.whoAmI },
    });
    return response.value;
  }

  /** The companies an accountant key may log into (empty for an ordinary employee token). */
  async #clients(call: Call): Promise<ConnectedCompany[]> {
    const clients = await this.#readAll({ ...call, username: "0" }, "/company/>withLoginAccess", ClientCompanySchema, {
      fields: FIELDS.clients,
    });
    return clients.map((client) => toConnectedCompany({ ...client, name: client.name ?? client.displayName }));
  }

  /**
   * An accountant key not bound to a client company would act, with username `0`, for the accounting firm's own
   * company: its books must never become a client's figures. Refused as `check` reports it (one request; none when
   * the client is bound).
   */
  async #refuseUnboundAccountant(call: Call): Promise<void> {
    if (call.username !== "0") return;
    const clients = await this.#clients(call);
    if (clients.length === 0) return;
    throw new ConnectorNoAccessError(
      `tripletex: the key is an accountant key that reaches ${clients.length} client compan${clients.length === 1 ? "y" : "ies"}: ` +
        "bind the client to one of them (its company id) before syncing",
      { context: { system: "tripletex", endpoint: "GET /company/>withLoginAccess" } },
    );
  }

  /** The company the call acts for: the bound client company, or the employee's own (`ownId` when already known). */
  async #company(call: Call, ownId?: number): Promise<{ company: TripletexCompany }> {
    const id = call.username === "0" ? (ownId ?? (await this.#whoAmI(call)).companyId) : Number(call.username);
    const response = await this.#get(call, `/company/${id}`, valueResponseSchema(CompanySchema), {
      query: { fields: FIELDS.company },
      endpoint: "GET /company/{id}",
    });
    return { company: response.value };
  }

  /** A one-row read of an endpoint a pull needs: 403 says the token lacks the entitlement. */
  async #probe(call: Call, endpoint: (typeof PROBES)[number]["endpoint"]): Promise<void> {
    const today = this.#now().toISOString().slice(0, 10);
    const day = { dateFrom: today, dateTo: addDays(today, 1) };
    if (endpoint === "GET /ledger/account") {
      await this.#get(call, "/ledger/account", listResponseSchema(AccountSchema), {
        query: { count: 1, fields: FIELDS.account },
      });
    } else if (endpoint === "GET /balanceSheet") {
      await this.#get(call, "/balanceSheet", listResponseSchema(BalanceSheetAccountSchema), {
        query: { ...day, count: 1, fields: FIELDS.balanceSheet },
      });
    } else {
      await this.#get(call, "/ledger/posting", listResponseSchema(PostingSchema), {
        query: { ...day, count: 1, fields: FIELDS.posting },
      });
    }
  }

  /**
   * The change marker of a period: the `versionDigest`s (hash of the full result) of the balance sheet over the period
   * (every change of an amount, account or date that moves a figure), the chart of accounts (names, SAF-T codes) and
   * the period's vouchers (new, reversed or edited vouchers, even those that move no figure). Three one-row requests.
   * A period with more than 10 000 vouchers cannot be listed in one query (422 code 23000): its marker then rests on
   * the balance sheet and the chart, and says so in `details.vouchers`.
   */
  async #marker(call: Call, period: Period): Promise<ChangeMarker> {
    const range = toTripletexRange(period);
    const digestOf = async (path: string, item: z.ZodType, query: QueryParams): Promise<string> => {
      try {
        const page = await this.#get(call, path, listResponseSchema(item), { query: { ...query, from: 0, count: 1 } });
        return page.versionDigest ?? "empty";
      } catch (error) {
        if (isRowCapError(error)) return "over-10000-rows";
        throw error;
      }
    };
    const balanceSheet = await digestOf("/balanceSheet", BalanceSheetAccountSchema, {
      ...range,
      includeActiveAccountsWithoutMovements: true,
      fields: FIELDS.balanceSheet,
    });
    const accounts = await digestOf("/ledger/account", AccountSchema, { fields: FIELDS.account });
    const vouchers = await digestOf("/ledger/voucher", VoucherIdSchema, { ...range, fields: "id" });
    const details = {
      username: call.username,
      period: `${period.start}..${period.end}`,
      balanceSheet,
      accounts,
      vouchers,
    };
    return {
      digest: createHash("sha256").update(JSON.stringify(details)).digest("hex"),
      asOf: this.#now().toISOString(),
      details,
    };
  }

  /** The `versionDigest` of one postings window (a one-row read); over the row cap it cannot be known. */
  async #windowDigest(call: Call, window: Period): Promise<string> {
    try {
      const page = await this.#get(call, "/ledger/posting", listResponseSchema(PostingSchema), {
        query: { ...toTripletexRange(window), from: 0, count: 1, fields: FIELDS.posting },
        window,
        rows: (data) => data.values.length,
      });
      return page.versionDigest ?? EMPTY_WINDOW;
    } catch (error) {
      if (isRowCapError(error)) return SPLIT_WINDOW;
      throw error;
    }
  }

  async #postingPage(call: Call, page: PostingPageRequest): Promise<PostingPage> {
    try {
      const response = await this.#get(call, "/ledger/posting", listResponseSchema(PostingSchema), {
        query: {
          ...toTripletexRange(page.window),
          ...(page.accounts ? { accountNumberFrom: page.accounts.from, accountNumberTo: page.accounts.to } : {}),
          from: page.from,
          count: page.count,
          fields: FIELDS.posting,
        },
        window: page.window,
        rows: (data) => data.values.length,
      });
      return { values: response.values, versionDigest: response.versionDigest ?? null };
    } catch (error) {
      if (isRowCapError(error)) throw new RowCapExceeded(page);
      throw error;
    }
  }
}

const VoucherIdSchema = AccountSchema.pick({ id: true });

/** Marker details of one postings window: `window:<start>/<end>` → its `versionDigest`. */
const WINDOW_PREFIX = "window:";
/** A window read in account ranges (a day over the row cap): no digest of its own, always read again. */
const SPLIT_WINDOW = "split";
/** A window without postings (Tripletex sends no `versionDigest` then). */
const EMPTY_WINDOW = "empty";

function windowKey(window: Period): string {
  return `${WINDOW_PREFIX}${window.start}/${window.end}`;
}

/** The postings windows a marker recorded, in date order, with their digests. */
function windowDigestsOf(marker: ChangeMarker): { window: Period; digest: string }[] {
  const windows: { window: Period; digest: string }[] = [];
  for (const [key, digest] of Object.entries(marker.details ?? {})) {
    if (!key.startsWith(WINDOW_PREFIX)) continue;
    const [start, end] = key.slice(WINDOW_PREFIX.length).split("/");
    if (start && end && /^\d{4}-\d{2}-\d{2}$/.test(start) && /^\d{4}-\d{2}-\d{2}$/.test(end))
      windows.push({ window: { start, end }, digest });
  }
  return windows.sort((a, b) => (a.window.start < b.window.start ? -1 : 1));
}

/** Tripletex's 422 code 23000: the query's result exceeds 10 000 rows. */
function isRowCapError(error: unknown): boolean {
  if (!(error instanceof ConnectorRequestRejectedError) || error.httpStatus !== 422) return false;
  const body = error.body as { code?: unknown } | undefined;
  return body?.code === RESULT_TOO_LARGE_CODE;
}

function translateWindowError(error: unknown): unknown {
  if (!(error instanceof PostingWindowError)) return error;
  const context = { system: "tripletex", endpoint: "GET /ledger/posting", window: error.window };
  return error.reason === "changing"
    ? new ConnectorUnavailableError(`tripletex: ${error.message}; try the sync again`, { cause: error, context })
    : new ConnectorRequestRejectedError(`tripletex: ${error.message}`, { cause: error, context });
}

function toConnectedCompany(company: {
  id: number;
  name?: string | null;
  organizationNumber?: string | null;
}): ConnectedCompany {
  const orgNumber = company.organizationNumber?.replace(/\D/g, "");
  return {
    id: String(company.id),
    name: company.name ?? `Tripletex company ${company.id}`,
    ...(orgNumber ? { orgNumber } : {}),
  };
}

/**
 * The chart (every account, with names and SAF-T codes) joined with the balance sheet's figures, in account order.
 * An account only the balance sheet names (not in the chart as read) is kept with the balance sheet's name.
 */
function mergeAccounts(chart: readonly TripletexAccount[], balances: readonly TripletexBalanceSheetAccount[]) {
  const byNumber = new Map<number, { account?: TripletexAccount; balance?: TripletexBalanceSheetAccount }>();
  for (const account of chart) byNumber.set(account.number, { account });
  for (const balance of balances) {
    const entry = byNumber.get(balance.account.number);
    if (entry) entry.balance = balance;
    else byNumber.set(balance.account.number, { balance });
  }
  return [...byNumber.entries()].sort(([a], [b]) => a - b).map(([, entry]) => toAccount(entry.account, entry.balance));
}
