import { randomBytes } from "node:crypto";
import type { Ore } from "../../../money/ore.ts";
import { formatPowerOfficeTimestamp, timestampMicros } from "../../../connectors/powerofficeGo/powerOfficeTimestamp.ts";
import { addDays, addMonths, fiscalYearStartOf } from "../../../connectors/powerofficeGo/dates.ts";
import { MONTHS } from "../../../connectors/powerofficeGo/schemas.ts";
import {
  isResultAccount,
  type DateWindow,
  type FakeClientBooks,
  type FakeLedgerAccount,
  type FakePosting,
} from "./fakeClientBooks.ts";

/**
 * The behaviour of PowerOffice Go API v2 as saldo relies on it (../shared/specs/apis.md, the vendor OpenAPI document),
 * as a pure request → response function: the transport (FakePowerOfficeGoServer) adds sockets and faults.
 *
 * - `POST /OAuth/Token`: client credentials, `Authorization: Basic base64(applicationKey:clientKey)` and
 *   `Ocp-Apim-Subscription-Key`; answers `{access_token, expires_in, token_type}`; tokens lapse after `expires_in`.
 * - `GET /v2/…`: Bearer token and subscription key on every call; 10 requests per second per subscription key (429
 *   "Try again in N seconds"); privileges per endpoint (403); bare PascalCase arrays, 204 without a body when empty;
 *   `PageNumber` (from 1) / `PageSize` (default 5 000, at most 20 000); a row cap per transactions query (400).
 * - Errors are RFC 7807 ProblemDetails whose key casing varies by endpoint, as the real API's does.
 */

export interface FakeRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON value (serialised by the transport), or undefined for an empty body. */
  body?: unknown;
  /** The spec path template answered (`/TrialBalance`), for the contract test; undefined for the token endpoint. */
  operation?: string;
}

/** One client key the fake knows, with its books and what the integration may do for it. */
export interface FakeClientEntry {
  clientKey: string;
  books: FakeClientBooks;
  /** Privileges granted and backed by the client's subscriptions (`ValidPrivileges`). */
  validPrivileges?: string[];
  /** Privileges granted but not usable (the client lacks the module): `InvalidPrivileges`, and a 403 on use. */
  invalidPrivileges?: string[];
}

export interface FakePowerOfficeGoApiOptions {
  applicationKey: string;
  /** Subscription keys the API accepts (each has its own rate budget). */
  subscriptionKeys: string[];
  clients: FakeClientEntry[];
  /** `expires_in` of new tokens (default 1200 s). */
  tokenLifetimeSeconds?: number;
  /** Requests per second per subscription key (default 10). */
  requestsPerSecond?: number;
  /** Rows one `AccountTransactions` query may match (default 50 000, apis.md). */
  transactionRowCap?: number;
  /** Send a `Retry-After` header with 429s too (default false: only the body's "Try again in N seconds"). */
  retryAfterHeader?: boolean;
  /**
   * Whether result accounts (Income/Expense) restart at each fiscal year in `/TrialBalance` (default true). apis.md
   * marks it UNCONFIRMED: tests run the connector against both.
   */
  resultAccountsRestart?: boolean;
  now?: () => number;
}

/** The privilege each endpoint requires (the spec's "Auth roles"). */
export const PRIVILEGE_OF: Record<string, string | undefined> = {
  "/ClientIntegrationInformation": undefined,
  "/FinancialSettings": "CommonServices",
  "/OrganizationSettings": "CommonServices",
  "/GeneralLedgerAccounts": "GeneralLedgerAccount",
  "/TrialBalance": "TrialBalance",
  "/AccountTransactions": "AccountTransaction",
};

/** Every privilege the demo integration asks for. */
export const ALL_PRIVILEGES = ["CommonServices", "GeneralLedgerAccount", "TrialBalance", "AccountTransaction"];

const DEFAULT_PAGE_SIZE = 5000;
const MAX_PAGE_SIZE = 20000;
interface IssuedToken {
  client: FakeClientEntry;
  expiresAt: number;
  subscriptionKey: string;
}

/** A change made to the books after they were seeded (tests of the incremental refresh). */
interface Overlay {
  added: FakePosting[];
  descriptions: Map<number, { description: string; lastChanged: string }>;
}

