import { createHash, randomBytes } from "node:crypto";
import { formatOre, type Ore } from "../../../money/ore.ts";
import type { DemoAccount, DemoPostingRow, DemoVoucher, DemoVoucherKind, LedgerBooks } from "../demoBooks.ts";
import { applyFieldsFilter, FieldsFilterError, parseFieldsFilter } from "./fieldsFilter.ts";
import { type PostingQuery, TripletexBooksView } from "./TripletexBooksView.ts";

/**
 * The fake Tripletex API 2.0, as a pure request → response function over in-memory state (the HTTP transport, fault
 * injection and the port live in `FakeTripletexServer`). It follows the OpenAPI document (`tripletex-v2.openapi.json`)
 * and the behaviour its introduction and `apis.md` describe:
 *
 * - `PUT /token/session/:create?consumerToken&employeeToken&expirationDate` makes a session token that works while
 *   today is before `expirationDate`: a session asked for with today's date is already expired (every call 401);
 * - HTTP Basic auth on every other call: username `0` (or empty) for the employee's own company or the id of a client
 *   company an accountant may log into, password the session token. An accountant token with username `0` may only
 *   call `>whoAmI` and `/company/>withLoginAccess`;
 * - lists in the envelope `{fullResultSize, from, count, versionDigest, values}`, paged with `from`/`count` (default
 *   1000); `versionDigest` is a hash of the full result (null when there is none) and changes when the books do;
 *   `fields` selects nested fields; a query whose result exceeds 10 000 rows is refused with 422 code 23000;
 * - `dateTo` and `accountNumberTo` are exclusive; `/balanceSheet` leaves out accounts without movement unless
 *   `includeActiveAccountsWithoutMovements=true`; amounts are JSON numbers in NOK;
 * - rate limiting per employee token (per API consumer): `X-Rate-Limit-Limit/-Remaining/-Reset` on every answer, and
 *   429 for the rest of the period once the limit is hit (optionally without `X-Rate-Limit-Reset`, or with
 *   `Retry-After`, as clients must cope with both);
 * - errors in the `ApiError` envelope `{status, code, message, link, developerMessage, validationMessages,
 *   requestId}` with Tripletex's internal codes (401 → 3000, 403 → 9000, 404 → 6000, 400 fields → 11000,
 *   422 → 15000 / 23000), and `x-tlx-request-id` on every answer.
 */

/**
 * One company the fake serves: its books (demo or synthetic, see `demoBooks.ts`) under its Tripletex company id
 * (`books.company.id`). The books' `reportedOpeningAdjustments` are the known field problem of
 * `demo-tripletex-wrong-ib`: `/balanceSheet` reports the opening balances (and so the closing ones) off by them, while
 * the postings are right.
 */
interface ServedCompany {
  id: number;
  books: LedgerBooks;
  view: TripletexBooksView;
  names: {
    customers: Map<string, string>;
    suppliers: Map<string, string>;
    departments: Map<string, string>;
    projects: Map<string, string>;
  };
  vatRates: Map<string, { name: string; rate: number }>;
}

/** An employee token the fake accepts, and what it reaches. */
export interface TripletexFakeEmployeeToken {
  token: string;
  /** The employee's own company (username `0`). */
  companyId: number;
  employee: { id: number; firstName: string; lastName: string; email?: string };
  /** An accountant ("regnskapsfører") token: the client companies it may log into by id. */
  accountantFor?: number[];
  /**
   * An accountant token that may also read its own company's books with username `0` (apis.md: username `0` is "the
   * employee's own company"; whether Tripletex lets an accountant login do so is UNCONFIRMED). Default false: username
   * `0` reaches only `>whoAmI` and `>withLoginAccess`.
   */
  ownCompanyAccess?: boolean;
  /** Path prefixes the token's entitlements do not cover (403 code 9000), e.g. `["/ledger/posting"]`. */
  denied?: string[];
}

export interface TripletexFakeRateLimit {
  /** Requests per period and employee token. */
  limit: number;
  periodSeconds: number;
  /** Leave `X-Rate-Limit-Reset` out of the 429 itself (clients must back off on their own). */
  omitResetOn429?: boolean;
  /** Send `Retry-After` (seconds) on the 429. */
  retryAfterOn429?: boolean;
}

