import { describe, expect, it, vi } from "vitest";
import { isValidOrgNumber } from "../../../../lib/ids/orgNumber.ts";
import {
  DEMO_COMPANY_SLUGS,
  DEMO_KEY_INFO,
  DEMO_KEYS,
  demoBooksForKey,
  demoCompanyBooks,
  demoCompanyById,
  reportedBalancesBefore,
  type LedgerBooks,
} from "../../../../lib/local/fakes/demoBooks.ts";

const YEAR_2024 = { start: "2024-01-01", end: "2024-12-31" };
const YEAR_2025 = { start: "2025-01-01", end: "2025-12-31" };
const isResultAccount = (number: string) => number >= "3000";
const sum = (values: Iterable<bigint>) => [...values].reduce((total, value) => total + value, 0n);

describe.each(DEMO_COMPANY_SLUGS)("demo books of %s", (slug) => {
  const books = demoCompanyBooks(slug);

  it("describe a Norwegian company: valid organisation number, NOK, fiscal years 2024 and 2025", () => {
    expect(isValidOrgNumber(books.company.orgNumber)).toBe(true);
    expect(books.company.currency).toBe("NOK");
    expect(books.fiscalYears).toEqual([YEAR_2024, YEAR_2025]);
    expect(books.accounts.map((account) => account.number)).toEqual(
      expect.arrayContaining(["1920", "2050", "2080", "3000", "8800", "8960"]),
    );
    for (const account of books.accounts) {
      expect(account.standardAccountId).toMatch(/^\d{4}$/);
      expect(account.groupingCategory).toBe("RF-1167");
      expect(account.isBalanceAccount).toBe(account.number < "3000");
    }
  });

  it("have a few hundred vouchers a year, each balanced to the øre, with øre in the amounts", () => {
    for (const year of [YEAR_2024, YEAR_2025]) {
      const vouchers = [...books.vouchers(year)];
      expect(vouchers.length).toBeGreaterThanOrEqual(200);
      expect(vouchers.length).toBeLessThanOrEqual(800);
      expect(vouchers.map((voucher) => voucher.number)).toEqual(vouchers.map((_, index) => index + 1));
      for (const voucher of vouchers) {
        expect(
          sum(voucher.postings.map((posting) => posting.amount)),
          `voucher ${voucher.number} ${voucher.date}`,
        ).toBe(0n);
        expect(voucher.postings.length).toBeGreaterThanOrEqual(2);
      }
      const amounts = vouchers.flatMap((voucher) => voucher.postings.map((posting) => posting.amount));
      expect(amounts.filter((amount) => amount % 100n !== 0n).length).toBeGreaterThan(amounts.length / 2);
    }
  });

  it("use every kind of voucher, VAT codes, customers, suppliers, departments and projects", () => {
    const vouchers = [...books.vouchers()];
    const kinds = new Set(vouchers.map((voucher) => voucher.kind));
    for (const kind of [
      "sale",
      "purchase",
      "salary",
      "customer-payment",
      "supplier-payment",
      "vat-settlement",
      "vat-payment",
      "result-allocation",
    ])
      expect(kinds).toContain(kind);
    const postings = vouchers.flatMap((voucher) => voucher.postings);
    expect(new Set(postings.map((posting) => posting.vatCode).filter(Boolean))).toEqual(new Set(["1", "3", "5"]));
    expect(postings.some((posting) => posting.customerId)).toBe(true);
    expect(postings.some((posting) => posting.supplierId)).toBe(true);
    expect(postings.some((posting) => posting.departmentId)).toBe(true);
    expect(postings.some((posting) => posting.projectId)).toBe(true);
    const known = new Set(books.accounts.map((account) => account.number));
    expect(postings.every((posting) => known.has(posting.account))).toBe(true);
    expect(new Set(postings.map((posting) => posting.id)).size).toBe(postings.length);
  });

  it("open 2024 with a conversion balance that sums to zero", () => {
    expect(sum(books.openingBalances.values())).toBe(0n);
    const tb = books.trialBalance(YEAR_2024);
    for (const row of tb) expect(row.opening).toBe(books.openingBalances.get(row.account.number) ?? 0n);
  });

  it("give trial balances that sum to zero, with closing = opening + the postings", () => {
    for (const year of [YEAR_2024, YEAR_2025, { start: "2025-04-01", end: "2025-06-30" }]) {
      const tb = books.trialBalance(year);
      expect(sum(tb.map((row) => row.opening))).toBe(0n);
      expect(sum(tb.map((row) => row.closing))).toBe(0n);
      const moved = new Map<string, bigint>();
      for (const posting of books.postings(year))
        moved.set(posting.account, (moved.get(posting.account) ?? 0n) + posting.amount);
      for (const row of tb)
        expect(row.movement, `${row.account.number} ${year.start}`).toBe(moved.get(row.account.number) ?? 0n);
    }
  });

  it("book the 2024 result allocation, so 2025 opens with 2024's balance-sheet closing and the result accounts at zero", () => {
    const tb2024 = books.trialBalance(YEAR_2024);
    const tb2025 = books.trialBalance(YEAR_2025);
    const allocation = [...books.vouchers({ start: "2024-12-31", end: "2024-12-31" })].filter(
      (voucher) => voucher.kind === "result-allocation",
    );
    expect(allocation).toHaveLength(1);
    const result2024 = sum(
      tb2024
        .filter((row) => isResultAccount(row.account.number) && row.account.number !== "8960")
        .map((row) => row.movement),
    );
    expect(result2024).not.toBe(0n);
    // After the allocation the result accounts of 2024 sum to zero: the result sits in equity (2050, or 2080 for a loss).
    expect(sum(tb2024.filter((row) => isResultAccount(row.account.number)).map((row) => row.closing))).toBe(0n);
    const equityAccount = result2024 < 0n ? "2050" : "2080";
    expect(allocation[0]!.postings.find((posting) => posting.account === equityAccount)!.amount).toBe(result2024);
    for (const row of tb2025) {
      const previous = tb2024.find((candidate) => candidate.account.number === row.account.number)!;
      expect(row.opening, row.account.number).toBe(isResultAccount(row.account.number) ? 0n : previous.closing);
    }
    // 2025 is the year being closed: its result is not allocated yet.
    expect([...books.vouchers(YEAR_2025)].some((voucher) => voucher.kind === "result-allocation")).toBe(false);
  });

  it("page postings by offset and limit as one list", () => {
    const all = [...books.postings(YEAR_2025)];
    expect(all).toHaveLength(books.postingCount(YEAR_2025));
    const page = [...books.postings(YEAR_2025, { offset: 37, limit: 50 })];
    expect(page.map((posting) => posting.id)).toEqual(all.slice(37, 87).map((posting) => posting.id));
    expect([...books.postings(YEAR_2025, { offset: all.length })]).toEqual([]);
  });
});