export class FakePowerOfficeGoApi {
  private readonly options: Required<
    Omit<FakePowerOfficeGoApiOptions, "clients" | "subscriptionKeys" | "applicationKey">
  > & {
    applicationKey: string;
  };
  private readonly subscriptionKeys: Set<string>;
  private readonly clientsByKey = new Map<string, FakeClientEntry>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly overlays = new Map<FakeClientBooks, Overlay>();
  private readonly monthSums = new Map<FakeClientBooks, Map<string, Map<number, Ore>>>();
  /** Accepted request times per subscription key (the rate window). */
  private readonly recent = new Map<string, number[]>();
  /** Accepted request times per subscription key since start (for tests: the peak rate actually served). */
  readonly acceptedAt = new Map<string, number[]>();
  /** How many 429s were sent, per subscription key. */
  readonly throttled = new Map<string, number>();
  private nextPostingId = 900_000_000;

  constructor(options: FakePowerOfficeGoApiOptions) {
    this.options = {
      applicationKey: options.applicationKey,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 1200,
      requestsPerSecond: options.requestsPerSecond ?? 10,
      transactionRowCap: options.transactionRowCap ?? 50_000,
      retryAfterHeader: options.retryAfterHeader ?? false,
      resultAccountsRestart: options.resultAccountsRestart ?? true,
      now: options.now ?? Date.now,
    };
    this.subscriptionKeys = new Set(options.subscriptionKeys);
    for (const client of options.clients) this.clientsByKey.set(client.clientKey, client);
  }

  /** Makes every issued token invalid now (the server side of an expired token). */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Books new postings on a client, created now (what a user posting a voucher in Go does). */
  addPostings(clientKey: string, postings: Omit<FakePosting, "id" | "created" | "lastChanged">[]): FakePosting[] {
    const client = this.clientOf(clientKey);
    const stamp = formatPowerOfficeTimestamp(new Date(this.options.now()));
    const added = postings.map((posting) => ({
      ...posting,
      id: this.nextPostingId++,
      created: stamp,
      lastChanged: stamp,
    }));
    this.overlayOf(client.books).added.push(...added);
    return added;
  }

  /** Changes a posting's description (the only edit Go allows on a posted voucher): its last-changed time moves. */
  changeDescription(clientKey: string, postingId: number, description: string): void {
    const client = this.clientOf(clientKey);
    this.overlayOf(client.books).descriptions.set(postingId, {
      description,
      lastChanged: formatPowerOfficeTimestamp(new Date(this.options.now())),
    });
  }

  handle(request: FakeRequest): FakeResponse {
    if (request.method === "POST" && request.path.toLowerCase() === "/oauth/token") return this.token(request);
    if (!request.path.startsWith("/v2/")) return problem(404, "camel", "Not Found", `No route for ${request.path}`);
    const operation = request.path.slice(3);
    if (!(operation in PRIVILEGE_OF)) return problem(404, "camel", "Not Found", `No route for ${request.path}`);
    if (request.method !== "GET")
      return problem(405, "camel", "Method Not Allowed", `${request.method} is not supported`);

    const subscriptionKey = request.headers["ocp-apim-subscription-key"];
    if (!subscriptionKey || !this.subscriptionKeys.has(subscriptionKey)) return subscriptionKeyDenied(subscriptionKey);
    const limited = this.rateLimit(subscriptionKey);
    if (limited) return limited;

    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const token = bearer ? this.tokens.get(bearer) : undefined;
    if (!token || token.expiresAt <= this.options.now()) {
      if (bearer) this.tokens.delete(bearer);
      return { ...problem(401, "camel", "Unauthorized", "Access token is missing, invalid or expired."), operation };
    }
    const required = PRIVILEGE_OF[operation];
    if (required && !(token.client.validPrivileges ?? ALL_PRIVILEGES).includes(required)) {
      return {
        ...problem(403, "pascal", "Forbidden", `The integration lacks the privilege '${required}' on this client.`),
        operation,
      };
    }
    const response = this.route(operation, request.query, token.client);
    return { ...response, operation };
  }