export interface TripletexFakeApiOptions {
  /** The API consumer token saldo (the integration) owns. */
  consumerToken: string;
  /** The companies' books; each is served under its `company.id` (a positive integer as text). */
  companies: readonly LedgerBooks[];
  employeeTokens: readonly TripletexFakeEmployeeToken[];
  rateLimit?: TripletexFakeRateLimit;
  /** The clock (tests move it to expire sessions). */
  now?: () => Date;
  /** Rows a query may have in total (Tripletex: 10 000). */
  maxRowsPerQuery?: number;
}

export interface FakeApiRequest {
  method: string;
  /** Path after `/v2`, percent-decoded: `/token/session/>whoAmI`. */
  path: string;
  query: URLSearchParams;
  authorization?: string;
}

export interface FakeApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body; undefined for none. */
  body?: unknown;
}

/** A request the fake answered, for tests (no secrets: the query without tokens). */
export interface FakeApiLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  /** The Basic-auth username (company context), when one was sent. */
  username?: string;
}

/** Entries of {@link TripletexFakeApi.log} kept (the oldest are dropped first). */
const LOG_LIMIT = 10_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Session {
  token: string;
  id: number;
  employeeToken: TripletexFakeEmployeeToken;
  expirationDate: string;
}

interface Context {
  session: Session;
  company: ServedCompany;
  /** Username `0`: the employee's own company. */
  ownCompany: boolean;
}

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly validation: { field: string; message: string }[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const DEFAULT_COUNT = 1000;

/** Tripletex's voucher type of each kind of demo voucher. */
const VOUCHER_TYPES: Record<DemoVoucherKind, string> = {
  sale: "Utgående faktura",
  "customer-payment": "Innbetaling",
  purchase: "Leverandørfaktura",
  "supplier-payment": "Utbetaling",
  salary: "Lønnsbilag",
  rent: "Leverandørfaktura",
  "bank-fee": "Bankbilag",
  interest: "Bankbilag",
  "vat-settlement": "Mva-melding",
  "vat-payment": "Utbetaling",
  "tax-payment": "Utbetaling",
  depreciation: "Memorialbilag",
  "result-allocation": "Årsavslutning",
};

/** The fake Tripletex API (see the module comment). */
export class TripletexFakeApi {
  readonly #options: TripletexFakeApiOptions;
  readonly #now: () => Date;
  readonly #maxRows: number;
  readonly #sessions = new Map<string, Session>();
  readonly #companies = new Map<number, ServedCompany>();
  readonly #rateWindows = new Map<string, { start: number; used: number }>();
  /** 429s answered per employee token (its value), for tests that assert a client stayed under the limit. */
  readonly throttled = new Map<string, number>();
  #rateLimit: TripletexFakeRateLimit | undefined;
  #nextSessionId = 1;
  #requestCounter = 0;
  /** The requests answered, in order (the last 10 000; bodies are in the server's exchanges). */
  readonly log: FakeApiLogEntry[] = [];

  constructor(options: TripletexFakeApiOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#maxRows = options.maxRowsPerQuery ?? 10_000;
    this.#rateLimit = options.rateLimit;
    for (const books of options.companies) {
      const id = Number(books.company.id);
      if (!Number.isSafeInteger(id) || id <= 0)
        throw new RangeError(`a Tripletex company id is a positive integer, not ${books.company.id}`);
      this.#companies.set(id, {
        id,
        books,
        view: new TripletexBooksView(books),
        names: {
          customers: new Map(books.customers.map((party) => [party.id, party.name])),
          suppliers: new Map(books.suppliers.map((party) => [party.id, party.name])),
          departments: new Map(books.departments.map((value) => [value.id, value.name])),
          projects: new Map(books.projects.map((value) => [value.id, value.name])),
        },
        vatRates: new Map(books.vatCodes.map((code) => [code.code, { name: code.name, rate: code.rate }])),
      });
    }
  }

  /** Changes the rate limit (tests of 429), or lifts it (`undefined`). Resets the counters. */
  setRateLimit(rateLimit: TripletexFakeRateLimit | undefined): void {
    this.#rateLimit = rateLimit;
    this.#rateWindows.clear();
  }

  /** Ends every session now, as if they had all lapsed (tests of re-creating a session on 401). */
  expireSessions(): void {
    this.#sessions.clear();
  }

  /** How many sessions were created so far. */
  get sessionsCreated(): number {
    return this.#nextSessionId - 1;
  }

  /** Books a voucher in a company after the start (a test's "new postings since the last sync"). */
  addVoucher(companyId: number, voucher: DemoVoucher): void {
    const company = this.#companies.get(companyId);
    if (!company) throw new RangeError(`no company ${companyId}`);
    company.view.addVoucher(voucher);
  }

  /** Changes a voucher of a company's books (same id and date, other postings), as an edit in Tripletex would. */
  changeVoucher(companyId: number, voucher: DemoVoucher): void {
    const company = this.#companies.get(companyId);
    if (!company) throw new RangeError(`no company ${companyId}`);
    company.view.changeVoucher(voucher);
  }

  /** Answers one request. Never throws. */
  handle(request: FakeApiRequest): FakeApiResponse {
    const requestId = `fake-${++this.#requestCounter}-${randomBytes(4).toString("hex")}`;
    let response: FakeApiResponse;
    let username: string | undefined;
    try {
      username = basicUsername(request.authorization);
      response = this.#route(request);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      response = {
        status: error.status,
        headers: error.headers,
        body: {
          status: error.status,
          ...(error.status === 429 ? {} : { code: error.code }),
          message: error.message,
          link: "https://tripletex.no/v2-docs/",
          developerMessage: error.message,
          validationMessages: error.validation.map((item) => ({ field: item.field, message: item.message })),
          requestId,
        },
      };
    }
    response.headers = { ...response.headers, "x-tlx-request-id": requestId };
    this.log.push({
      method: request.method,
      path: request.path,
      query: withoutSecrets(request.query),
      status: response.status,
      ...(username !== undefined ? { username } : {}),
    });
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    return response;
  }

  #route(request: FakeApiRequest): FakeApiResponse {
    const { method, path, query } = request;
    if (path === "/token/session/:create" && (method === "PUT" || method === "POST")) return this.#createSession(query);

    const context = this.#authenticate(request);
    const rate = this.#countRate(context.session.employeeToken.token);
    const ok = (body: unknown): FakeApiResponse => ({ status: 200, headers: rate, body });
    this.#checkAccess(context, path);

    if (method !== "GET") throw new ApiFailure(405, 4000, `${method} is not supported by the fake on ${path}`);
    if (path === "/token/session/>whoAmI") return ok(this.#single(this.#whoAmI(context), query));
    if (path === "/company/>withLoginAccess") return ok(this.#list(this.#loginAccess(context), query, path));
    const companyMatch = /^\/company\/(\d+)$/.exec(path);
    if (companyMatch) {
      const id = Number(companyMatch[1]);
      if (id !== context.company.id) throw new ApiFailure(404, 6000, `Object not found: company ${id}`);
      return ok(this.#single(companyJson(context.company), query));
    }
    if (path === "/ledger/account") return ok(this.#list(this.#accounts(context.company, query), query, path));
    if (path === "/balanceSheet") return ok(this.#list(this.#balanceSheet(context.company, query), query, path));
    if (path === "/ledger/posting") return ok(this.#postings(context.company, query, path));
    if (path === "/ledger/voucher") return ok(this.#vouchers(context.company, query, path));
    if (path === "/ledger/annualAccount")
      return ok(this.#list(this.#annualAccounts(context.company, query), query, path));
    throw new ApiFailure(404, 6000, `Not found: ${path}`);
  }

  // --- auth -----------------------------------------------------------------------------------------------------

  #createSession(query: URLSearchParams): FakeApiResponse {
    const consumerToken = query.get("consumerToken");
    const employeeTokenValue = query.get("employeeToken");
    const expirationDate = query.get("expirationDate");
    const missing = [
      ["consumerToken", consumerToken],
      ["employeeToken", employeeTokenValue],
      ["expirationDate", expirationDate],
    ].filter(([, value]) => !value);
    if (missing.length > 0) {
      throw new ApiFailure(
        422,
        15000,
        "Validering feilet.",
        missing.map(([field]) => ({ field: field!, message: "Kan ikke være null." })),
      );
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(expirationDate!) || Number.isNaN(Date.parse(expirationDate!))) {
      throw new ApiFailure(422, 15000, "Validering feilet.", [{ field: "expirationDate", message: "Ugyldig dato." }]);
    }
    const employeeToken = this.#options.employeeTokens.find((candidate) => candidate.token === employeeTokenValue);
    if (consumerToken !== this.#options.consumerToken || !employeeToken) {
      throw new ApiFailure(
        403,
        9000,
        "Invalid or expired token: the consumer token or the employee token is not valid.",
      );
    }
    const rate = this.#countRate(employeeToken.token);
    const session: Session = {
      token: `eyJ0b2tlbklkIjo${randomBytes(24).toString("base64url")}`,
      id: this.#nextSessionId++,
      employeeToken,
      expirationDate: expirationDate!,
    };
    this.#sessions.set(session.token, session);
    return {
      status: 200,
      headers: rate,
      body: {
        value: {
          id: session.id,
          version: 0,
          url: `tripletex.no/v2/token/session/${session.id}`,
          consumerToken: { id: 1, url: "tripletex.no/v2/token/consumer/1" },
          employeeToken: {
            id: employeeToken.employee.id,
            url: `tripletex.no/v2/token/employee/${employeeToken.employee.id}`,
          },
          expirationDate: session.expirationDate,
          token: session.token,
        },
      },
    };
  }

  #authenticate(request: FakeApiRequest): Context {
    const credentials = basicCredentials(request.authorization);
    if (!credentials) throw new ApiFailure(401, 3000, "Authorization header missing or not HTTP Basic.");
    const session = this.#sessions.get(credentials.password);
    // A session lives while today is before its expiration date: one asked for with today's date never works.
    if (!session || today(this.#now()) >= session.expirationDate) {
      throw new ApiFailure(401, 3000, "Unauthorized: the session token is invalid or has expired.");
    }
    const token = session.employeeToken;
    const username = credentials.username;
    if (username === "" || username === "0") {
      return { session, company: this.#companies.get(token.companyId)!, ownCompany: true };
    }
    const companyId = Number(username);
    const allowed = token.accountantFor?.includes(companyId) || companyId === token.companyId;
    const company = this.#companies.get(companyId);
    if (!Number.isInteger(companyId) || !allowed || !company) {
      throw new ApiFailure(403, 9000, `No login access to company ${username}.`);
    }
    return { session, company, ownCompany: companyId === token.companyId };
  }

  #checkAccess(context: Context, path: string): void {
    const token = context.session.employeeToken;
    const proxyFree = path === "/token/session/>whoAmI" || path === "/company/>withLoginAccess";
    if (token.accountantFor && context.ownCompany && !proxyFree && !token.ownCompanyAccess) {
      throw new ApiFailure(
        403,
        9000,
        "An accountant token with username 0 may only call /token/session/>whoAmI and /company/>withLoginAccess: " +
          "log in with the client company's id as the username.",
      );
    }
    if (token.denied?.some((prefix) => path.startsWith(prefix))) {
      throw new ApiFailure(403, 9000, `You do not have access to ${path}: the employee token lacks the entitlement.`);
    }
  }

  #countRate(tokenValue: string): Record<string, string> {
    const limit = this.#rateLimit;
    if (!limit) return {};
    const nowMs = this.#now().getTime();
    const periodMs = limit.periodSeconds * 1000;
    let window = this.#rateWindows.get(tokenValue);
    if (!window || nowMs - window.start >= periodMs) {
      window = { start: nowMs, used: 0 };
      this.#rateWindows.set(tokenValue, window);
    }
    const resetSeconds = String(Math.max(1, Math.ceil((window.start + periodMs - nowMs) / 1000)));
    if (window.used >= limit.limit) {
      this.throttled.set(tokenValue, (this.throttled.get(tokenValue) ?? 0) + 1);
      throw new ApiFailure(429, 0, "Too many requests: the rate limit of the period is used up.", [], {
        "X-Rate-Limit-Limit": String(limit.limit),
        "X-Rate-Limit-Remaining": "0",
        ...(limit.omitResetOn429 ? {} : { "X-Rate-Limit-Reset": resetSeconds }),
        ...(limit.retryAfterOn429 ? { "Retry-After": resetSeconds } : {}),
      });
    }
    window.used++;
    return {
      "X-Rate-Limit-Limit": String(limit.limit),
      "X-Rate-Limit-Remaining": String(limit.limit - window.used),
      "X-Rate-Limit-Reset": resetSeconds,
    };
  }

  // --- resources ------------------------------------------------------------------------------------------------

  #whoAmI(context: Context): JsonObject {
    const token = context.session.employeeToken;
    const own = this.#companies.get(token.companyId)!;
    return {
      employeeId: token.employee.id,
      actualEmployeeId: token.employee.id,
      employee: {
        id: token.employee.id,
        url: `tripletex.no/v2/employee/${token.employee.id}`,
        firstName: token.employee.firstName,
        lastName: token.employee.lastName,
        email: token.employee.email ?? null,
      },
      companyId: own.id,
      company: companyJson(own),
      language: "no",
      loggedInWithConnect: false,
      employeeIsProxy: !context.ownCompany,
    };
  }

  #loginAccess(context: Context): JsonObject[] {
    const clients = context.session.employeeToken.accountantFor ?? [];
    return clients
      .map((id) => this.#companies.get(id))
      .filter((company): company is ServedCompany => company !== undefined)
      .map((company) => ({ ...companyJson(company), accountantOrSimilar: false, customerCompanyId: company.id }));
  }

  #accounts(company: ServedCompany, query: URLSearchParams): JsonObject[] {
    const numbers = query
      .get("number")
      ?.split(",")
      .map((text) => text.trim());
    const isInactive = booleanParam(query, "isInactive");
    const isBalanceAccount = booleanParam(query, "isBalanceAccount");
    return sortedAccounts(company.books)
      .filter((account) => !numbers || numbers.includes(account.number))
      .filter(() => isInactive === undefined || isInactive === false)
      .filter((account) => isBalanceAccount === undefined || account.isBalanceAccount === isBalanceAccount)
      .map((account) => accountJson(account, company));
  }

  #balanceSheet(company: ServedCompany, query: URLSearchParams): JsonObject[] {
    const { dateFrom, dateTo } = dateRange(query);
    const accountNumberFrom = intParam(query, "accountNumberFrom");
    const accountNumberTo = intParam(query, "accountNumberTo");
    const withoutMovements = booleanParam(query, "includeActiveAccountsWithoutMovements") === true;
    const figures = company.view.figures(dateFrom, dateTo);
    const rows: JsonObject[] = [];
    for (const account of sortedAccounts(company.books)) {
      const number = Number(account.number);
      if (accountNumberFrom !== undefined && number < accountNumberFrom) continue;
      if (accountNumberTo !== undefined && number >= accountNumberTo) continue;
      const figure = figures.get(account.number) ?? { balanceIn: 0n, balanceChange: 0n };
      // The known field problem: the reported opening is off by the books' adjustments (the postings are right).
      const balanceIn = figure.balanceIn + company.view.reportedAdjustment(account.number, dateFrom);
      // Without the flag only accounts with movement in the dates are listed (every demo account is active).
      if (figure.balanceChange === 0n && !withoutMovements) continue;
      rows.push({
        account: accountJson(account, company),
        balanceIn: amount(balanceIn),
        balanceChange: amount(figure.balanceChange),
        balanceOut: amount(balanceIn + figure.balanceChange),
        startDate: dateFrom,
        endDate: dateTo,
      });
    }
    return rows;
  }

  #postings(company: ServedCompany, query: URLSearchParams, path: string): JsonObject {
    const postingQuery: PostingQuery = {
      ...dateRange(query),
      ...optional("accountNumberFrom", intParam(query, "accountNumberFrom")),
      ...optional("accountNumberTo", intParam(query, "accountNumberTo")),
    };
    const total = company.view.countPostings(postingQuery, this.#maxRows);
    this.#checkRowCap(total);
    const { from, count } = paging(query);
    const selection = fieldSelection(query);
    const values: JsonObject[] = [];
    for (const posting of company.view.postings(postingQuery, { offset: from, limit: count })) {
      values.push(filtered(postingJson(posting, company), selection));
    }
    return envelope(values, total, from, this.#digest(company, path, query, total));
  }

  #vouchers(company: ServedCompany, query: URLSearchParams, path: string): JsonObject {
    const voucherQuery = dateRange(query);
    const total = company.view.countVouchers(voucherQuery, this.#maxRows);
    this.#checkRowCap(total);
    const { from, count } = paging(query);
    const selection = fieldSelection(query);
    const values: JsonObject[] = [];
    let index = 0;
    for (const voucher of company.view.vouchers(voucherQuery)) {
      if (index++ < from) continue;
      if (values.length >= count) break;
      values.push(filtered(voucherJson(voucher), selection));
    }
    return envelope(values, total, from, this.#digest(company, path, query, total));
  }

  #annualAccounts(company: ServedCompany, query: URLSearchParams): JsonObject[] {
    const yearFrom = intParam(query, "yearFrom") ?? 0;
    const yearTo = intParam(query, "yearTo") ?? 10_000;
    return company.books.fiscalYears
      .map((year) => ({ year: Number(year.start.slice(0, 4)), start: year.start, end: year.end }))
      .filter(({ year }) => year >= yearFrom && year < yearTo)
      .map(({ year, start, end }) => ({
        id: company.id * 10_000 + year,
        version: 0,
        url: `tripletex.no/v2/ledger/annualAccount/${company.id * 10_000 + year}`,
        year,
        start,
        // Tripletex's end dates are exclusive.
        end: nextDay(end),
      }));
  }

  #checkRowCap(total: number): void {
    if (total > this.#maxRows) {
      throw new ApiFailure(
        422,
        23000,
        `Result set too large: the query gives ${total} rows, more than ${this.#maxRows}. Narrow the query (e.g. a shorter date range).`,
      );
    }
  }

  #list(all: JsonObject[], query: URLSearchParams, path: string): JsonObject {
    const { from, count } = paging(query);
    const selection = fieldSelection(query);
    const page = all.slice(from, from + count).map((value) => filtered(value, selection));
    const digest = all.length === 0 ? null : sha(JSON.stringify(all)).slice(0, 16) + sha(path).slice(0, 4);
    return envelope(page, all.length, from, digest);
  }

  #single(value: JsonObject, query: URLSearchParams): JsonObject {
    return { value: filtered(value, fieldSelection(query)) };
  }

  /**
   * A hash of the full result without producing it: the query (paging and fields aside) and the changes to the books
   * dated in its dates — a change elsewhere leaves the digest of this list alone, as Tripletex's hash of the result.
   */
  #digest(company: ServedCompany, path: string, query: URLSearchParams, total: number): string | null {
    if (total === 0) return null;
    const kept = [...query.entries()].filter(([name]) => !["from", "count", "fields", "sorting"].includes(name)).sort();
    const { dateFrom, dateTo } = dateRange(query);
    return sha(JSON.stringify([company.id, company.view.changesIn(dateFrom, dateTo), path, kept])).slice(0, 20);
  }
}

