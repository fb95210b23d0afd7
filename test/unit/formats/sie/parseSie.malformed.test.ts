import { describe, expect, it } from "vitest";
import {
  FormatError,
  MalformedInputError,
  TruncatedInputError,
  UnsupportedFormatError,
} from "../../../../lib/formats/errors.ts";
import { issuesWith, parseBytes } from "./sieTestHelpers.ts";

const HEAD = "#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#VALUTA SEK\n";

async function failure(input: Uint8Array | string): Promise<FormatError> {
  try {
    await parseBytes(input, { fileName: "bad.se" });
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error("expected a FormatError");
}

describe("parseSie on input that is not SIE", () => {
  it("refuses a file whose first line is not a record", async () => {
    const error = await failure("Konto;Namn;Saldo\n1910;Kassa;100\n");
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.location).toEqual({ line: 1, column: 1 });
    expect(error.message).toMatch(/^bad\.se:1:1: not a SIE file/);
  });

  it("refuses a file whose first record is not a SIE label", async () => {
    const error = await failure("\n\n# Heading\nsome text\n");
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.location).toEqual({ line: 3, column: 1 });
  });

  it("refuses an empty or blank file", async () => {
    expect(await failure("")).toBeInstanceOf(UnsupportedFormatError);
    expect(await failure("\n  \r\n")).toBeInstanceOf(UnsupportedFormatError);
  });

  it("refuses binary content with a NUL byte, with line and column", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode(HEAD + "#KONTO 1910 Kassa\n#K"), 0, 1, 2, 255, 10]);
    const error = await failure(bytes);
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.code).toBe("SIE_BINARY_CONTENT");
    expect(error.location).toEqual({ line: 6, column: 3 });
  });

  it("refuses a zip or PDF posing as SIE", async () => {
    expect(await failure(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]))).toBeInstanceOf(FormatError);
    expect(await failure("%PDF-1.4\n%âãÏÓ\n")).toBeInstanceOf(UnsupportedFormatError);
  });
});

describe("parseSie on truncated input", () => {
  it("throws TruncatedInputError when a voucher's '{' is never closed", async () => {
    const error = await failure(HEAD + '#VER A 1 20240101 "x"\n{\n#TRANS 1910 {} 100.00\n#TRANS 3010 {} -100.00\n');
    expect(error).toBeInstanceOf(TruncatedInputError);
    expect(error.code).toBe("FORMAT_TRUNCATED");
    expect(error.message).toContain("the '{' at line 6");
    expect(error.location).toEqual({ line: 9, column: 1 });
  });

  it("throws TruncatedInputError when #KSUMMA is opened but never closed (SIE 4B §10.6)", async () => {
    const error = await failure("#FLAGGA 0\n#KSUMMA\n#FNAMN x\n");
    expect(error).toBeInstanceOf(TruncatedInputError);
    expect(error.message).toContain("#KSUMMA at line 2");
  });
});

