import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorCredentials, PulledLedger } from "../../../../lib/connectors/ports.ts";
import { TripletexConnector } from "../../../../lib/connectors/tripletex/TripletexConnector.ts";
import { LedgerSummarizer, type LedgerSummary } from "../../../../lib/ledger/summarizeLedger.ts";
import type { Period, Transaction } from "../../../../lib/ledger/types.ts";
import { DEMO_KEY_INFO, demoCompanyBooks, type LedgerBooks } from "../../../../lib/local/fakes/demoBooks.ts";
import { DEMO_TRIPLETEX_CONSUMER_TOKEN } from "../../../../lib/local/fakes/tripletex/demoTripletex.ts";
import { FakeTripletexServer } from "../../../../lib/local/fakes/tripletex/FakeTripletexServer.ts";
import { Secret } from "../../../../lib/secrets/Secret.ts";

/**
 * The Tripletex connector against the fake serving the demo books: the figures it pulls are the books' own, to the
 * øre; 2025 opens with 2024's closing; the wrong-IB company's API opening is reported as the API gives it (and shows),
 * while its postings are right; the accountant key reaches its two clients.
 */

const YEAR_2024: Period = { start: "2024-01-01", end: "2024-12-31" };
const YEAR_2025: Period = { start: "2025-01-01", end: "2025-12-31" };

let server: FakeTripletexServer;
let tripletex: TripletexConnector;
beforeAll(async () => {
  server = await FakeTripletexServer.start();
  tripletex = new TripletexConnector({ baseUrl: server.url, consumerToken: new Secret(DEMO_TRIPLETEX_CONSUMER_TOKEN) });
});
afterAll(async () => {
  await server.close();
});

function key(employeeToken: string, companyId?: string): ConnectorCredentials<"tripletex"> {
  return { key: new Secret({ employeeToken }), ...(companyId ? { companyId } : {}) };
}

/** A pull fed into saldo's summarizer, as the import pipeline will: the trial balance and the validation report. */
async function summarize(pulled: PulledLedger): Promise<{ summary: LedgerSummary; transactions: Transaction[] }> {
  const summarizer = new LedgerSummarizer();
  summarizer.add({
    type: "header",
    header: {
      format: "saft",
      formatVersion: "tripletex-api",
      encoding: "utf-8",
      company: { name: pulled.company.name, orgNumber: pulled.company.orgNumber },
      period: pulled.period,
      currency: pulled.currency,
    },
  });
  const transactions: Transaction[] = [];
  for await (const record of pulled.records) {
    summarizer.add(record);
    if (record.type === "transaction") transactions.push(record.transaction);
  }
  return { summary: summarizer.finish(), transactions };
}

function row(summary: LedgerSummary, account: string) {
  return summary.rows.find((candidate) => candidate.account === account)!;
}

/** The books' true figures, and the API's reported opening (true + adjustments in force). */
function expectedFigures(books: LedgerBooks, period: Period) {
  return books.trialBalance(period).map((figures) => {
    const adjustment = books.reportedOpeningAdjustments
      .filter((candidate) => candidate.account === figures.account.number && period.start >= candidate.from)
      .reduce((sum, candidate) => sum + candidate.amount, 0n);
    return {
      account: figures.account.number,
      opening: figures.opening + adjustment,
      movement: figures.movement,
      closing: figures.closing + adjustment,
    };
  });
}