// --- JSON of the entities ---------------------------------------------------------------------------------------

function amount(ore: Ore): number {
  return Number(formatOre(ore));
}

function nextDay(date: string): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + 1);
  return at.toISOString().slice(0, 10);
}

function companyJson(company: ServedCompany): JsonObject {
  const { books } = company;
  return {
    id: company.id,
    version: 1,
    url: `tripletex.no/v2/company/${company.id}`,
    name: books.company.name,
    displayName: books.company.name,
    startDate: books.conversionDate,
    organizationNumber: books.company.orgNumber,
    email: null,
    type: "AS",
    address: {
      id: company.id,
      url: `tripletex.no/v2/address/${company.id}`,
      addressLine1: books.company.address.street,
      postalCode: books.company.address.postalCode,
      city: books.company.address.city,
    },
    currency: { id: 1, url: "tripletex.no/v2/currency/1", code: books.company.currency },
  };
}

function sortedAccounts(books: LedgerBooks): DemoAccount[] {
  return [...books.accounts].sort((a, b) => Number(a.number) - Number(b.number));
}

/** Tripletex's internal id of an account (the fake's: stable per company and number). */
function accountId(company: ServedCompany, number: string): number {
  return company.id * 100_000 + Number(number);
}

function accountJson(account: DemoAccount, company: ServedCompany): JsonObject {
  const number = Number(account.number);
  const id = accountId(company, account.number);
  return {
    id,
    version: 0,
    url: `tripletex.no/v2/ledger/account/${id}`,
    number,
    numberPretty: account.number,
    name: account.name,
    description: "",
    type: accountTypeOf(number),
    ledgerType: "GENERAL",
    balanceGroup: account.isBalanceAccount ? "BALANCE" : "PROFIT_AND_LOSS",
    vatType: account.vatCode === undefined ? null : vatTypeJson(account.vatCode, company),
    vatLocked: false,
    currency: { id: 1, url: "tripletex.no/v2/currency/1", code: company.books.company.currency },
    isCloseable: account.number === "1500" || account.number === "2400",
    isApplicableForSupplierInvoice: !account.isBalanceAccount,
    requireReconciliation: false,
    isInactive: false,
    isBankAccount: number >= 1900 && number < 2000,
    isInvoiceAccount: false,
    saftCode: account.standardAccountId,
    groupingCode: account.groupingCode,
    displayName: `${account.number} ${account.name}`,
    requiresDepartment: false,
    requiresProject: false,
    isPostingsExist: true,
  };
}