  private token(request: FakeRequest): FakeResponse {
    const subscriptionKey = request.headers["ocp-apim-subscription-key"];
    if (!subscriptionKey || !this.subscriptionKeys.has(subscriptionKey)) return subscriptionKeyDenied(subscriptionKey);
    const limited = this.rateLimit(subscriptionKey);
    if (limited) return limited;
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const decoded = basic ? Buffer.from(basic, "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    const applicationKey = colon < 0 ? "" : decoded.slice(0, colon);
    const clientKey = colon < 0 ? "" : decoded.slice(colon + 1);
    const form = new URLSearchParams(request.body);
    if (form.get("grant_type") !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", "grant_type must be client_credentials");
    }
    if (applicationKey !== this.options.applicationKey)
      return oauthError(400, "invalid_client", "Unknown application key.");
    const client = this.clientsByKey.get(clientKey);
    if (!client) return oauthError(400, "invalid_client", "Unknown client key, or the client key is revoked.");
    const accessToken = randomBytes(24).toString("base64url");
    const lifetime = this.options.tokenLifetimeSeconds;
    this.tokens.set(accessToken, { client, subscriptionKey, expiresAt: this.options.now() + lifetime * 1000 });
    return {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
      body: { access_token: accessToken, expires_in: lifetime, token_type: "bearer" },
    };
  }

  /** Sliding one-second window per subscription key; throttled calls do not use the budget. */
  private rateLimit(subscriptionKey: string): FakeResponse | undefined {
    const now = this.options.now();
    const window = (this.recent.get(subscriptionKey) ?? []).filter((at) => at > now - 1000);
    if (window.length >= this.options.requestsPerSecond) {
      this.recent.set(subscriptionKey, window);
      this.throttled.set(subscriptionKey, (this.throttled.get(subscriptionKey) ?? 0) + 1);
      const seconds = Math.max(1, Math.ceil((window[0]! + 1000 - now) / 1000));
      const response = problem(
        429,
        "camel",
        "Too Many Requests",
        `Rate limit is exceeded. Try again in ${seconds} seconds.`,
      );
      if (this.options.retryAfterHeader) response.headers["retry-after"] = String(seconds);
      return response;
    }
    window.push(now);
    this.recent.set(subscriptionKey, window);
    const all = this.acceptedAt.get(subscriptionKey) ?? [];
    all.push(now);
    this.acceptedAt.set(subscriptionKey, all);
    return undefined;
  }

  private route(operation: string, query: URLSearchParams, client: FakeClientEntry): FakeResponse {
    const books = client.books;
    switch (operation) {
      case "/ClientIntegrationInformation":
        return json({
          ClientId: books.clientId,
          ClientName: books.name,
          ValidPrivileges: client.validPrivileges ?? ALL_PRIVILEGES,
          InvalidPrivileges: client.invalidPrivileges ?? [],
          ActiveClientSubscriptions: ["Accounting", "Invoicing"],
        });
      case "/FinancialSettings":
        return json({
          ConversionDate: books.conversionDate,
          CurrencyCode: books.currency,
          FinancialYearEndMonth: MONTHS[books.fiscalYearEndMonth - 1],
          LastChangedDateTimeOffset: books.settingsLastChanged,
        });
      case "/OrganizationSettings":
        return json({
          Id: books.organizationId,
          Name: books.name,
          LegalName: books.name,
          OrganizationNumber: books.orgNumber ?? null,
          EmailAddress: null,
          PhoneNumber: null,
          WebsiteUrl: null,
          InvoiceInboxEhf: false,
          InvoiceInboxEmail: false,
          MailAddressIsDeliveryAddress: true,
          LastChangedDateTimeOffset: books.settingsLastChanged,
        });
      case "/GeneralLedgerAccounts":
        return this.accounts(query, books);
      case "/TrialBalance":
        return this.trialBalance(query, books);
      case "/AccountTransactions":
        return this.transactions(query, books);
    }
    return problem(404, "camel", "Not Found", operation);
  }

  private accounts(query: URLSearchParams, books: FakeClientBooks): FakeResponse {
    const paging = pagingOf(query);
    if ("error" in paging) return paging.error;
    const accountFilter = accountFilterOf(query.get("accountNos"));
    const changedAfter = timestampParam(query, "lastChangedDateTimeOffsetGreaterThan");
    if (changedAfter === null) return badRequest("lastChangedDateTimeOffsetGreaterThan is not a date-time.");
    const rows = books.accounts
      .filter((account) => accountFilter(account.accountNo))
      .filter((account) => changedAfter === undefined || (timestampMicros(account.lastChanged) ?? 0n) > changedAfter)
      .map(accountDto);
    return list(rows.slice((paging.pageNumber - 1) * paging.pageSize, paging.pageNumber * paging.pageSize));
  }

  private trialBalance(query: URLSearchParams, books: FakeClientBooks): FakeResponse {
    const date = query.get("date");
    if (!date || !isIsoDate(date.slice(0, 10)))
      return badRequest("The query parameter 'date' is required (YYYY-MM-DD).");
    const paging = pagingOf(query);
    if ("error" in paging) return paging.error;
    const accountFilter = accountFilterOf(query.get("accountNos"));
    const hideZero = query.get("hideAccountsWithZeroBalance") === "true";
    const balances = this.balancesAt(books, date.slice(0, 10));
    const rows = books.accounts
      .filter((account) => accountFilter(account.accountNo))
      .map((account) => ({ account, balance: balances.get(account.accountNo) ?? 0n }))
      .filter(({ balance }) => !hideZero || balance !== 0n)
      .map(({ account, balance }) => ({
        AccountId: account.id,
        AccountNo: account.accountNo,
        AccountName: account.name,
        Balance: oreToNumber(balance),
        AgricultureDepartment: "None",
      }));
    return list(rows.slice((paging.pageNumber - 1) * paging.pageSize, paging.pageNumber * paging.pageSize));
  }

  private transactions(query: URLSearchParams, books: FakeClientBooks): FakeResponse {
    const fromDate = query.get("fromDate")?.slice(0, 10);
    const toDate = query.get("toDate")?.slice(0, 10);
    if (!fromDate || !toDate || !isIsoDate(fromDate) || !isIsoDate(toDate)) {
      return badRequest("The query parameters 'fromDate' and 'toDate' are required (YYYY-MM-DD).");
    }
    if (fromDate > toDate) return badRequest("'fromDate' must not be after 'toDate'.");
    const paging = pagingOf(query);
    if ("error" in paging) return paging.error;
    const createdAfter = timestampParam(query, "createdDateTimeOffsetGreaterThan");
    const changedAfter = timestampParam(query, "lastChangedDateTimeOffsetGreaterThan");
    if (createdAfter === null || changedAfter === null) return badRequest("A date-time filter is not a date-time.");
    const accountFilter = accountFilterOf(query.get("accountNos"));
    const matches = (posting: FakePosting) =>
      accountFilter(posting.accountNo) &&
      (createdAfter === undefined || (timestampMicros(posting.created) ?? 0n) > createdAfter) &&
      (changedAfter === undefined || (timestampMicros(posting.lastChanged) ?? 0n) > changedAfter);
    const window = { from: fromDate, to: toDate };

    const overlay = this.overlays.get(books);
    // A filtered read that nothing can match, on books that know their newest timestamp (volume books, never edited):
    // the empty answer without scanning the window (a plan's "anything new since …?" on a year of a million postings).
    if ((createdAfter !== undefined || changedAfter !== undefined) && !overlay && books.newestTimestamp) {
      const newest = books.newestTimestamp(window);
      const newestMicros = newest === undefined ? undefined : timestampMicros(newest);
      if (
        newestMicros === undefined ||
        (createdAfter !== undefined && newestMicros <= createdAfter) ||
        (changedAfter !== undefined && newestMicros <= changedAfter)
      )
        return list([]);
    }
    // Unfiltered reads of books that can count and page themselves (volume books) skip the scan.
    const plain =
      createdAfter === undefined &&
      changedAfter === undefined &&
      !query.get("accountNos") &&
      !overlay &&
      books.postingCount !== undefined;
    let total = 0;
    if (plain) total = books.postingCount!(window);
    else for (const posting of this.postingsOf(books, window)) if (matches(posting)) total++;
    if (total > this.options.transactionRowCap) {
      return problem(
        400,
        "pascal",
        "Too many rows",
        `The query matches ${total} account transactions; at most ${this.options.transactionRowCap} can be returned per call. Narrow the date range or the account numbers.`,
      );
    }
    const first = (paging.pageNumber - 1) * paging.pageSize;
    const rows: unknown[] = [];
    if (plain) {
      for (const posting of books.postings(window, { offset: first, limit: paging.pageSize }))
        rows.push(transactionDto(posting));
      return list(rows);
    }
    let index = 0;
    for (const posting of this.postingsOf(books, window)) {
      if (!matches(posting)) continue;
      if (index >= first && rows.length < paging.pageSize) rows.push(transactionDto(posting));
      index++;
      if (rows.length >= paging.pageSize) break;
    }
    return list(rows);
  }

  /** The seeded postings of the window, then those added later, with changed descriptions applied. */
  private *postingsOf(books: FakeClientBooks, window: DateWindow): Generator<FakePosting> {
    const overlay = this.overlays.get(books);
    for (const posting of books.postings(window)) {
      const change = overlay?.descriptions.get(posting.id);
      yield change ? { ...posting, description: change.description, lastChanged: change.lastChanged } : posting;
    }
    for (const posting of overlay?.added ?? []) {
      if (posting.date < window.from || posting.date > window.to) continue;
      const change = overlay?.descriptions.get(posting.id);
      yield change ? { ...posting, description: change.description, lastChanged: change.lastChanged } : posting;
    }
  }

  /**
   * Balance per account at the end of `date`: start balance + postings since the conversion; result accounts from the
   * start of the fiscal year of `date` when they restart. Whole months are summed once and remembered.
   */
  private balancesAt(books: FakeClientBooks, date: string): Map<number, Ore> {
    const startOfBooks = books.conversionDate;
    if (date < addDays(startOfBooks, -1)) return new Map();
    const resultAccounts = new Set(books.accounts.filter(isResultAccount).map((account) => account.accountNo));
    const fiscalStart = fiscalYearStartOf(date, books.fiscalYearEndMonth);
    const overlay = this.overlays.get(books);
    if (books.balancesAt && this.options.resultAccountsRestart) {
      const known = books.balancesAt(date);
      for (const posting of overlay?.added ?? []) {
        if (posting.date > date || posting.date < startOfBooks) continue;
        if (resultAccounts.has(posting.accountNo) && posting.date < fiscalStart) continue;
        known.set(posting.accountNo, (known.get(posting.accountNo) ?? 0n) + posting.amount);
      }
      return known;
    }
    const result = new Map<number, Ore>();
    for (const [accountNo, balance] of books.startBalances) result.set(accountNo, balance);
    const add = (sums: Iterable<[number, Ore]>, resultAccountsToo: boolean) => {
      for (const [accountNo, amount] of sums) {
        if (!resultAccountsToo && resultAccounts.has(accountNo)) continue;
        result.set(accountNo, (result.get(accountNo) ?? 0n) + amount);
      }
    };
    let monthStart = startOfBooks.slice(0, 7) + "-01";
    while (monthStart <= date) {
      const monthEnd = addDays(addMonths(monthStart, 1), -1);
      const from = monthStart < startOfBooks ? startOfBooks : monthStart;
      const to = monthEnd > date ? date : monthEnd;
      const counts = !this.options.resultAccountsRestart || monthStart >= fiscalStart;
      const sums =
        to === monthEnd && from === monthStart
          ? this.monthSum(books, monthStart)
          : sumPostings(books.postings({ from, to }));
      add(sums, counts);
      monthStart = addMonths(monthStart, 1);
    }
    for (const posting of overlay?.added ?? []) {
      if (posting.date > date || posting.date < startOfBooks) continue;
      if (this.options.resultAccountsRestart && resultAccounts.has(posting.accountNo) && posting.date < fiscalStart)
        continue;
      result.set(posting.accountNo, (result.get(posting.accountNo) ?? 0n) + posting.amount);
    }
    return result;
  }

  private monthSum(books: FakeClientBooks, monthStart: string): Map<number, Ore> {
    let byMonth = this.monthSums.get(books);
    if (!byMonth) this.monthSums.set(books, (byMonth = new Map()));
    let sums = byMonth.get(monthStart);
    if (!sums) {
      sums = sumPostings(books.postings({ from: monthStart, to: addDays(addMonths(monthStart, 1), -1) }));
      byMonth.set(monthStart, sums);
    }
    return sums;
  }

  private overlayOf(books: FakeClientBooks): Overlay {
    let overlay = this.overlays.get(books);
    if (!overlay) this.overlays.set(books, (overlay = { added: [], descriptions: new Map() }));
    return overlay;
  }

  private clientOf(clientKey: string): FakeClientEntry {
    const client = this.clientsByKey.get(clientKey);
    if (!client) throw new Error(`the fake PowerOffice Go API has no client key "${clientKey}"`);
    return client;
  }
}

function sumPostings(postings: Iterable<FakePosting>): Map<number, Ore> {
  const sums = new Map<number, Ore>();
  for (const posting of postings) sums.set(posting.accountNo, (sums.get(posting.accountNo) ?? 0n) + posting.amount);
  return sums;
}

function isIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

/** An amount in øre as the API's JSON number (double): exact for any ledger amount below 2^53 øre. */
export function oreToNumber(ore: Ore): number {
  return Number(ore) / 100;
}

function accountDto(account: FakeLedgerAccount): Record<string, unknown> {
  return {
    Id: account.id,
    AccountNo: account.accountNo,
    Name: account.name,
    IsActive: account.isActive,
    GeneralLedgerAccountType: account.type,
    VatCode: account.vatCode ?? null,
    CurrencyCode: null,
    AgricultureDepartment: "None",
    IsDepartmentRequired: false,
    IsProjectRequired: false,
    IsVatCodeLocked: false,
    LastChangedDateTimeOffset: account.lastChanged,
  };
}

function transactionDto(posting: FakePosting): Record<string, unknown> {
  return {
    Id: posting.id,
    AccountNo: posting.accountNo,
    Amount: oreToNumber(posting.amount),
    CurrencyAmount: oreToNumber(posting.currency?.amount ?? posting.amount),
    CurrencyCode: posting.currency?.code ?? "NOK",
    PostingDate: posting.date,
    VoucherDate: posting.voucherDate,
    VoucherNo: posting.voucherNo,
    VoucherId: posting.voucherId,
    VoucherType: posting.voucherType,
    Description: posting.description ?? null,
    VatCode: posting.vatCode ?? null,
    CustomerAccountNo: posting.customerNo ?? null,
    SupplierAccountNo: posting.supplierNo ?? null,
    DepartmentCode: posting.departmentCode ?? null,
    ProjectCode: posting.projectCode ?? null,
    Dim1Code: null,
    Dim2Code: null,
    Dim3Code: null,
    IsReversed: false,
    ReversedVoucherNo: null,
    CorrectionOfVoucherNo: null,
    AgricultureDepartment: "None",
    VatReturnSpecification: "None",
    CreatedDateTimeOffset: posting.created,
    LastChangedDateTimeOffset: posting.lastChanged,
  };
}

/** Bare array, or 204 without a body when empty (apis.md pitfalls). */
function list(rows: unknown[]): FakeResponse {
  return rows.length === 0 ? { status: 204, headers: {} } : json(rows);
}

function json(body: unknown): FakeResponse {
  return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body };
}

