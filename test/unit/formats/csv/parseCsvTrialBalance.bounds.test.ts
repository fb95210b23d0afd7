import { describe, expect, it } from "vitest";
import { parseText } from "./csvTestSupport.ts";

// Issue #8: an amount of any length was accepted; one beyond what any ledger holds is an error issue with its
// position, and its cell is not quoted whole in the message.

describe("CSV amounts beyond any ledger", () => {
  it("a 19-digit or a million-digit amount is CSV_AMOUNT_OUT_OF_RANGE at its line and column; 18 digits are read", async () => {
    const huge = "9".repeat(1_000_000);
    const parsed = await parseText(
      `Konto;Navn;UB\n1920;Bank;999999999999999999,00\n2050;Egenkapital;1000000000000000000,00\n2400;Gjeld;${huge}\n`,
    );
    expect(parsed.accounts.find((a) => a.id === "1920")!.closing).toBe(99999999999999999900n);
    const issues = parsed.issues.filter((i) => i.code === "CSV_AMOUNT_OUT_OF_RANGE");
    expect(issues.map((i) => [i.severity, i.account, i.location])).toEqual([
      ["error", "2050", { line: 3, column: 3 }],
      ["error", "2400", { line: 4, column: 3 }],
    ]);
    expect(issues[1]!.message.length).toBeLessThan(400);
    expect(parsed.accounts.find((a) => a.id === "2400")!.closing).toBeUndefined();
  });
});