function vatTypeJson(code: string, company: ServedCompany): JsonObject {
  const vat = company.vatRates.get(code);
  const id = Number(code) || 0;
  return {
    id,
    url: `tripletex.no/v2/ledger/vatType/${id}`,
    number: code,
    name: vat?.name ?? code,
    percentage: vat?.rate ?? 0,
  };
}

/** A numeric id for a text key (departments and projects have text numbers, Tripletex ids are integers). */
function idOf(kind: string, key: string): number {
  return /^\d+$/.test(key) ? Number(key) : Number.parseInt(sha(`${kind}:${key}`).slice(0, 8), 16);
}

function referenceJson(
  kind: string,
  numberField: string,
  key: string | undefined,
  names: Map<string, string>,
  numeric: boolean,
): Json {
  if (key === undefined) return null;
  const id = idOf(kind, key);
  return {
    id,
    url: `tripletex.no/v2/${kind}/${id}`,
    [numberField]: numeric ? Number(key) : key,
    name: names.get(key) ?? key,
  };
}

function voucherJson(voucher: DemoVoucher): JsonObject {
  const typeName = VOUCHER_TYPES[voucher.kind];
  const typeId = Number.parseInt(sha(typeName).slice(0, 6), 16);
  return {
    id: voucher.id,
    version: 0,
    url: `tripletex.no/v2/ledger/voucher/${voucher.id}`,
    date: voucher.date,
    number: voucher.number,
    tempNumber: 0,
    year: voucher.year,
    description: voucher.description,
    voucherType: { id: typeId, url: `tripletex.no/v2/ledger/voucherType/${typeId}`, name: typeName },
  };
}

