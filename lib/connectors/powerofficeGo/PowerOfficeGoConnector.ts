import { createHash } from "node:crypto";
import type { z } from "zod";
import type { Issue, Period } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import { Secret } from "../../secrets/Secret.ts";
import { connectionCheckFromError, ConnectorNoAccessError, ConnectorRequestRejectedError } from "../errors.ts";
import { KeyedRateLimiter, RequestRecorder, type RateLimit, type RetryPolicy } from "../http/index.ts";
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
import { addDays, fiscalYearStartOf, monthWindows, splitWindow } from "./dates.ts";
import {
  accountOf,
  detectResultBalanceMode,
  resultModeIssue,
  vouchersOf,
  type AccountFigures,
  type PostingRow,
  type PowerOfficeAccountType,
} from "./mapPowerOfficeGo.ts";
import {
  digestOf,
  PowerOfficeGoSession,
  PowerOfficeGoTokenCache,
  type PowerOfficeGoPlatform,
} from "./PowerOfficeGoSession.ts";
import { formatPowerOfficeTimestamp, laterTimestamp, timestampMicros } from "./powerOfficeTimestamp.ts";
import {
  AccountTransactionListSchema,
  ClientIntegrationInformationSchema,
  FinancialSettingsSchema,
  GeneralLedgerAccountListSchema,
  MONTHS,
  OrganizationSettingsSchema,
  readProblemDetails,
  TrialBalanceListSchema,
  type ClientIntegrationInformation,
  type GeneralLedgerAccount,
} from "./schemas.ts";

/** PowerOffice Go's production host; the demo environment is `https://goapi.poweroffice.net/Demo` (apis.md). */
export const POWEROFFICE_GO_BASE_URL = "https://goapi.poweroffice.net";

/**
 * v2's default subscription allows 10 requests per second per subscription key, shared by every client (apis.md),
 * kept by the shared {@link KeyedRateLimiter} (its slots rest a window after each answer, so late arrivals cannot bunch).
 */
export const POWEROFFICE_GO_RATE_LIMIT: RateLimit = { requests: 10, perMs: 1000 };

/** Rows one `AccountTransactions` query may match ("50 000 rows per call", apis.md). */
export const POWEROFFICE_GO_ROW_CAP = 50_000;

/** Largest `PageSize` the API allows (ResourceParameters.MaxPageSize). */
export const POWEROFFICE_GO_MAX_PAGE_SIZE = 20_000;

/** The privileges a pull needs (the spec's "Auth roles" of the endpoints read). */
export const REQUIRED_PRIVILEGES = [
  "CommonServices",
  "GeneralLedgerAccount",
  "TrialBalance",
  "AccountTransaction",
] as const;

/**
 * The limiter every PowerOffice Go connector of the process shares unless given one: the budget belongs to the
 * subscription key, whatever client or tenant the call is for. (Across processes — several Lambda instances — the
 * server's 429 and the HTTP client's backoff remain the guard.)
 */
const processLimiter = new KeyedRateLimiter();

export interface PowerOfficeGoConnectorOptions {
  /** saldo's application key (platform configuration: a Secrets Manager secret in the cloud, a demo value locally). */
  applicationKey: Secret<string> | string;
  /** saldo's subscription key (platform configuration). */
  subscriptionKey: Secret<string> | string;
  /** Host root: {@link POWEROFFICE_GO_BASE_URL} (default), the demo one, or a fake's URL. */
  baseUrl?: string;
  /** Overrides of the derived URLs (`${baseUrl}/v2`, `${baseUrl}/OAuth/Token`). */
  apiBaseUrl?: string;
  tokenUrl?: string;
  /** Shared limiter (default: one per process). */
  limiter?: KeyedRateLimiter;
  /** The subscription key's budget (default {@link POWEROFFICE_GO_RATE_LIMIT}). */
  rateLimit?: RateLimit;
  /** `PageSize` of list calls (default the maximum, 20 000: fewer requests). */
  pageSize?: number;
  /** Rows at which a transactions window is treated as capped (default {@link POWEROFFICE_GO_ROW_CAP}). */
  rowCap?: number;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  /** Seconds before `expires_in` at which a token is renewed (default 60, at most half its life). */
  tokenSafetySeconds?: number;
}