describe("demo keys", () => {
  it("are the four fixed keys, each reaching its companies", () => {
    expect([...DEMO_KEYS]).toEqual([
      "demo-poweroffice-ok",
      "demo-tripletex-ok",
      "demo-tripletex-wrong-ib",
      "demo-tripletex-accountant",
    ]);
    expect(demoBooksForKey("demo-poweroffice-ok").map((books) => books.company.system)).toEqual(["poweroffice-go"]);
    expect(demoBooksForKey("demo-tripletex-ok").map((books) => books.company.name)).toEqual(["Nordvik Bygg AS"]);
    const accountant = demoBooksForKey("demo-tripletex-accountant");
    expect(accountant).toHaveLength(2);
    expect(accountant[0]).toBe(demoBooksForKey("demo-tripletex-ok")[0]);
    expect(DEMO_KEY_INFO["demo-tripletex-accountant"].role).toBe("accountant");
    expect(demoCompanyBooks(DEMO_KEY_INFO["demo-tripletex-accountant"].ownCompany).company.name).toBe(
      "Tindesol Regnskap AS",
    );
  });

  it("have companies with distinct ids and organisation numbers, found by their system id", () => {
    const companies = DEMO_COMPANY_SLUGS.map((slug) => demoCompanyBooks(slug).company);
    expect(new Set(companies.map((company) => company.id)).size).toBe(companies.length);
    expect(new Set(companies.map((company) => company.orgNumber)).size).toBe(companies.length);
    for (const company of companies) expect(demoCompanyById(company.system, company.id)!.company).toBe(company);
    expect(demoCompanyById("tripletex", "999")).toBeUndefined();
    expect(demoCompanyById("poweroffice-go", "1000101")).toBeUndefined();
  });

  it("include a loss-making company, whose 2024 result goes to 2080 udekket tap", () => {
    const lossMaking = DEMO_COMPANY_SLUGS.map((slug) => demoCompanyBooks(slug)).filter(
      (books) => books.trialBalance(YEAR_2024).find((row) => row.account.number === "2080")!.closing !== 0n,
    );
    expect(lossMaking.map((books) => books.company.slug)).toEqual(["skarvik"]);
  });
});

describe("the wrong-IB company (demo-tripletex-wrong-ib)", () => {
  const books = demoBooksForKey("demo-tripletex-wrong-ib")[0]!;

  it("reports a 2025 opening that misses the 2024 result in equity, while the postings are right", () => {
    const reported = reportedBalancesBefore(books, "2025-01-01");
    const truth = books.balancesBefore("2025-01-01");
    const closing2024 = books.balancesAt("2024-12-31");
    const result2024 = -sum(
      [...closing2024].filter(([number]) => isResultAccount(number) && number !== "8960").map(([, amount]) => amount),
    );
    // Σ reported IB ≠ 0 by exactly the 2024 result (profit positive): "Udisponert resultat fra tidligere år".
    expect(sum(reported.values())).toBe(result2024);
    expect(sum(truth.values())).toBe(0n);
    expect(reported.get("2050")! - truth.get("2050")!).toBe(result2024);
    for (const [number, amount] of truth) if (number !== "2050") expect(reported.get(number)).toBe(amount);
    // The postings are the same whatever the API reports: the true trial balance still sums to zero.
    expect(sum(books.trialBalance(YEAR_2025).map((row) => row.closing))).toBe(0n);
    expect(reportedBalancesBefore(books, "2024-06-01")).toEqual(books.balancesBefore("2024-06-01"));
  });

  it("is the only company with the problem", () => {
    for (const slug of DEMO_COMPANY_SLUGS) {
      const other: LedgerBooks = demoCompanyBooks(slug);
      if (other !== books) expect(other.reportedOpeningAdjustments).toEqual([]);
    }
  });
});

describe("determinism", () => {
  it("builds the same books on every run", async () => {
    const fingerprint = (books: LedgerBooks) =>
      JSON.stringify([...books.vouchers()], (_, value) => (typeof value === "bigint" ? value.toString() : value));
    const first = fingerprint(demoCompanyBooks("nordvik"));
    vi.resetModules();
    const fresh =
      (await import("../../../../lib/local/fakes/demoBooks.ts")) as typeof import("../../../../lib/local/fakes/demoBooks.ts");
    const again = fresh.demoCompanyBooks("nordvik");
    expect(again).not.toBe(demoCompanyBooks("nordvik"));
    expect(fingerprint(again)).toBe(first);
  });
});