describe("Tripletex connector on the demo books", () => {
  const nordvik = demoCompanyBooks(DEMO_KEY_INFO["demo-tripletex-ok"].ownCompany);

  it("pulls demo-tripletex-ok's 2025 to the øre: the books' trial balance, every voucher whole, nothing doubtful", async () => {
    const pulled = await tripletex.pull(key("demo-tripletex-ok"), { period: YEAR_2025 });
    expect(pulled.company).toEqual({
      id: nordvik.company.id,
      name: nordvik.company.name,
      orgNumber: nordvik.company.orgNumber,
    });
    expect(pulled.currency).toBe("NOK");
    const { summary, transactions } = await summarize(pulled);

    expect(summary.issues.filter((issue) => issue.severity !== "info")).toEqual([]);
    expect(summary.totals).toEqual({ opening: 0n, movement: 0n, closing: 0n });
    for (const expected of expectedFigures(nordvik, YEAR_2025)) {
      const actual = row(summary, expected.account);
      expect({
        account: actual.account,
        opening: actual.opening,
        movement: actual.movement,
        closing: actual.closing,
      }).toEqual(expected);
    }
    const byAccount = new Map(nordvik.accounts.map((account) => [account.number, account]));
    expect(row(summary, "1920").mapping).toEqual({
      standardAccountId: byAccount.get("1920")!.standardAccountId,
      groupingCode: byAccount.get("1920")!.groupingCode,
      accountType: "ASSETS",
    });

    const vouchers = [...nordvik.vouchers(YEAR_2025)];
    expect(transactions).toHaveLength(vouchers.length);
    const sale = vouchers.find(
      (voucher) => voucher.kind === "sale" && voucher.postings.some((posting) => posting.projectId),
    )!;
    const pulledSale = transactions.find((transaction) => transaction.id === `${sale.number}-2025`)!;
    expect(pulledSale).toMatchObject({
      date: sale.date,
      description: sale.description,
      voucherType: "Utgående faktura",
    });
    expect(pulledSale.lines.map((line) => [line.account, line.amount])).toEqual(
      sale.postings.map((posting) => [posting.account, posting.amount]),
    );
    const customerLine = pulledSale.lines.find((line) => line.customerId)!;
    const customerPosting = sale.postings.find((posting) => posting.customerId)!;
    expect(customerLine.customerId).toBe(customerPosting.customerId);
    expect(pulledSale.lines.flatMap((line) => line.dimensions ?? [])).toEqual(
      expect.arrayContaining([
        { type: "department", id: sale.postings.find((posting) => posting.departmentId)!.departmentId },
        { type: "project", id: sale.postings.find((posting) => posting.projectId)!.projectId },
      ]),
    );
    expect(pulledSale.lines.some((line) => line.taxCode === "3")).toBe(true);

    const provenance = pulled.provenance();
    expect(provenance).toMatchObject({ system: "tripletex", baseUrl: server.url, company: { id: nordvik.company.id } });
    expect(provenance.windows).toHaveLength(12);
    expect(provenance.marker?.details).toMatchObject({ period: "2025-01-01..2025-12-31" });
    expect(JSON.stringify(provenance)).not.toMatch(/demo-tripletex-ok|consumer/);
  });

  it("opens 2025 with 2024's balance-sheet closing, result accounts at zero", async () => {
    const closing2024 = (await summarize(await tripletex.pull(key("demo-tripletex-ok"), { period: YEAR_2024 })))
      .summary;
    const opening2025 = (await summarize(await tripletex.pull(key("demo-tripletex-ok"), { period: YEAR_2025 })))
      .summary;
    expect(closing2024.issues.filter((issue) => issue.severity !== "info")).toEqual([]);
    for (const account of opening2025.rows) {
      const expected = account.account < "3000" ? (row(closing2024, account.account)?.closing ?? 0n) : 0n;
      expect([account.account, account.opening]).toEqual([account.account, expected]);
    }
  });

  it("reports demo-tripletex-wrong-ib's 2025 opening as the API gives it: it differs from the 2024 closing, while the postings are right", async () => {
    const havbris = demoCompanyBooks(DEMO_KEY_INFO["demo-tripletex-wrong-ib"].ownCompany);
    const year2024 = await summarize(await tripletex.pull(key("demo-tripletex-wrong-ib"), { period: YEAR_2024 }));
    const year2025 = await summarize(await tripletex.pull(key("demo-tripletex-wrong-ib"), { period: YEAR_2025 }));

    // 2024 is consistent: the API's IB + the postings = the API's UB on every account, and the books' true figures.
    expect(year2024.summary.issues.filter((issue) => issue.severity !== "info")).toEqual([]);
    // The allocation of the 2024 result (8960 against equity) is among 2024's postings.
    const allocation = year2024.transactions.find((transaction) =>
      transaction.lines.some((line) => line.account === "8960"),
    )!;
    expect(allocation.date).toBe("2024-12-31");
    const toEquity = allocation.lines.find((line) => line.account === "2050" || line.account === "2080")!;

    // 2025's reported opening of that equity account leaves the allocation out …
    const equity = toEquity.account;
    expect(row(year2025.summary, equity).opening).toBe(row(year2024.summary, equity).closing - toEquity.amount);
    expect(row(year2025.summary, equity).opening).not.toBe(row(year2024.summary, equity).closing);
    // … so the openings no longer sum to zero (the 2024 result, never moved to equity), which the report says.
    expect(year2025.summary.totals.opening).toBe(-toEquity.amount);
    expect(year2025.summary.issues.map((issue) => issue.code)).toContain("OPENING_NOT_BALANCED");
    // The postings are right: 2025's transactions are exactly the books' 2025 vouchers, and their movement per account
    // is the books' true movement.
    expect(year2025.transactions).toHaveLength([...havbris.vouchers(YEAR_2025)].length);
    for (const expected of expectedFigures(havbris, YEAR_2025)) {
      expect([expected.account, row(year2025.summary, expected.account).movement]).toEqual([
        expected.account,
        expected.movement,
      ]);
      expect([expected.account, row(year2025.summary, expected.account).opening]).toEqual([
        expected.account,
        expected.opening,
      ]);
    }
  });

  it("lets demo-tripletex-accountant list its two clients and pull the ok company's books through its id", async () => {
    const clients = await tripletex.listCompanies(key("demo-tripletex-accountant"));
    const reaches = DEMO_KEY_INFO["demo-tripletex-accountant"].reaches.map((slug) => demoCompanyBooks(slug).company);
    expect(clients).toEqual(
      reaches.map((company) => ({ id: company.id, name: company.name, orgNumber: company.orgNumber })),
    );
    expect(clients.map((client) => client.id)).toContain(nordvik.company.id);

    const check = await tripletex.check(key("demo-tripletex-accountant", nordvik.company.id));
    expect(check).toMatchObject({ status: "ok", company: { id: nordvik.company.id, name: nordvik.company.name } });
    const throughAccountant = await summarize(
      await tripletex.pull(key("demo-tripletex-accountant", nordvik.company.id), { period: YEAR_2025 }),
    );
    const direct = await summarize(await tripletex.pull(key("demo-tripletex-ok"), { period: YEAR_2025 }));
    expect(throughAccountant.summary.rows).toEqual(direct.summary.rows);
    expect(throughAccountant.transactions).toEqual(direct.transactions);
  });
});