/** What the marker of a PowerOffice Go pull remembers (ChangeMarker.details, JSON-plain). */
interface MarkerDetails extends Record<string, string> {
  period: string;
  /** Newest CreatedDateTimeOffset of the period's postings ("" when none). */
  created: string;
  /** Newest LastChangedDateTimeOffset of the period's postings. */
  changed: string;
  /** Newest LastChangedDateTimeOffset of the chart. */
  accountsChanged: string;
  /** Digest of the trial balance at the day before the period (catches back-dated postings that move the IB). */
  opening: string;
  /** "no" when every posting read was in the month of its voucher's date (months can then be read again alone). */
  crossMonth: string;
  /** How `/TrialBalance` carried result accounts over ("restart" | "cumulative"), as the last full pull found. */
  resultMode: string;
}

/**
 * PowerOffice Go API v2 adapter of the connector port (apis.md; vendor spec `poweroffice-go-v2.openapi.yaml`).
 *
 * A pull reads the client's integration information (name, privileges), organisation settings (org number), financial
 * settings (fiscal year, currency), the chart of accounts, the trial balance at the day before the period (IB) and at
 * its last day (UB), and the period's account transactions month by month (both dates inclusive; a month that hits the
 * row cap is split in halves, down to single days and then account ranges), page by page until a short page (204 =
 * empty). Postings are grouped into vouchers and streamed; the account records follow at the end, when the postings'
 * sums are known, so that result accounts can be reconciled (whether they restart at each fiscal year in
 * `/TrialBalance` is unconfirmed, apis.md).
 */
export class PowerOfficeGoConnector implements AccountingConnector<"poweroffice-go"> {
  readonly system = "poweroffice-go" as const;
  readonly #platform: PowerOfficeGoPlatform;
  readonly #tokens = new PowerOfficeGoTokenCache();
  readonly #pageSize: number;
  readonly #rowCap: number;