function postingJson(posting: DemoPostingRow, company: ServedCompany): JsonObject {
  const rate = posting.vatCode ? (company.vatRates.get(posting.vatCode)?.rate ?? 0) : 0;
  // amountGross is the amount with VAT on a line with a VAT code: balances must be built from `amount`.
  const gross = posting.amount + (posting.amount * BigInt(Math.round(rate * 100))) / 10_000n;
  const { names } = company;
  const currency = company.books.company.currency;
  const accountNumber = Number(posting.account);
  return {
    id: posting.id,
    version: 0,
    url: `tripletex.no/v2/ledger/posting/${posting.id}`,
    voucher: voucherJson(posting.voucher),
    date: posting.date,
    description: posting.description,
    account: {
      id: accountId(company, posting.account),
      url: `tripletex.no/v2/ledger/account/${accountId(company, posting.account)}`,
      number: accountNumber,
    },
    customer: referenceJson("customer", "customerNumber", posting.customerId, names.customers, true),
    supplier: referenceJson("supplier", "supplierNumber", posting.supplierId, names.suppliers, true),
    employee: null,
    project: referenceJson("project", "number", posting.projectId, names.projects, false),
    product: null,
    department: referenceJson("department", "departmentNumber", posting.departmentId, names.departments, false),
    vatType: posting.vatCode === undefined ? null : vatTypeJson(posting.vatCode, company),
    amount: amount(posting.amount),
    amountCurrency: amount(posting.amount),
    amountGross: amount(gross),
    amountGrossCurrency: amount(gross),
    currency: { id: 1, url: "tripletex.no/v2/currency/1", code: currency },
    closeGroup: null,
    invoiceNumber: "",
    termOfPayment: null,
    row: posting.row,
    systemGenerated: false,
    freeAccountingDimension1: null,
    freeAccountingDimension2: null,
    freeAccountingDimension3: null,
  };
}

