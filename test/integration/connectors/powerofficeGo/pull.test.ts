import { describe, expect, it } from "vitest";
import { expectedMovement, testBooks } from "../../../helpers/powerOfficeTestBooks.ts";
import { connectorFor, credentialsOf, startPowerOfficeFake, summarizePull } from "../../../helpers/powerOfficeFake.ts";
import type { Ore } from "../../../../lib/money/ore.ts";

const books = testBooks({ perDay: 2 });
const server = await startPowerOfficeFake({ clients: [{ clientKey: "client-ok", books }] });

/** What saldo must show for a calendar year, computed from the books without the API. */
function expectedYear(year: number) {
  const before = expectedMovement(books, "2024-01-01", `${year - 1}-12-31`);
  const movement = expectedMovement(books, `${year}-01-01`, `${year}-12-31`);
  const rows = new Map<string, { opening: Ore; movement: Ore; closing: Ore }>();
  for (const account of books.accounts) {
    const id = String(account.accountNo);
    const result = account.type === "Income" || account.type === "Expense";
    const opening = result ? 0n : (books.startBalances.get(account.accountNo) ?? 0n) + (before.get(id) ?? 0n);
    const moved = movement.get(id) ?? 0n;
    rows.set(id, { opening, movement: moved, closing: opening + moved });
  }
  return rows;
}

describe("PowerOffice Go pull over HTTP", () => {
  it("gives a year's IB, movement and UB per account to the øre, with the 2024 result moved to equity", async () => {
    const connector = connectorFor(server);
    const ledger = await connector.pull(credentialsOf("client-ok"), {
      period: { start: "2025-01-01", end: "2025-12-31" },
    });
    expect(ledger.company).toEqual({ id: books.clientId, name: "Demo Regnskap AS", orgNumber: "923609016" });
    expect(ledger.currency).toBe("NOK");
    const { summary } = await summarizePull(ledger);

    const expected = expectedYear(2025);
    for (const row of summary.rows) {
      expect({ account: row.account, opening: row.opening, movement: row.movement, closing: row.closing }).toEqual({
        account: row.account,
        ...expected.get(row.account)!,
      });
    }
    expect(summary.rows.map((row) => row.account)).toEqual([...expected.keys()]);
    expect(summary.totals.closing).toBe(0n);
    expect(summary.totals.opening).toBe(0n);
    expect(summary.issues.filter((issue) => issue.severity !== "info")).toEqual([]);
    expect(summary.transactions.count).toBe(365 * 2);
    // 2050 opens with 2024's closing, the allocated result included.
    expect(summary.rows.find((row) => row.account === "2050")!.opening).not.toBe(-50_000_00n);
  });

  it("maps a voucher's postings to one transaction with voucher number, dates, VAT, customer/supplier and dimensions", async () => {
    const connector = connectorFor(server);
    const ledger = await connector.pull(credentialsOf("client-ok"), {
      period: { start: "2025-03-01", end: "2025-03-31" },
    });
    const { transactions } = await summarizePull(ledger, { keepTransactions: true });
    const sale = transactions.find((transaction) => transaction.lines.some((line) => line.account === "3000"))!;
    expect(sale.id).toMatch(/^\d+$/);
    expect(sale.date).toMatch(/^2025-03-/);
    expect(sale.voucherType).toBe("OutgoingInvoice");
    expect(sale.lines.map((line) => line.account)).toEqual(["1920", "3000", "2700"]);
    expect(sale.lines.reduce((sum, line) => sum + line.amount, 0n)).toBe(0n);
    expect(sale.lines[0]).toMatchObject({ customerId: "10001", dimensions: [{ type: "department", id: "10" }] });
    expect(sale.lines[1]).toMatchObject({ taxCode: "3", dimensions: [{ type: "project", id: "P1" }] });
    const rent = transactions.find((transaction) => transaction.lines.some((line) => line.account === "6300"))!;
    expect(rent.lines[0]).toMatchObject({ supplierId: "20001", description: "Husleie" });
  });

  it("reads a period-end engagement mid-year: IB at the day before, result accounts from the fiscal year's start", async () => {
    const connector = connectorFor(server);
    const ledger = await connector.pull(credentialsOf("client-ok"), {
      period: { start: "2025-04-01", end: "2025-06-30" },
    });
    const { summary } = await summarizePull(ledger);
    const sales = summary.rows.find((row) => row.account === "3000")!;
    expect(sales.opening).toBe(expectedMovement(books, "2025-01-01", "2025-03-31").get("3000"));
    expect(sales.movement).toBe(expectedMovement(books, "2025-04-01", "2025-06-30").get("3000"));
    expect(summary.issues.filter((issue) => issue.code === "CLOSING_MISMATCH")).toEqual([]);
    expect(summary.totals.closing).toBe(0n);
  });

  it("streams: the first vouchers arrive before later months are asked for", async () => {
    const connector = connectorFor(server);
    const ledger = await connector.pull(credentialsOf("client-ok"), {
      period: { start: "2025-01-01", end: "2025-12-31" },
    });
    // Windows asked for, not calls: on a loaded machine a call may time out and be retried.
    const before = server.exchanges.length;
    const windowsAsked = () =>
      new Set(
        server.exchanges
          .slice(before)
          .filter((exchange) => exchange.path === "/v2/AccountTransactions")
          .map((exchange) => exchange.query.toString()),
      ).size;
    let windowsAtFirstRecord: number | undefined;
    let records = 0;
    for await (const _record of ledger.records) {
      windowsAtFirstRecord ??= windowsAsked();
      records++;
    }
    expect(windowsAtFirstRecord).toBe(1);
    expect(windowsAsked()).toBe(12);
    expect(records).toBeGreaterThan(365);
  });

  it("records provenance: endpoints, windows by month, request count, and a change marker", async () => {
    const connector = connectorFor(server);
    const ledger = await connector.pull(credentialsOf("client-ok"), {
      period: { start: "2025-01-01", end: "2025-12-31" },
    });
    await summarizePull(ledger);
    const provenance = ledger.provenance();
    expect(provenance.system).toBe("poweroffice-go");
    expect(provenance.baseUrl).toBe(`${server.url}/v2`);
    expect(provenance.windows).toHaveLength(12);
    expect(provenance.windows[1]).toEqual({ start: "2025-02-01", end: "2025-02-28" });
    expect(provenance.requestCount).toBe(provenance.requests.length);
    expect(provenance.requests.map((request) => request.path.split("?")[0])).toContain("/OAuth/Token");
    expect(provenance.requests.some((request) => request.path.startsWith("/TrialBalance?date=2024-12-31"))).toBe(true);
    expect(provenance.requests.some((request) => request.path.startsWith("/TrialBalance?date=2025-12-31"))).toBe(true);
    expect(JSON.stringify(provenance)).not.toMatch(/client-ok|test-subscription-key|test-application-key|Bearer/);
    expect(provenance.marker?.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});