describe("parseSie on odd but readable records", () => {
  it("reports a malformed #TRANS amount with its location and skips only that row", async () => {
    const parsed = await parseBytes(
      HEAD + '#VER A 1 20240101 "x"\n{\n#TRANS 1910 {} 1,50\n#TRANS 3010 {} -150.00\n}\n',
    );
    expect(issuesWith(parsed, "SIE_INVALID_AMOUNT")).toEqual([
      expect.objectContaining({
        severity: "error",
        account: "1910",
        transactionId: "A-1",
        location: { line: 7, column: 16 },
      }),
    ]);
    expect(parsed.transactions[0]!.lines).toEqual([{ account: "3010", amount: -15_000n }]);
  });

  it("reports a #TRANS without amount at the end of its line", async () => {
    const parsed = await parseBytes(HEAD + '#VER A 1 20240101 "x"\n{\n#TRANS 1910 {}\n}\n');
    expect(issuesWith(parsed, "SIE_INVALID_AMOUNT")[0]!.location).toEqual({ line: 7, column: 15 });
  });

  it("reports an impossible voucher date and keeps the voucher", async () => {
    const parsed = await parseBytes(HEAD + '#VER A 1 20230229 "x"\n{\n#TRANS 1910 {} 1\n#TRANS 3010 {} -1\n}\n');
    expect(issuesWith(parsed, "SIE_INVALID_DATE")).toEqual([
      expect.objectContaining({ severity: "error", transactionId: "A-1", location: { line: 5, column: 10 } }),
    ]);
    expect(parsed.transactions[0]).toMatchObject({ id: "A-1", date: "", lines: [{ amount: 100n }, { amount: -100n }] });
  });

  it("drops an impossible row date with a warning and keeps the row", async () => {
    const parsed = await parseBytes(
      HEAD + '#VER A 1 20240101 "x"\n{\n#TRANS 1910 {} 1 20241340\n#TRANS 3010 {} -1\n}\n',
    );
    expect(issuesWith(parsed, "SIE_INVALID_DATE")[0]!.severity).toBe("warning");
    expect(parsed.transactions[0]!.lines[0]).toEqual({ account: "1910", amount: 100n });
  });

  it("reads a #TRANS without object list with a single warning", async () => {
    const parsed = await parseBytes(HEAD + '#VER A 1 20240101 "x"\n{\n#TRANS 1910 100\n#TRANS 3010 -100\n}\n');
    expect(parsed.transactions[0]!.lines.map((line) => line.amount)).toEqual([10_000n, -10_000n]);
    expect(issuesWith(parsed, "SIE_OBJECT_LIST_MISSING")).toHaveLength(1);
  });

  it("reports a #TRANS outside a voucher and skips it", async () => {
    const parsed = await parseBytes(HEAD + "#TRANS 1910 {} 100\n");
    expect(issuesWith(parsed, "SIE_TRANS_OUTSIDE_VOUCHER")[0]!.location).toEqual({ line: 5, column: 1 });
    expect(parsed.transactions).toEqual([]);
  });

  it("closes a voucher whose '}' is missing when the next #VER comes", async () => {
    const parsed = await parseBytes(
      HEAD + "#VER A 1 20240101\n{\n#TRANS 1910 {} 1\n#VER A 2 20240102\n{\n#TRANS 1910 {} 2\n}\n",
    );
    expect(parsed.transactions.map((t) => [t.id, t.lines.length])).toEqual([
      ["A-1", 1],
      ["A-2", 1],
    ]);
    expect(issuesWith(parsed, "SIE_UNCLOSED_BLOCK")[0]!.location).toEqual({ line: 8, column: 1 });
  });

  it("passes on a #VER without rows with a warning", async () => {
    const parsed = await parseBytes(HEAD + "#VER A 1 20240101\n#VER A 2 20240102\n{\n}\n");
    expect(parsed.transactions.map((t) => t.id)).toEqual(["A-1", "A-2"]);
    expect(issuesWith(parsed, "SIE_VOUCHER_WITHOUT_ROWS")).toHaveLength(1);
  });

  it("ignores a stray '}' with a warning", async () => {
    const parsed = await parseBytes(HEAD + "}\n#KONTO 1910 Kassa\n");
    expect(issuesWith(parsed, "SIE_UNEXPECTED_BRACE")[0]!.location).toEqual({ line: 5, column: 1 });
    expect(parsed.accounts.get("1910")!.name).toBe("Kassa");
  });

  it("skips a line that is not a record with a warning", async () => {
    const parsed = await parseBytes(HEAD + "Kassa 100\n#KONTO 1910 Kassa\n");
    expect(issuesWith(parsed, "SIE_UNRECOGNIZED_LINE")[0]!.location).toEqual({ line: 5, column: 1 });
  });

  it("ignores unknown labels, sub-records of unknown blocks and extra trailing fields (SIE 4B §7)", async () => {
    const parsed = await parseBytes(
      HEAD + '#NYTT 1 2\n{\n#TRANS 1910 {} 5\n}\n#KONTO 1910 "Kassa" T extra\n#UB 0 1910 5 0 extra\n',
    );
    expect(parsed.issues.filter((issue) => issue.severity !== "info")).toEqual([]);
    expect(parsed.accounts.get("1910")).toMatchObject({ name: "Kassa", opening: 0n, closing: 500n });
  });

  it("reads labels written in lower case", async () => {
    const parsed = await parseBytes("#flagga 0\n#konto 1910 Kassa\n#ub 0 1910 5\n");
    expect(parsed.accounts.get("1910")).toMatchObject({ name: "Kassa", closing: 500n });
  });

  it("ignores #IB with a non-empty object list but reads one with {}", async () => {
    const parsed = await parseBytes(HEAD + "#IB 0 1910 {1 2} 5\n#IB 0 1920 {} 7\n");
    expect(parsed.accounts.has("1910")).toBe(false);
    expect(parsed.accounts.get("1920")!.opening).toBe(700n);
  });

  it("keeps the first of two different balances for the same account and year", async () => {
    const parsed = await parseBytes(HEAD + "#UB 0 1910 5\n#UB 0 1910 6\n");
    expect(parsed.accounts.get("1910")!.closing).toBe(500n);
    expect(issuesWith(parsed, "SIE_DUPLICATE_BALANCE")[0]).toMatchObject({ account: "1910", amount: 600n });
  });

  it("warns when #UB 0 and #RES 0 of an account disagree and uses #UB", async () => {
    const parsed = await parseBytes(HEAD + "#UB 0 3010 -5\n#RES 0 3010 -6\n");
    expect(parsed.accounts.get("3010")!.closing).toBe(-500n);
    expect(issuesWith(parsed, "SIE_UB_RES_CONFLICT")[0]).toMatchObject({ account: "3010", amount: -100n });
  });

  it("applies balances after the vouchers without a finding, since group 4 has no order (SIE 4B §5.13)", async () => {
    const parsed = await parseBytes(HEAD + "#KONTO 1910 Kassa\n#VER A 1 20240101\n{\n}\n#UB 0 1910 5\n#UB 0 1920 7\n");
    expect(issuesWith(parsed, "SIE_RECORD_AFTER_VOUCHERS")).toEqual([]);
    expect(parsed.accounts.get("1910")).toMatchObject({ name: "Kassa", opening: 0n, closing: 500n });
    expect(parsed.accounts.get("1920")!.closing).toBe(700n);
    expect(parsed.records.at(-1)).toMatchObject({ type: "account", account: { id: "1920" } });
  });

  it("applies chart records after the vouchers, noted once since the chart belongs before them (SIE 4B §5.12)", async () => {
    const parsed = await parseBytes(
      HEAD +
        "#VER A 1 20240101\n{\n#TRANS 1910 {} 5\n#TRANS 3010 {} -5\n}\n#KONTO 1910 Kassa\n#KONTO 3010 Salg\n#KTYP 3010 I\n",
    );
    expect(issuesWith(parsed, "SIE_RECORD_AFTER_VOUCHERS")).toEqual([
      expect.objectContaining({ severity: "warning", account: "1910", location: { line: 10, column: 1 } }),
    ]);
    expect(issuesWith(parsed, "SIE_RECORD_AFTER_VOUCHERS")[0]!.message).toMatch(/^3 chart record/);
    expect(parsed.accounts.get("1910")!.name).toBe("Kassa");
    expect(parsed.accounts.get("3010")).toMatchObject({ name: "Salg", mapping: { accountType: "I" } });
  });

  it("reports an unrecognised #ORGNR and keeps it as written", async () => {
    const parsed = await parseBytes("#FLAGGA 0\n#ORGNR SE556677889901\n");
    expect(parsed.header.company.orgNumber).toBe("SE556677889901");
    expect(issuesWith(parsed, "SIE_ORGNR_UNRECOGNIZED")).toHaveLength(1);
  });

  it("assumes SEK when #VALUTA is missing and the organisation number is Swedish, and says so", async () => {
    for (const orgnr of ["556265-1892", "5562651892", "16556265-1892"]) {
      const parsed = await parseBytes(`#FLAGGA 0\n#FORMAT PC8\n#ORGNR ${orgnr}\n`);
      expect(parsed.header.currency).toBe("SEK");
      expect(issuesWith(parsed, "SIE_CURRENCY_ASSUMED")).toEqual([expect.objectContaining({ severity: "info" })]);
      expect(issuesWith(parsed, "CURRENCY_NOT_STATED")).toEqual([]);
    }
  });

  it("states no currency when #VALUTA is missing and the company is not evidently Swedish", async () => {
    const cases = [
      ["#ORGNR 923609016\n", /the company is Norwegian \(organisation number 923609016\)/],
      ["#ORGNR 923609017\n", /the organisation number 923609017 is not a Swedish one/],
      ["", /the file gives no organisation number/],
    ] as const;
    for (const [orgnr, why] of cases) {
      const parsed = await parseBytes(`#FLAGGA 0\n#FORMAT PC8\n${orgnr}`);
      expect(parsed.header).not.toHaveProperty("currency");
      const [notStated, ...rest] = issuesWith(parsed, "CURRENCY_NOT_STATED");
      expect(rest).toEqual([]);
      expect(notStated).toMatchObject({ severity: "info" });
      expect(notStated!.message).toMatch(why);
      expect(issuesWith(parsed, "SIE_CURRENCY_ASSUMED")).toEqual([]);
    }
  });

  it("takes a missing #SIETYP as type 1", async () => {
    const parsed = await parseBytes("#FLAGGA 0\n#VALUTA NOK\n");
    expect(parsed.header.formatVersion).toBe("1");
    expect(parsed.header.currency).toBe("NOK");
  });

  it("warns when the fiscal years do not follow each other", async () => {
    const parsed = await parseBytes("#FLAGGA 0\n#RAR 0 20240101 20241231\n#RAR -1 20220101 20221231\n");
    expect(issuesWith(parsed, "SIE_FISCAL_YEARS_NOT_CONSECUTIVE")).toHaveLength(1);
  });

  it("reports a #KSUMMA value without an opening #KSUMMA", async () => {
    const parsed = await parseBytes("#FLAGGA 0\n#KSUMMA 12345\n");
    expect(issuesWith(parsed, "SIE_KSUMMA_WITHOUT_START")).toHaveLength(1);
  });

  it("reports a wrong #KSUMMA with the declared and computed values", async () => {
    const parsed = await parseBytes("#FLAGGA 0\n#KSUMMA\n#FNAMN x\n#KSUMMA 12345\n");
    const [mismatch] = issuesWith(parsed, "SIE_KSUMMA_MISMATCH");
    expect(mismatch).toMatchObject({ severity: "error", location: { line: 4, column: 9 } });
    expect(mismatch!.message).toContain("declares 12345");
  });

  it("reports control characters and unterminated quotes as warnings with their place", async () => {
    const parsed = await parseBytes('#FLAGGA 0\n#FNAMN "Kassa\n#KONTO 1910\u0007Kassa\n');
    expect(parsed.header.company.name).toBe("Kassa");
    expect(issuesWith(parsed, "SIE_UNTERMINATED_QUOTE")[0]!.location).toEqual({ line: 2, column: 8 });
    expect(issuesWith(parsed, "SIE_CONTROL_CHARACTER")[0]!.location).toEqual({ line: 3, column: 12 });
  });
});