/** Tripletex's account type of an NS 4102 account number. */
function accountTypeOf(number: number): string {
  if (number < 2000) return "ASSETS";
  if (number < 2100) return "EQUITY";
  if (number < 3000) return "LIABILITIES";
  if (number < 4000) return "OPERATING_REVENUES";
  if (number < 8000) return "OPERATING_EXPENSES";
  if (number < 8100) return "INVESTMENT_INCOME";
  if (number < 8300) return "COST_OF_CAPITAL";
  if (number < 8400) return "TAX_ON_ORDINARY_ACTIVITIES";
  if (number < 8800) return "EXTRAORDINARY_INCOME";
  if (number < 8900) return "ANNUAL_RESULT";
  return "TRANSFERS_AND_ALLOCATIONS";
}

// --- requests ---------------------------------------------------------------------------------------------------

/**
 * The list envelope. Tripletex's introduction says `versionDigest` is "null if no result", but the OpenAPI document
 * types it as a plain string: the fake leaves it out then (as it leaves out every null, see `withoutNulls`).
 */
function envelope(values: JsonObject[], total: number, from: number, versionDigest: string | null): JsonObject {
  return {
    fullResultSize: total,
    from,
    count: values.length,
    ...(versionDigest === null ? {} : { versionDigest }),
    values,
  };
}

