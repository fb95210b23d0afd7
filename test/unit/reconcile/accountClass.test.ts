import { describe, expect, it } from "vitest";
import { accountClassOf } from "../../../lib/reconcile/accountClass.ts";

describe("accountClassOf", () => {
  it("puts classes 1 and 2 of the standard chart in the balance sheet", () => {
    expect(["1500", "1920", "2050", "2999", "19200", "1920:10008", "1920.01"].map((id) => accountClassOf(id))).toEqual(
      Array(7).fill("balance-sheet"),
    );
  });

  it("puts classes 3 to 8 in the income statement", () => {
    expect(["3000", "4000", "5000", "6300", "7790", "8800"].map((id) => accountClassOf(id))).toEqual(
      Array(6).fill("result"),
    );
  });

  it("leaves classes 0 and 9 and non-numeric ids out, unless a numeric standard account id classifies them", () => {
    expect(["0100", "9000", "A1920", "1920-1", "", " 1920"].map((id) => accountClassOf(id))).toEqual(
      Array(6).fill("other"),
    );
    expect(accountClassOf("BANK", "1920")).toBe("balance-sheet");
    expect(accountClassOf("SALG", "30")).toBe("result");
    expect(accountClassOf("3000", "1920")).toBe("result");
  });
});
