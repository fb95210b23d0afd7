import type {
  AccountingConnector,
  ChangeMarker,
  ConnectionCheck,
  ConnectorCredentials,
  PulledLedger,
  PulledRecord,
  PullPlan,
  PullRequest,
  RequestRecord,
} from "../../lib/connectors/ports.ts";
import { ConnectorError, type ConnectorErrorCode } from "../../lib/connectors/errors.ts";
import type { Account, Transaction } from "../../lib/ledger/types.ts";

/** The books a scripted connector serves: the API's trial balance (opening/closing per account) and its postings. */
export interface ScriptedBooks {
  company: { id: string; name: string; orgNumber?: string };
  accounts: Array<Pick<Account, "id" | "name" | "opening" | "closing">>;
  transactions: Transaction[];
  /** The data's change marker (the same digest = unchanged). */
  digest: string;
}

/**
 * An in-process connector (the port of lib/connectors/ports.ts) for the sync use case's tests: serves fixed books,
 * counts calls, can fail with a connector error, and can hold a pull until released — so tests control what the
 * real connectors (tested over HTTP against the fake servers) would do.
 */
export class ScriptedConnector implements AccountingConnector<"tripletex"> {
  readonly system = "tripletex" as const;
  calls = { check: 0, plan: 0, pull: 0 };
  /** Credentials seen by the last call (tests check the bound company and that the key was read). */
  lastCredentials?: ConnectorCredentials<"tripletex">;
  failWith?: { code: ConnectorErrorCode; status: ConnectionCheck["status"]; message: string };
  #gate?: { promise: Promise<void>; release: () => void };

  constructor(public books: ScriptedBooks) {}

  /** Makes the next pulls wait (after their first record) until {@link release}. */
  hold(): void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.#gate = { promise, release };
  }

  release(): void {
    this.#gate?.release();
    this.#gate = undefined;
  }

  async check(credentials: ConnectorCredentials<"tripletex">): Promise<ConnectionCheck> {
    this.calls.check++;
    this.lastCredentials = credentials;
    if (this.failWith)
      return { status: "invalid-key", checkedAt: new Date().toISOString(), message: this.failWith.message };
    return { status: "ok", checkedAt: new Date().toISOString(), company: this.books.company };
  }

  async listCompanies(): Promise<Array<{ id: string; name: string }>> {
    return [this.books.company];
  }

  async plan(credentials: ConnectorCredentials<"tripletex">, request: PullRequest): Promise<PullPlan> {
    this.calls.plan++;
    this.lastCredentials = credentials;
    this.#failIfAsked();
    const marker = this.#marker();
    if (request.previousMarker?.digest === marker.digest) return { kind: "unchanged", marker, requestCount: 2 };
    return { kind: "full", marker, reason: "scripted", requestCount: 2 };
  }

  async pull(credentials: ConnectorCredentials<"tripletex">, request: PullRequest): Promise<PulledLedger> {
    this.calls.pull++;
    this.lastCredentials = credentials;
    this.#failIfAsked();
    const books = this.books;
    const gate = this.#gate;
    const requests: RequestRecord[] = [];
    const fetchedAt = new Date().toISOString();
    const marker = this.#marker();
    async function* records(): AsyncGenerator<PulledRecord> {
      requests.push({
        method: "GET",
        path: "/v2/ledger/posting?dateFrom=…",
        status: 200,
        window: request.period,
        rows: books.transactions.length,
      });
      let first = true;
      for (const transaction of books.transactions) {
        yield { type: "transaction", transaction };
        if (first && gate) await gate.promise;
        first = false;
      }
      requests.push({ method: "GET", path: "/v2/balanceSheet?dateFrom=…", status: 200, rows: books.accounts.length });
      for (const account of books.accounts) yield { type: "account", account: { ...account, mapping: {} } };
    }
    return {
      company: books.company,
      currency: "NOK",
      period: request.period,
      records: records(),
      provenance: () => ({
        system: "tripletex",
        company: books.company,
        baseUrl: "http://127.0.0.1:0/v2",
        fetchedAt,
        requests,
        requestCount: requests.length,
        windows: [request.period],
        marker,
      }),
    };
  }

  #marker(): ChangeMarker {
    return { digest: this.books.digest, asOf: "2025-12-31T12:00:00.000Z" };
  }

  #failIfAsked(): void {
    if (this.failWith) throw new ConnectorError(this.failWith.code, this.failWith.status, this.failWith.message);
  }
}

/** Small balanced books for 2025: opening 1920 10 000,00 against 2050; one sale of 1 250,00 with VAT. */
export function smallBooks(overrides: Partial<ScriptedBooks> = {}): ScriptedBooks {
  return {
    company: { id: "4711", name: "Fjellbekk Snekkeri AS", orgNumber: "923609016" },
    accounts: [
      { id: "1920", name: "Bankinnskudd", opening: 1_000_000n, closing: 1_125_000n },
      { id: "2050", name: "Annen egenkapital", opening: -1_000_000n, closing: -1_000_000n },
      { id: "2700", name: "Utgående merverdiavgift", opening: 0n, closing: -25_000n },
      { id: "3000", name: "Salgsinntekt", opening: 0n, closing: -100_000n },
    ],
    transactions: [
      {
        id: "1",
        journal: "1",
        date: "2025-03-14",
        description: "Salg",
        lines: [
          { account: "1920", amount: 125_000n },
          { account: "3000", amount: -100_000n },
          { account: "2700", amount: -25_000n },
        ],
      },
    ],
    digest: "v1",
    ...overrides,
  };
}