function fieldSelection(query: URLSearchParams) {
  try {
    return parseFieldsFilter(query.get("fields") ?? "");
  } catch (error) {
    if (error instanceof FieldsFilterError) throw new ApiFailure(400, 11000, error.message);
    throw error;
  }
}

function filtered(value: JsonObject, selection: ReturnType<typeof parseFieldsFilter>): JsonObject {
  try {
    return withoutNulls(applyFieldsFilter(value, selection)) as JsonObject;
  } catch (error) {
    if (error instanceof FieldsFilterError) throw new ApiFailure(400, 11000, error.message);
    throw error;
  }
}

/**
 * Fields without a value are left out of the answer ("missing fields … can occur", says the API's introduction): the
 * OpenAPI document declares no field nullable, so the fake never sends `null` inside an object.
 */
function withoutNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const [key, field] of Object.entries(value)) if (field !== null) out[key] = withoutNulls(field);
  return out;
}

function paging(query: URLSearchParams): { from: number; count: number } {
  const from = intParam(query, "from") ?? 0;
  const count = intParam(query, "count") ?? DEFAULT_COUNT;
  if (from < 0 || count < 0)
    throw new ApiFailure(422, 15000, "Validering feilet.", [{ field: "from", message: "Må være 0 eller mer." }]);
  return { from, count };
}