/** ProblemDetails with PascalCase or camelCase keys: the real API uses both (apis.md pitfalls). */
function problem(status: number, casing: "pascal" | "camel", title: string, detail: string): FakeResponse {
  const keys = casing === "pascal" ? ["Type", "Title", "Status", "Detail"] : ["type", "title", "status", "detail"];
  return {
    status,
    headers: { "content-type": "application/problem+json; charset=utf-8" },
    body: {
      [keys[0]!]: `https://tools.ietf.org/html/rfc7231#section-6.5.1`,
      [keys[1]!]: title,
      [keys[2]!]: status,
      [keys[3]!]: detail,
    },
  };
}

function badRequest(detail: string): FakeResponse {
  return problem(400, "pascal", "Bad Request", detail);
}

function oauthError(status: number, error: string, description: string): FakeResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: { error, error_description: description },
  };
}

/** Azure API Management's answer to a missing or unknown subscription key. */
function subscriptionKeyDenied(key: string | undefined): FakeResponse {
  return {
    status: 401,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: {
      statusCode: 401,
      message: key
        ? "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
        : "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
    },
  };
}

function pagingOf(query: URLSearchParams): { pageNumber: number; pageSize: number } | { error: FakeResponse } {
  const number = Number(query.get("PageNumber") ?? query.get("pageNumber") ?? "1");
  const size = Number(query.get("PageSize") ?? query.get("pageSize") ?? String(DEFAULT_PAGE_SIZE));
  if (!Number.isInteger(number) || number < 1)
    return { error: badRequest("PageNumber must be a whole number from 1.") };
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    return { error: badRequest(`PageSize must be between 1 and ${MAX_PAGE_SIZE}.`) };
  }
  return { pageNumber: number, pageSize: size };
}

/** `accountNos` ("1000-1999, 2500, 3000-"): ranges inclusive, open at either end. */
function accountFilterOf(text: string | null): (accountNo: number) => boolean {
  if (!text || !text.trim()) return () => true;
  const ranges = text.split(",").map((part) => {
    const [low, high] = part.trim().split("-");
    const from = low ? Number(low) : -Infinity;
    const to = part.includes("-") ? (high ? Number(high) : Infinity) : from;
    return { from, to };
  });
  return (accountNo) => ranges.some((range) => accountNo >= range.from && accountNo <= range.to);
}

/** Undefined when absent, null when unreadable. */
function timestampParam(query: URLSearchParams, name: string): bigint | undefined | null {
  const text = query.get(name);
  if (text === null || text === "") return undefined;
  return timestampMicros(text) ?? null;
}
