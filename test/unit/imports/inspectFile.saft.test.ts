import { describe, expect, it } from "vitest";
import { inspectFile } from "../../../lib/imports/inspectFile.ts";
import { toLedgerJson } from "../../../lib/ledger/ledgerJson.ts";
import { fileSource } from "../../../lib/formats/shared/sources.ts";
import { hasSharedFixtures, sharedFixture } from "../../helpers/fixtures.ts";

/**
 * The official SAF-T examples are known to be internally inconsistent. The expected figures and
 * findings below were computed independently with Python's xml.etree over the same files: the balances, sums,
 * line counts and debit/credit totals are printed by `python3 scripts/oracles/saft_figures.py`. The findings'
 * amounts were computed by a script that is not in the repository: they are characterisation tests, pinning
 * the output as it was checked then.
 */
async function inspectSample(name: string) {
  const path = sharedFixture(`saft/samples/${name}`);
  return toLedgerJson(await inspectFile(fileSource(path), { fileName: name }));
}

const findings = (json: Awaited<ReturnType<typeof inspectSample>>) =>
  json.issues
    .filter((issue) => issue.severity !== "info")
    .map((issue) => [issue.code, issue.account ?? null, issue.amount ?? null]);

describe.skipIf(!hasSharedFixtures)("inspecting the official SAF-T examples finds exactly what is there", () => {
  it("Tøyen Lekefabrikk (888888888): three closing mismatches, unbalanced sides, sub-ledgers that do not add up", async () => {
    const json = await inspectSample("skatteetaten_ExampleFile_SAF-T_Financial_888888888_20180228235959.xml");
    expect(json).toMatchObject({
      format: "saft",
      formatVersion: "1.20",
      company: { orgNumber: "888888888", name: "Tøyen Lekefabrikk AS" },
      period: { start: "2017-01-01", end: "2017-04-30" },
      currency: "NOK",
      totals: { opening: "2545410.00", movement: "0.00", closing: "2491571.75" },
      transactions: { count: 53, lines: 170, totalDebit: "9487049.35", totalCredit: "9487049.35" },
    });
    expect(json.accounts).toHaveLength(22);
    expect(json.accounts.find((a) => a.account === "1920")).toMatchObject({
      name: "Bankinnskudd",
      opening: "370000.00",
      movement: "354407.00",
      closing: "670568.75",
    });
    expect(findings(json)).toEqual([
      ["CLOSING_MISMATCH", "1920", "-53838.25"],
      ["CLOSING_MISMATCH", "2711", "0.35"],
      ["CLOSING_MISMATCH", "2740", "-0.35"],
      ["OPENING_NOT_BALANCED", null, "2545410.00"],
      ["CLOSING_NOT_BALANCED", null, "2491571.75"],
      // Customers on 1500: openings 46 800.00 vs 15 000.00, closings 135 500.00 vs 103 700.00.
      ["SUBLEDGER_MISMATCH", "1500", "-31800.00"],
      ["SUBLEDGER_MISMATCH", "1500", "-31800.00"],
      // Suppliers on 2400: openings −25 199.50 vs −175 000.00, closings −62 224.50 vs −212 025.00.
      ["SUBLEDGER_MISMATCH", "2400", "-149800.50"],
      ["SUBLEDGER_MISMATCH", "2400", "-149800.50"],
    ]);
  });

  it("999999999: placeholder balances make all four accounts inconsistent", async () => {
    const json = await inspectSample("skatteetaten_ExampleFile_SAF-T_Financial_999999999_20161125213512.xml");
    expect(json.transactions).toEqual({ count: 2, lines: 5, totalDebit: "25000.00", totalCredit: "25000.00" });
    expect(findings(json)).toEqual([
      ["CLOSING_MISMATCH", "1925", "23611.11"],
      ["CLOSING_MISMATCH", "2400", "-11111.11"],
      ["CLOSING_MISMATCH", "2740", "-13611.11"],
      ["CLOSING_MISMATCH", "4000", "-10000.00"],
      ["OPENING_NOT_BALANCED", null, "-1234.56"],
      ["CLOSING_NOT_BALANCED", null, "-12345.67"],
    ]);
  });

  it("the generated 1.30 and 1.40 examples are fully consistent", async () => {
    for (const [name, version] of [
      ["skatteetaten_v130_generated_auditfile_formatted_v_1.30.xml", "1.30"],
      ["skatteetaten_v140_generated_auditfile_formatted_v_1.40.xml", "1.40"],
    ] as const) {
      const json = await inspectSample(name);
      expect(json.formatVersion).toBe(version);
      expect(json.company).toEqual({ orgNumber: "999999999", name: "Company INC" });
      expect(json.totals).toEqual({ opening: "0.00", movement: "0.00", closing: "0.00" });
      expect(json.transactions).toEqual({ count: 3, lines: 8, totalDebit: "37500.00", totalCredit: "37500.00" });
      expect(json.accounts).toHaveLength(7);
      expect(findings(json)).toEqual([]);
    }
  });

  it("the XMLSpy skeleton: no namespace, and a header that declares 0 entries for 1 transaction", async () => {
    const json = await inspectSample("skatteetaten_v130_Eksempelfil_fra_xmlSpy.xml");
    expect(json.formatVersion).toBe("1.30");
    expect(findings(json)).toEqual([
      ["SAFT_NAMESPACE_MISSING", null, null],
      ["CONTROL_ENTRIES_MISMATCH", null, null],
    ]);
  });

  it("the v2 workshop file with random values: every inconsistency is reported, nothing crashes", async () => {
    const json = await inspectSample("skatteetaten_v2draft_workshop1_generated_auditfile_formatted.xml");
    expect(json.currency).toBe("SEK");
    expect(findings(json).map(([code]) => code)).toEqual([
      "PARTY_NOT_IN_MASTER",
      "PARTY_NOT_IN_MASTER",
      "VOUCHER_NOT_BALANCED",
      "CLOSING_MISMATCH",
      "ACCOUNT_NOT_IN_CHART",
      "OPENING_NOT_BALANCED",
      "CLOSING_NOT_BALANCED",
      "CONTROL_ENTRIES_MISMATCH",
      "CONTROL_DEBIT_MISMATCH",
      "CONTROL_CREDIT_MISMATCH",
    ]);
    expect(json.issues.find((i) => i.code === "VOUCHER_NOT_BALANCED")!.amount).toBe("-1485649363493059.00");
    expect(json.issues.find((i) => i.code === "CONTROL_DEBIT_MISMATCH")!.amount).toBe("6531847451773948.00");
  });

  it("refuses the SAF-T Cash Register example with a clear reason", async () => {
    await expect(
      inspectSample("skatteetaten_ExampleFile_SAF-T_CashRegister_999999999_20210330104000.xml"),
    ).rejects.toThrow(/Cash Register.*not SAF-T Financial/);
  });
});
