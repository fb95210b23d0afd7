import { describe, expect, it } from "vitest";
import {
  CsvLayoutSchema,
  csvLayoutFromCliOptions,
  parseCsvColumnsSpec,
  parseCsvDelimiterSpec,
} from "../../../../lib/formats/csv/CsvLayoutSchema.ts";
import { CsvLayoutOptionError } from "../../../../lib/formats/csv/errors.ts";

describe("parseCsvColumnsSpec", () => {
  it("reads indexes", () => {
    expect(parseCsvColumnsSpec("account=0,name=1,closing=2")).toEqual({ account: 0, name: 1, closing: 2 });
  });

  it("reads header texts, quoted ones with commas, and role names in any case", () => {
    expect(parseCsvColumnsSpec('account=Kontonr, openingdebit="IB, debet" ,closingCredit=UB kredit')).toEqual({
      account: "Kontonr",
      openingDebit: "IB, debet",
      closingCredit: "UB kredit",
    });
  });

  it("rejects an unknown role", () => {
    expect(() => parseCsvColumnsSpec("account=0,saldo=2")).toThrow(/unknown column role "saldo"/);
  });

  it("rejects a mapping without an amount column", () => {
    expect(() => parseCsvColumnsSpec("account=0,name=1")).toThrow(CsvLayoutOptionError);
  });

  it("rejects a role given twice", () => {
    expect(() => parseCsvColumnsSpec("account=0,closing=1,closing=2")).toThrow(/given twice/);
  });

  it("rejects text that is not role=value pairs", () => {
    expect(() => parseCsvColumnsSpec("account")).toThrow(CsvLayoutOptionError);
  });
});

describe("parseCsvDelimiterSpec", () => {
  it.each([
    [";", ";"],
    ["semicolon", ";"],
    [",", ","],
    ["comma", ","],
    ["\\t", "\t"],
    ["\t", "\t"],
    ["TAB", "\t"],
  ])("reads %j", (spec, delimiter) => {
    expect(parseCsvDelimiterSpec(spec)).toBe(delimiter);
  });

  it("rejects other delimiters", () => {
    expect(() => parseCsvDelimiterSpec("|")).toThrow(CsvLayoutOptionError);
  });
});

describe("csvLayoutFromCliOptions", () => {
  it("returns undefined when no flag is given", () => {
    expect(csvLayoutFromCliOptions({})).toBeUndefined();
  });

  it("combines all four flags", () => {
    expect(
      csvLayoutFromCliOptions({ delimiter: ";", decimal: ",", headerRow: "5", columns: "account=0,closing=4" }),
    ).toEqual({
      delimiter: ";",
      decimal: ",",
      headerRow: 5,
      columns: { account: 0, closing: 4 },
    });
  });

  it("accepts --header-row none", () => {
    expect(csvLayoutFromCliOptions({ headerRow: "none" })).toEqual({ headerRow: "none" });
  });

  it("rejects a flag without a value", () => {
    expect(() => csvLayoutFromCliOptions({ decimal: true })).toThrow(/--decimal needs one value/);
  });

  it("rejects a bad header row and a bad decimal", () => {
    expect(() => csvLayoutFromCliOptions({ headerRow: "0" })).toThrow(CsvLayoutOptionError);
    expect(() => csvLayoutFromCliOptions({ decimal: ";" })).toThrow(CsvLayoutOptionError);
  });
});

describe("CsvLayoutSchema", () => {
  it("accepts a JSON layout from an API body", () => {
    const layout = { delimiter: "\t", decimal: ".", headerRow: "none", columns: { account: 0, name: 1, closing: 2 } };
    expect(CsvLayoutSchema.parse(layout)).toEqual(layout);
  });

  it("rejects unknown fields and negative indexes", () => {
    expect(CsvLayoutSchema.safeParse({ delimiter: ";", sheet: 1 }).success).toBe(false);
    expect(CsvLayoutSchema.safeParse({ columns: { account: -1, closing: 2 } }).success).toBe(false);
  });
});
