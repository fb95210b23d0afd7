import { describe, expect, it } from "vitest";
import type { ChangeMarker } from "../../../../lib/connectors/ports.ts";
import { testBooks } from "../../../helpers/powerOfficeTestBooks.ts";
import { connectorFor, credentialsOf, startPowerOfficeFake, summarizePull } from "../../../helpers/powerOfficeFake.ts";

const year = { start: "2025-01-01", end: "2025-12-31" };

async function freshSync() {
  const server = await startPowerOfficeFake({
    requestsPerSecond: 1000,
    clients: [{ clientKey: "client-ok", books: testBooks() }],
  });
  const connector = connectorFor(server);
  const ledger = await connector.pull(credentialsOf("client-ok"), { period: year });
  await summarizePull(ledger);
  const marker = ledger.provenance().marker!;
  return { server, marker };
}

describe("PowerOffice Go incremental refresh (plan)", () => {
  it("says full without a marker, and unchanged for unchanged books in at most 5 requests", async () => {
    const { server, marker } = await freshSync();
    expect(await connectorFor(server).plan(credentialsOf("client-ok"), { period: year })).toEqual({
      kind: "full",
      reason: "no earlier sync",
      requestCount: 0,
    });

    const before = server.exchanges.length;
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan.kind).toBe("unchanged");
    expect(plan.requestCount).toBeLessThanOrEqual(5);
    expect(server.exchanges.length - before).toBe(plan.requestCount);
    expect(plan.kind === "unchanged" && plan.marker.digest).toBe(marker.digest);
  });

  it("sees a new posting in the period through createdDateTimeOffsetGreaterThan: only its month is read again", async () => {
    const { server, marker } = await freshSync();
    const before = server.exchanges.length;
    server.api.addPostings("client-ok", voucher("2025-06-15", 1500_00n));
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan).toMatchObject({ kind: "incremental", windows: [{ start: "2025-06-01", end: "2025-06-30" }] });
    expect(plan.kind === "incremental" && plan.reason).toMatch(/2 new or edited postings in 1 month/);
    const filtered = server.exchanges.slice(before).filter((exchange) => exchange.path === "/v2/AccountTransactions");
    expect(filtered[0]!.query.get("createdDateTimeOffsetGreaterThan")).toBe(marker.details!.created);
  });

  it("sees an edited description through lastChangedDateTimeOffsetGreaterThan: only its month is read again", async () => {
    const { server, marker } = await freshSync();
    const before = server.exchanges.length;
    const [posting] = testBooks().postings({ from: "2025-03-03", to: "2025-03-03" });
    server.api.changeDescription("client-ok", posting!.id, "Rettet tekst");
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan).toMatchObject({ kind: "incremental", windows: [{ start: "2025-03-01", end: "2025-03-31" }] });
    const filtered = server.exchanges.slice(before).filter((exchange) => exchange.path === "/v2/AccountTransactions");
    expect(filtered.some((exchange) => exchange.query.has("lastChangedDateTimeOffsetGreaterThan"))).toBe(true);
  });

  it("sees a back-dated posting in an earlier year through the opening trial balance: no month to read again", async () => {
    const { server, marker } = await freshSync();
    server.api.addPostings("client-ok", voucher("2024-11-30", 800_00n));
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan).toMatchObject({ kind: "incremental", windows: [] });
    expect(plan.kind === "incremental" && plan.reason).toMatch(/opening trial balance changed/);
    expect(server.exchanges.at(-1)!.query.toString()).toContain("date=2024-12-31");
  });

  it("falls back to a full pull when a new voucher is dated in another month than its postings", async () => {
    const { server, marker } = await freshSync();
    server.api.addPostings(
      "client-ok",
      voucher("2025-06-01", 1500_00n).map((posting) => ({ ...posting, voucherDate: "2025-05-31" })),
    );
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: marker });
    expect(plan).toMatchObject({ kind: "full", reason: expect.stringMatching(/another month/) });
  });

  it("falls back to a full pull on a marker of a sync from before incremental refresh", async () => {
    const { server, marker } = await freshSync();
    server.api.addPostings("client-ok", voucher("2025-06-15", 1500_00n));
    const { crossMonth: _crossMonth, resultMode: _resultMode, ...older } = marker.details!;
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), {
      period: year,
      previousMarker: { ...marker, details: older },
    });
    expect(plan).toMatchObject({ kind: "full", reason: expect.stringMatching(/predates incremental refresh/) });
  });

  it("a new pull after a change gives a new marker, and the next plan is unchanged again", async () => {
    const { server, marker } = await freshSync();
    server.api.addPostings("client-ok", voucher("2025-08-01", 99_99n));
    const ledger = await connectorFor(server).pull(credentialsOf("client-ok"), { period: year });
    await summarizePull(ledger);
    const next: ChangeMarker = ledger.provenance().marker!;
    expect(next.digest).not.toBe(marker.digest);
    const plan = await connectorFor(server).plan(credentialsOf("client-ok"), { period: year, previousMarker: next });
    expect(plan.kind).toBe("unchanged");
  });
});

function voucher(date: string, amount: bigint) {
  const common = {
    voucherNo: 77_000,
    voucherId: "00000000-0000-4000-8000-000000077000",
    voucherType: "ManualJournal",
    date,
    voucherDate: date,
  };
  return [
    { ...common, accountNo: 6300, amount, description: "Etterregistrert" },
    { ...common, accountNo: 1920, amount: -amount, description: "Etterregistrert" },
  ];
}