  constructor(options: PowerOfficeGoConnectorOptions) {
    const subscriptionKey = asSecret(options.subscriptionKey);
    const baseUrl = (options.baseUrl ?? POWEROFFICE_GO_BASE_URL).replace(/\/+$/, "");
    const limiter = options.limiter ?? processLimiter;
    const limiterKey = `poweroffice-go:subscription:${digestOf(subscriptionKey.reveal())}`;
    limiter.setLimit(limiterKey, options.rateLimit ?? POWEROFFICE_GO_RATE_LIMIT);
    this.#platform = {
      applicationKey: asSecret(options.applicationKey),
      subscriptionKey,
      apiBaseUrl: options.apiBaseUrl ?? `${baseUrl}/v2`,
      tokenUrl: options.tokenUrl ?? `${baseUrl}/OAuth/Token`,
      limiter,
      limiterKey,
      now: options.now ?? Date.now,
      tokenSafetySeconds: options.tokenSafetySeconds ?? 60,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    };
    this.#pageSize = Math.min(options.pageSize ?? POWEROFFICE_GO_MAX_PAGE_SIZE, POWEROFFICE_GO_MAX_PAGE_SIZE);
    this.#rowCap = options.rowCap ?? POWEROFFICE_GO_ROW_CAP;
  }

  /** The limiter key of this connector's subscription key (tests and diagnostics). */
  get limiterKey(): string {
    return this.#platform.limiterKey;
  }

  async check(credentials: ConnectorCredentials<"poweroffice-go">): Promise<ConnectionCheck> {
    const checkedAt = () => new Date(this.#platform.now()).toISOString();
    const session = this.#session(credentials, new RequestRecorder());
    let company: ConnectedCompany | undefined;
    try {
      const info = await this.#integrationInformation(session);
      company = companyOf(info);
      const missing = missingPrivileges(info);
      if (missing.length > 0) {
        return {
          status: "no-access",
          checkedAt: checkedAt(),
          company,
          missingPrivileges: missing,
          message: `the integration lacks ${missing.join(", ")} on ${company.name} (grant the privileges, or the client lacks the module)`,
        };
      }
      company = await this.#withOrgNumber(session, company);
      return { status: "ok", checkedAt: checkedAt(), company };
    } catch (error) {
      const check = connectionCheckFromError(error, checkedAt());
      return company ? { ...check, company } : check;
    }
  }

  async listCompanies(credentials: ConnectorCredentials<"poweroffice-go">): Promise<ConnectedCompany[]> {
    const session = this.#session(credentials, new RequestRecorder());
    const company = companyOf(await this.#integrationInformation(session));
    return [await this.#withOrgNumber(session, company)];
  }

  /**
   * At most five requests when nothing changed (a token, when none is cached, and four filtered reads): new postings
   * in the period (`createdDateTimeOffsetGreaterThan` the newest creation time of the previous sync), edited ones
   * (`lastChangedDateTimeOffsetGreaterThan`: Go lets a posted voucher's description change and marks it reversed,
   * never its amounts, and posted vouchers are never deleted — corrections are new vouchers), renamed accounts, and
   * the trial balance at the day before the period (a back-dated posting moves the IB). Nothing: `unchanged`.
   *
   * Otherwise `incremental`: the filtered reads list exactly the new and edited postings, and the months they are in
   * are the windows to read again (whole months, so that the new version lists its lines in the API's order, as a
   * full pull would; the chart and both trial balances are always read in full). `full` when there is no marker of
   * this period, when the previous sync could not vouch that every voucher is dated in the month of its postings (a
   * voucher date in another month than the posting date would put the voucher in a month kept from the previous
   * version), or when the changes are more than one call may list.
   */
  async plan(credentials: ConnectorCredentials<"poweroffice-go">, request: PullRequest): Promise<PullPlan> {
    const details = markerDetailsOf(request.previousMarker, request.period);
    if (!details || !request.previousMarker) {
      return {
        kind: "full",
        reason: request.previousMarker ? "the previous sync was of another period" : "no earlier sync",
        requestCount: 0,
      };
    }
    const recorder = new RequestRecorder();
    const session = this.#session(credentials, recorder);
    const { period } = request;
    const startedAt = new Date(this.#platform.now()).toISOString();
    const full = (reason: string): PullPlan => ({ kind: "full", reason, requestCount: recorder.count });
    const window = { fromDate: period.start, toDate: period.end };

    const months = new Set<string>();
    let crossMonth = false;
    const postings = new Set<number>();
    const discover = async (filter: Record<string, string | undefined>) => {
      for await (const page of this.#pages(
        session,
        "/AccountTransactions",
        AccountTransactionListSchema,
        { ...window, ...filter },
        "AccountTransaction",
        period,
      )) {
        for (const row of page) {
          postings.add(row.Id);
          months.add(row.PostingDate.slice(0, 7));
          if ((row.VoucherDate ?? row.PostingDate).slice(0, 7) !== row.PostingDate.slice(0, 7)) crossMonth = true;
        }
      }
    };
    try {
      await discover({ createdDateTimeOffsetGreaterThan: details.created || undefined });
      if (details.changed) await discover({ lastChangedDateTimeOffsetGreaterThan: details.changed });
    } catch (error) {
      if (isRowCapRefusal(error)) return full("more new or edited postings than one call may list");
      throw error;
    }
    const accounts = await session.get("/GeneralLedgerAccounts", GeneralLedgerAccountListSchema, {
      query: { PageNumber: 1, PageSize: 1, lastChangedDateTimeOffsetGreaterThan: details.accountsChanged || undefined },
      emptyValue: [],
      privilege: "GeneralLedgerAccount",
      rows: (list) => list.length,
    });
    const chartChanged = details.accountsChanged ? accounts.data.length > 0 : false;
    const opening = await this.#trialBalance(session, addDays(period.start, -1));
    const openingChanged = trialBalanceDigest(opening) !== details.opening;
    if (postings.size === 0 && !chartChanged && !openingChanged) {
      return {
        kind: "unchanged",
        marker: { ...request.previousMarker, asOf: new Date(this.#platform.now()).toISOString() },
        requestCount: recorder.count,
      };
    }
    if (details.crossMonth !== "no" || !details.resultMode)
      return full("the previous sync predates incremental refresh (no record of voucher dates and result balances)");
    if (crossMonth) return full("a new or edited voucher is dated in another month than its postings");
    const windows = monthWindows(period).filter((month) => months.has(month.start.slice(0, 7)));
    const reasons = [
      `createdDateTimeOffsetGreaterThan/lastChangedDateTimeOffsetGreaterThan: ${postings.size} new or edited postings in ${windows.length} month${windows.length === 1 ? "" : "s"}`,
    ];
    if (chartChanged) reasons.push("the chart of accounts changed");
    if (openingChanged) reasons.push("the opening trial balance changed");
    return {
      kind: "incremental",
      windows,
      reason: reasons.join("; "),
      requestCount: recorder.count,
      planned: { startedAt },
    };
  }

  async pull(credentials: ConnectorCredentials<"poweroffice-go">, request: PullRequest): Promise<PulledLedger> {
    const { period } = request;
    const recorder = new RequestRecorder();
    const session = this.#session(credentials, recorder);
    const fetchedAt = new Date(this.#platform.now()).toISOString();
    // The newest timestamps the marker keeps are capped here: at the plan's start for an incremental pull (a posting
    // booked after it in a month kept from before is new to the next sync), else at this pull's start.
    const capTimestamp = formatPowerOfficeTimestamp(
      request.windows !== undefined && request.planned !== undefined
        ? new Date(request.planned.startedAt)
        : new Date(this.#platform.now()),
    );

    const info = await this.#integrationInformation(session);
    const missing = missingPrivileges(info);
    const named = companyOf(info);
    if (missing.length > 0) {
      throw new ConnectorNoAccessError(
        `PowerOffice Go: the integration lacks ${missing.join(", ")} on ${named.name} (grant the privileges, or the client lacks the module)`,
        {
          context: { system: "poweroffice-go", endpoint: "GET /ClientIntegrationInformation" },
          missingPrivileges: missing,
        },
      );
    }
    const company = await this.#withOrgNumber(session, named);
    const settings = (await session.get("/FinancialSettings", FinancialSettingsSchema, { privilege: "CommonServices" }))
      .data;
    const currency = settings.CurrencyCode ?? "NOK";
    const endMonth = settings.FinancialYearEndMonth ? MONTHS.indexOf(settings.FinancialYearEndMonth) + 1 : 12;
    const startsFiscalYear = fiscalYearStartOf(period.start, endMonth) === period.start;

    const chart = new Map<number, GeneralLedgerAccount>();
    let accountsChanged: string | undefined;
    for await (const page of this.#pages(
      session,
      "/GeneralLedgerAccounts",
      GeneralLedgerAccountListSchema,
      {},
      "GeneralLedgerAccount",
    )) {
      for (const account of page) {
        chart.set(account.AccountNo, account);
        accountsChanged = laterTimestamp(accountsChanged, account.LastChangedDateTimeOffset ?? undefined);
      }
    }
    const before = await this.#trialBalance(session, addDays(period.start, -1));
    const atEnd = await this.#trialBalance(session, period.end);

    const windows: Period[] = [];
    const movement = new Map<number, Ore>();
    const issues: Issue[] = [];
    // Incremental: only the months asked for; the newest timestamps of the others are the previous sync's.
    const previous = request.windows !== undefined ? markerDetailsOf(request.previousMarker, period) : undefined;
    const toRead = request.windows ?? monthWindows(period);
    let created: string | undefined = previous?.created || undefined;
    let changed: string | undefined = previous?.changed || undefined;
    let crossMonth = previous !== undefined && previous.crossMonth !== "no";
    let marker: ChangeMarker | undefined;
    const transactionWindows = (month: Period) => this.#transactionWindows(session, month);
    const rowCap = this.#rowCap;

    async function* records(): AsyncGenerator<PulledRecord> {
      for (const month of toRead) {
        for await (const { window, pages } of transactionWindows(month)) {
          windows.push(window);
          let rowsInWindow = 0;
          async function* counted(): AsyncGenerator<PostingRow[]> {
            for await (const page of pages) {
              for (const row of page) {
                rowsInWindow++;
                movement.set(row.AccountNo, (movement.get(row.AccountNo) ?? 0n) + row.Amount);
                created = laterTimestamp(created, row.CreatedDateTimeOffset ?? undefined);
                changed = laterTimestamp(changed, row.LastChangedDateTimeOffset ?? undefined);
                if ((row.VoucherDate ?? row.PostingDate).slice(0, 7) !== row.PostingDate.slice(0, 7)) crossMonth = true;
              }
              yield page;
            }
          }
          for await (const transaction of vouchersOf(counted(), currency, (voucherNo) => {
            issues.push({
              severity: "warning",
              code: "POWEROFFICE_VOUCHER_SPLIT",
              message: `voucher ${voucherNo}: its postings were not listed together in ${window.start} – ${window.end}; read as more than one transaction`,
              transactionId: String(voucherNo),
            });
          })) {
            yield { type: "transaction", transaction };
          }
          if (rowsInWindow >= rowCap) {
            issues.push({
              severity: "error",
              code: "POWEROFFICE_WINDOW_AT_CAP",
              message: `${window.start} – ${window.end}: ${rowsInWindow} postings, the API's cap per call; some may be missing`,
            });
          }
        }
      }

      const figures = new Map<number, AccountFigures>();
      const figureOf = (accountNo: number, name: string | null | undefined): AccountFigures => {
        let figure = figures.get(accountNo);
        if (!figure) {
          const account = chart.get(accountNo);
          figure = {
            accountNo,
            name: account?.Name ?? name ?? String(accountNo),
            type: (account?.GeneralLedgerAccountType ?? undefined) as PowerOfficeAccountType | undefined,
            before: 0n,
            atEnd: 0n,
            movement: 0n,
          };
          figures.set(accountNo, figure);
        }
        return figure;
      };
      for (const account of chart.values()) figureOf(account.AccountNo, account.Name);
      for (const line of before) figureOf(line.AccountNo, line.AccountName).before = line.Balance;
      for (const line of atEnd) figureOf(line.AccountNo, line.AccountName).atEnd = line.Balance;
      for (const [accountNo, sum] of movement) figureOf(accountNo, undefined).movement = sum;

      // An incremental pull sees only some months' postings: the mode is the one the previous (full) pull found.
      const mode =
        previous?.resultMode === "restart" || previous?.resultMode === "cumulative"
          ? previous.resultMode
          : ((startsFiscalYear ? detectResultBalanceMode(figures.values()) : undefined) ?? "restart");
      if (mode === "cumulative") issues.push(resultModeIssue(mode));
      for (const figure of [...figures.values()].sort((a, b) => a.accountNo - b.accountNo)) {
        yield { type: "account", account: accountOf(figure, startsFiscalYear, mode) };
      }
      for (const issue of issues) yield { type: "issue", issue };

      const details: MarkerDetails = {
        period: `${period.start}/${period.end}`,
        // Never later than the cap: a posting created while the months were read (in a month already read, or kept)
        // must be new to the next sync, whatever newer posting a later month showed.
        created: earlierTimestamp(created, capTimestamp) ?? "",
        changed: earlierTimestamp(changed, capTimestamp) ?? "",
        accountsChanged: accountsChanged ?? "",
        opening: trialBalanceDigest(before),
        crossMonth: crossMonth ? "yes" : "no",
        resultMode: mode,
      };
      marker = {
        digest: createHash("sha256").update(JSON.stringify(details)).digest("hex"),
        asOf: fetchedAt,
        details,
      };
    }

    return {
      company,
      currency,
      period,
      records: records(),
      provenance: (): SyncProvenance => ({
        system: "poweroffice-go",
        company,
        baseUrl: this.#platform.apiBaseUrl,
        fetchedAt,
        requests: recorder.records,
        requestCount: recorder.count,
        windows: windows.map((window) => ({ ...window })),
        ...(marker ? { marker } : {}),
      }),
    };
  }

  #session(credentials: ConnectorCredentials<"poweroffice-go">, recorder: RequestRecorder): PowerOfficeGoSession {
    return new PowerOfficeGoSession(
      this.#platform,
      new Secret(credentials.key.reveal().clientKey),
      this.#tokens,
      recorder,
    );
  }

  async #integrationInformation(session: PowerOfficeGoSession): Promise<ClientIntegrationInformation> {
    return (await session.get("/ClientIntegrationInformation", ClientIntegrationInformationSchema)).data;
  }

  /** The org number from `/OrganizationSettings`; without the privilege the company is returned as it is. */
  async #withOrgNumber(session: PowerOfficeGoSession, company: ConnectedCompany): Promise<ConnectedCompany> {
    const settings = (
      await session.get("/OrganizationSettings", OrganizationSettingsSchema, { privilege: "CommonServices" })
    ).data;
    const orgNumber = settings.OrganizationNumber?.replace(/\D/g, "");
    return {
      ...company,
      ...(company.name ? {} : { name: settings.Name ?? settings.LegalName ?? company.id }),
      ...(orgNumber ? { orgNumber } : {}),
    };
  }

  async #trialBalance(session: PowerOfficeGoSession, date: string) {
    const lines: z.output<typeof TrialBalanceListSchema> = [];
    for await (const page of this.#pages(
      session,
      "/TrialBalance",
      TrialBalanceListSchema,
      { date, hideAccountsWithZeroBalance: true },
      "TrialBalance",
    )) {
      lines.push(...page);
    }
    return lines;
  }

  /** Pages of a list until a short page (PowerOffice gives no total; an empty page is a 204). */
  async *#pages<S extends z.ZodType<unknown[]>>(
    session: PowerOfficeGoSession,
    path: string,
    schema: S,
    query: Record<string, string | number | boolean | undefined>,
    privilege: string,
    window?: Period,
  ): AsyncGenerator<z.output<S>> {
    for (let pageNumber = 1; ; pageNumber++) {
      const { data } = await session.get(path, schema, {
        query: { ...query, PageNumber: pageNumber, PageSize: this.#pageSize },
        emptyValue: [] as z.output<S>,
        privilege,
        ...(window ? { window } : {}),
        rows: (rows) => (rows as unknown[]).length,
      });
      const rows = data as unknown[];
      if (rows.length > 0) yield data;
      if (rows.length < this.#pageSize) return;
    }
  }

  /**
   * The transaction windows of one month: the month itself, or — when the API refuses it for matching more rows than
   * a call may return — its halves, recursively, down to one day (then account-number ranges). The first page of a
   * window is read before the window is handed out, so a refusal never comes after rows were passed on.
   */
  async *#transactionWindows(
    session: PowerOfficeGoSession,
    window: Period,
    accounts: [number, number] = [0, 999_999_999],
  ): AsyncGenerator<{ window: Period; pages: AsyncIterable<PostingRow[]> }> {
    const query = {
      fromDate: window.start,
      toDate: window.end,
      ...(accounts[0] > 0 || accounts[1] < 999_999_999 ? { accountNos: `${accounts[0]}-${accounts[1]}` } : {}),
    };
    const pageOf = (pageNumber: number) =>
      session.get("/AccountTransactions", AccountTransactionListSchema, {
        query: { ...query, PageNumber: pageNumber, PageSize: this.#pageSize },
        emptyValue: [],
        privilege: "AccountTransaction",
        window,
        rows: (rows) => rows.length,
      });
    let first: PostingRow[];
    try {
      first = (await pageOf(1)).data as PostingRow[];
    } catch (error) {
      if (!isRowCapRefusal(error)) throw error;
      const halves = splitWindow(window);
      if (halves) {
        for (const half of halves) yield* this.#transactionWindows(session, half, accounts);
        return;
      }
      if (accounts[0] < accounts[1]) {
        const middle = Math.floor((accounts[0] + accounts[1]) / 2);
        yield* this.#transactionWindows(session, window, [accounts[0], middle]);
        yield* this.#transactionWindows(session, window, [middle + 1, accounts[1]]);
        return;
      }
      throw error;
    }
    const pageSize = this.#pageSize;
    async function* pages(): AsyncGenerator<PostingRow[]> {
      if (first.length > 0) yield first;
      if (first.length < pageSize) return;
      for (let pageNumber = 2; ; pageNumber++) {
        const rows = (await pageOf(pageNumber)).data as PostingRow[];
        if (rows.length > 0) yield rows;
        if (rows.length < pageSize) return;
      }
    }
    yield { window, pages: pages() };
  }
}

/** A 400 whose ProblemDetails say the query matches more rows than one call may return. */
function isRowCapRefusal(error: unknown): boolean {
  if (!(error instanceof ConnectorRequestRejectedError) || error.httpStatus !== 400) return false;
  const problem = readProblemDetails(error.body);
  return /rows|too many|maximum|at most/i.test(`${problem.title ?? ""} ${problem.detail ?? ""}`);
}

function companyOf(info: ClientIntegrationInformation): ConnectedCompany {
  const id = info.ClientId ?? "";
  return { id, name: info.ClientName ?? id };
}

/** Required privileges the client cannot use: listed invalid, or absent from the valid ones. */
function missingPrivileges(info: ClientIntegrationInformation): string[] {
  const valid = new Set(info.ValidPrivileges ?? []);
  const invalid = new Set(info.InvalidPrivileges ?? []);
  return REQUIRED_PRIVILEGES.filter(
    (privilege) => invalid.has(privilege) || (info.ValidPrivileges && !valid.has(privilege)),
  );
}

function trialBalanceDigest(lines: readonly { AccountNo: number; Balance: Ore }[]): string {
  const text = [...lines]
    .filter((line) => line.Balance !== 0n)
    .sort((a, b) => a.AccountNo - b.AccountNo)
    .map((line) => `${line.AccountNo}:${line.Balance}`)
    .join(";");
  return createHash("sha256").update(text).digest("hex");
}

function markerDetailsOf(marker: ChangeMarker | undefined, period: Period): MarkerDetails | undefined {
  const details = marker?.details;
  if (!details || details.period !== `${period.start}/${period.end}` || typeof details.opening !== "string")
    return undefined;
  return {
    period: details.period,
    created: details.created ?? "",
    changed: details.changed ?? "",
    accountsChanged: details.accountsChanged ?? "",
    opening: details.opening,
    // Absent ("") on markers of syncs from before incremental refresh: their next change is pulled in full.
    crossMonth: details.crossMonth ?? "",
    resultMode: details.resultMode ?? "",
  };
}

/** The earlier of a timestamp and a bound (the bound when the timestamp is later or unreadable). */
function earlierTimestamp(value: string | undefined, bound: string): string | undefined {
  if (value === undefined) return undefined;
  const micros = timestampMicros(value);
  const boundMicros = timestampMicros(bound);
  if (micros === undefined || boundMicros === undefined) return value;
  return micros > boundMicros ? bound : value;
}

function asSecret(value: Secret<string> | string): Secret<string> {
  return typeof value === "string" ? new Secret(value) : value;
}