function dateRange(query: URLSearchParams): { dateFrom: string; dateTo: string } {
  const dateFrom = query.get("dateFrom");
  const dateTo = query.get("dateTo");
  const problems: { field: string; message: string }[] = [];
  for (const [field, value] of [
    ["dateFrom", dateFrom],
    ["dateTo", dateTo],
  ] as const) {
    if (!value) problems.push({ field, message: "Kan ikke være null." });
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
      problems.push({ field, message: "Ugyldig dato, forventet yyyy-MM-dd." });
  }
  if (problems.length === 0 && dateFrom! >= dateTo!)
    problems.push({ field: "dateTo", message: "Til-dato må være etter fra-dato." });
  if (problems.length > 0) throw new ApiFailure(422, 15000, "Validering feilet.", problems);
  return { dateFrom: dateFrom!, dateTo: dateTo! };
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === "") return undefined;
  if (!/^-?\d+$/.test(text))
    throw new ApiFailure(422, 15000, "Validering feilet.", [{ field: name, message: "Ugyldig tall." }]);
  return Number(text);
}

function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const text = query.get(name);
  if (text === null || text === "") return undefined;
  return text === "true";
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function basicUsername(header: string | undefined): string | undefined {
  return basicCredentials(header)?.username;
}

function withoutSecrets(query: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const [name, value] of query) if (!/token$/i.test(name)) kept.append(name, value);
  return kept.toString();
}

function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
