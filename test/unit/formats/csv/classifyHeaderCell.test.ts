import { describe, expect, it } from "vitest";
import { classifyHeaderCell, normalizeHeaderText } from "../../../../lib/formats/csv/classifyHeaderCell.ts";

describe("classifyHeaderCell", () => {
  it.each([
    ["Konto", "account"],
    ["Kontonr.", "account"],
    ["KONTONUMMER", "account"],
    ["Account No", "account"],
    ["acct", "account"],
    ["Kontonavn", "name"],
    ["Navn", "name"],
    ["Beskrivelse", "name"],
    ["Tekst", "name"],
    ["Description", "name"],
    ["IB", "opening"],
    ["Inngående balanse", "opening"],
    ["Inngaaende saldo", "opening"],
    ["Inng. bal.", "opening"],
    ["Utgaaende saldo", "closing"],
    ["Inngaende saldo", "opening"],
    ["Åpningsbalanse", "opening"],
    ["Saldo IB", "opening"],
    ["Opening balance", "opening"],
    ["Primo", "opening"],
    ["Endring", "movement"],
    ["Bevegelse", "movement"],
    ["Periode", "movement"],
    ["Hittil i år", "movement"],
    ["Movement", "movement"],
    ["UB", "closing"],
    ["Utgående balanse", "closing"],
    ["utgående_saldo", "closing"],
    ["Saldo", "closing"],
    ["Saldo UB", "closing"],
    ["Balance", "closing"],
    ["Closing balance", "closing"],
    ["Ultimo", "closing"],
    ["Debet", "debit"],
    ["Kredit", "credit"],
    ["Debit", "debit"],
    ["IB debet", "openingDebit"],
    ["IB kredit", "openingCredit"],
    ["UB debet", "closingDebit"],
    ["UBkredit", "closingCredit"],
    ["Opening Debit", "openingDebit"],
    ["Closing Credit", "closingCredit"],
    ["Periode debet", "movementDebit"],
    ["I fjor", "ignored"],
    ["Fjorår", "ignored"],
    ["Budsjett", "ignored"],
    ["Prior year balance", "ignored"],
    ["DimNr1", "ignored"],
    ["Merknad", undefined],
    ["", undefined],
  ])("reads %j as %s", (text, role) => {
    expect(classifyHeaderCell(text)).toBe(role);
  });
});

describe("normalizeHeaderText", () => {
  it("folds case, diacritics, æ/ø and punctuation", () => {
    expect(normalizeHeaderText("  Utgående Balanse (NOK)")).toBe("utgaende balanse nok");
    expect(normalizeHeaderText("Leverandør-Gjeld_Æ")).toBe("leverandor gjeld ae");
  });
});
