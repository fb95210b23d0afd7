import { describe, expect, it } from "vitest";
import { expectedMovement, testBooks } from "../../../helpers/powerOfficeTestBooks.ts";
import { connectorFor, credentialsOf, startPowerOfficeFake, summarizePull } from "../../../helpers/powerOfficeFake.ts";

const busy = testBooks({ perDay: 12 }); // about 32 postings a day, 900–1 000 a month
const server = await startPowerOfficeFake({
  requestsPerSecond: 1000,
  transactionRowCap: 500,
  clients: [{ clientKey: "client-busy", books: busy }],
});
const cumulativeServer = await startPowerOfficeFake({
  requestsPerSecond: 1000,
  resultAccountsRestart: false,
  clients: [{ clientKey: "client-cumulative", books: testBooks({ perDay: 1 }) }],
});

describe("PowerOffice Go transaction windows and paging", () => {
  it("splits a month that hits the row cap into halves, pages each until a short page, and loses no posting", async () => {
    const connector = connectorFor(server, { pageSize: 200, rateLimit: { requests: 1000, perMs: 1000 } });
    const ledger = await connector.pull(credentialsOf("client-busy"), {
      period: { start: "2025-02-01", end: "2025-03-31" },
    });
    const { summary } = await summarizePull(ledger);
    const provenance = ledger.provenance();

    const postings = [...busy.postings({ from: "2025-02-01", to: "2025-03-31" })].length;
    expect(summary.transactions.lines).toBe(postings);
    expect(summary.transactions.count).toBe(59 * 12);
    const movement = expectedMovement(busy, "2025-02-01", "2025-03-31");
    for (const row of summary.rows) expect(row.movement).toBe(movement.get(row.account) ?? 0n);
    expect(summary.issues.filter((issue) => issue.severity !== "info")).toEqual([]);

    // Each window is inclusive, contiguous and under the cap; February (over the cap of 500) took several.
    const windows = provenance.windows;
    for (let index = 1; index < windows.length; index++) {
      const previousEnd = new Date(`${windows[index - 1]!.end}T00:00:00Z`);
      previousEnd.setUTCDate(previousEnd.getUTCDate() + 1);
      expect(windows[index]!.start).toBe(previousEnd.toISOString().slice(0, 10));
    }
    expect(windows[0]!.start).toBe("2025-02-01");
    expect(windows.at(-1)!.end).toBe("2025-03-31");
    expect(windows.filter((window) => window.end <= "2025-02-28").length).toBeGreaterThan(1);
    for (const window of windows)
      expect([...busy.postings({ from: window.start, to: window.end })].length).toBeLessThanOrEqual(500);
    const refusals = provenance.requests.filter((request) => request.status === 400);
    expect(refusals.length).toBeGreaterThan(0);
    const pages = provenance.requests.filter(
      (request) => request.path.startsWith("/AccountTransactions") && request.status === 200,
    );
    expect(pages.every((request) => (request.rows ?? 0) <= 200)).toBe(true);
    expect(pages.some((request) => request.path.includes("PageNumber=2"))).toBe(true);
  });

  it("splits a single day over the cap by account ranges", async () => {
    const dayServer = await startPowerOfficeFake({
      requestsPerSecond: 1000,
      transactionRowCap: 20,
      clients: [{ clientKey: "client-busy", books: busy }],
    });
    const connector = connectorFor(dayServer, { pageSize: 100, rateLimit: { requests: 1000, perMs: 1000 } });
    const ledger = await connector.pull(credentialsOf("client-busy"), {
      period: { start: "2025-05-02", end: "2025-05-02" },
    });
    const { summary } = await summarizePull(ledger);
    expect(summary.transactions.lines).toBe([...busy.postings({ from: "2025-05-02", to: "2025-05-02" })].length);
    const ranged = ledger.provenance().requests.filter((request) => request.path.includes("accountNos="));
    expect(ranged.length).toBeGreaterThan(0);
  });

  it("reconciles result accounts when the trial balance carries them across fiscal years", async () => {
    const connector = connectorFor(cumulativeServer);
    const ledger = await connector.pull(credentialsOf("client-cumulative"), {
      period: { start: "2025-01-01", end: "2025-12-31" },
    });
    const { summary } = await summarizePull(ledger);
    const sales = summary.rows.find((row) => row.account === "3000")!;
    expect(sales.opening).toBe(0n);
    expect(sales.closing).toBe(sales.movement);
    expect(summary.issues.filter((issue) => issue.code === "CLOSING_MISMATCH")).toEqual([]);
    expect(summary.issues.map((issue) => issue.code)).toContain("POWEROFFICE_RESULT_BALANCES_CUMULATIVE");
    expect(summary.totals.closing).toBe(0n);
  });
});
