import { describe, expect, it } from "vitest";
import { parseBytes, saftDocument, summarize, transaction } from "./saftTestHelpers.ts";

const read = async (bytes: Uint8Array) => summarize(await parseBytes(bytes));
const debit = (account: string, amount: string) =>
  `<Line><RecordID>1</RecordID><AccountID>${account}</AccountID><Description>d</Description><DebitAmount><Amount>${amount}</Amount></DebitAmount></Line>`;
const credit = (account: string, amount: string) =>
  `<Line><RecordID>2</RecordID><AccountID>${account}</AccountID><Description>c</Description><CreditAmount><Amount>${amount}</Amount></CreditAmount></Line>`;

describe("per-record problems become issues and parsing continues", () => {
  // Locations below were computed from the document text (split on "\n", indexOf of the start tag), not from the parser.
  it("an unparseable line amount → SAFT_INVALID_AMOUNT with location and account; the line is left out", async () => {
    const parsed = await read(
      saftDocument({ transactions: transaction(`${debit("1920", "1 250,00")}\n${credit("3000", "1250.00")}`) }),
    );
    expect(parsed.issues).toEqual([
      {
        severity: "error",
        code: "SAFT_INVALID_AMOUNT",
        message: expect.stringContaining('"1 250,00"'),
        account: "1920",
        transactionId: "T1",
        location: { line: 15, column: 97, offset: expect.any(Number) },
      },
    ]);
    expect(parsed.transactions[0]!.lines).toEqual([expect.objectContaining({ account: "3000", amount: -125000n })]);
  });

  it("Period and PeriodYear: 1–3 and 4 digits are the period; anything else → SAFT_INVALID_PERIOD, no period", async () => {
    const lines = `${debit("1920", "10.00")}\n${credit("3000", "10.00")}`;
    const withPeriod = (period: string, year: string) =>
      transaction(lines)
        .replace("<Period>3</Period>", `<Period>${period}</Period>`)
        .replace("<PeriodYear>2025</PeriodYear>", `<PeriodYear>${year}</PeriodYear>`);
    const cases: [string, string][] = [
      ["3", "2025"],
      ["012", "2025"],
      ["1234", "2025"],
      ["", "2025"],
      ["3", "25"],
      ["3", "2O25"],
      ["3 ", "2025"],
      ["x", "20255"],
    ];
    const parsed = await read(
      saftDocument({ transactions: cases.map(([period, year]) => withPeriod(period, year)).join("\n") }),
    );
    expect(parsed.transactions.map((transaction) => transaction.period)).toEqual([
      { year: 2025, number: 3 },
      { year: 2025, number: 12 },
      undefined,
      undefined,
      undefined,
      undefined,
      { year: 2025, number: 3 }, // values are trimmed
      undefined,
    ]);
    expect(parsed.issues.map((issue) => issue.code)).toEqual(Array(5).fill("SAFT_INVALID_PERIOD"));
  });

  it("an amount with more than two decimals → SAFT_AMOUNT_TOO_PRECISE", async () => {
    const parsed = await read(
      saftDocument({ transactions: transaction(`${debit("1920", "100.005")}\n${credit("3000", "100.00")}`) }),
    );
    expect(parsed.issues.map((issue) => issue.code)).toEqual(["SAFT_AMOUNT_TOO_PRECISE"]);
    expect(parsed.issues[0]!.message).toMatch(/more than two decimals/);
  });

  it("trailing zeros beyond two decimals are exact and accepted", async () => {
    const parsed = await read(
      saftDocument({ transactions: transaction(`${debit("1920", "100.500")}\n${credit("3000", "100.5")}`) }),
    );
    expect(parsed.issues).toEqual([]);
    expect(parsed.transactions[0]!.lines.map((line) => line.amount)).toEqual([10050n, -10050n]);
  });

  it("a line without AccountID → SAFT_LINE_MISSING_ACCOUNT with the amount; the line is left out", async () => {
    const line = `<Line><RecordID>1</RecordID><Description>x</Description><DebitAmount><Amount>10.00</Amount></DebitAmount></Line>`;
    const parsed = await read(saftDocument({ transactions: transaction(`${line}\n${credit("3000", "10.00")}`) }));
    expect(parsed.issues).toEqual([
      expect.objectContaining({
        severity: "error",
        code: "SAFT_LINE_MISSING_ACCOUNT",
        amount: 1000n,
        transactionId: "T1",
        location: expect.objectContaining({ line: 15, column: 1 }),
      }),
    ]);
    expect(parsed.transactions[0]!.lines).toHaveLength(1);
  });

  it("a line without DebitAmount/CreditAmount → SAFT_LINE_MISSING_AMOUNT", async () => {
    const line = `<Line><RecordID>1</RecordID><AccountID>1920</AccountID><Description>x</Description></Line>`;
    const parsed = await read(saftDocument({ transactions: transaction(line) }));
    expect(parsed.issues.map((issue) => issue.code)).toEqual(["SAFT_LINE_MISSING_AMOUNT"]);
  });

  it("a line with both DebitAmount and CreditAmount → warning, and the net amount", async () => {
    const line = `<Line><RecordID>1</RecordID><AccountID>1920</AccountID><Description>x</Description><DebitAmount><Amount>10.00</Amount></DebitAmount><CreditAmount><Amount>4.00</Amount></CreditAmount></Line>`;
    const parsed = await read(saftDocument({ transactions: transaction(line) }));
    expect(parsed.issues.map((issue) => issue.code)).toEqual(["SAFT_LINE_DEBIT_AND_CREDIT"]);
    expect(parsed.transactions[0]!.lines[0]!.amount).toBe(600n);
  });

  it("negative amounts are accepted as written (credit of −5 is a debit of 5)", async () => {
    const parsed = await read(
      saftDocument({ transactions: transaction(`${debit("1920", "-5.00")}\n${credit("3000", "-5.00")}`) }),
    );
    expect(parsed.issues).toEqual([]);
    expect(parsed.transactions[0]!.lines.map((line) => line.amount)).toEqual([-500n, 500n]);
  });

  it("a date in another format → SAFT_INVALID_DATE warning, the text is kept as written", async () => {
    const text = new TextDecoder()
      .decode(saftDocument({ transactions: transaction(`${debit("1920", "1")}${credit("3000", "1")}`) }))
      .replace("<TransactionDate>2025-03-01", "<TransactionDate>01.03.2025");
    const parsed = await read(new TextEncoder().encode(text));
    expect(parsed.issues).toEqual([
      expect.objectContaining({ severity: "warning", code: "SAFT_INVALID_DATE", transactionId: "T1" }),
    ]);
    expect(parsed.transactions[0]!.date).toBe("01.03.2025");
  });

  it("dates with a time zone or time part are reduced to the date", async () => {
    const text = new TextDecoder()
      .decode(saftDocument({ transactions: transaction(`${debit("1920", "1")}${credit("3000", "1")}`) }))
      .replace("<TransactionDate>2025-03-01", "<TransactionDate>2025-03-01+01:00")
      .replace("<SystemEntryDate>2025-03-01", "<SystemEntryDate>2025-03-02T10:11:12");
    const parsed = await read(new TextEncoder().encode(text));
    expect(parsed.issues).toEqual([]);
    expect(parsed.transactions[0]).toMatchObject({ date: "2025-03-01", entryDate: "2025-03-02" });
  });

  it("an unreadable opening balance → SAFT_INVALID_AMOUNT and no opening (never invented)", async () => {
    const accounts = `<Account><AccountID>1920</AccountID><AccountDescription>Bank</AccountDescription><GroupingCategory>g</GroupingCategory><GroupingCode>1</GroupingCode><AccountType>GL</AccountType><OpeningDebitBalance>abc</OpeningDebitBalance><ClosingDebitBalance>5.00</ClosingDebitBalance></Account>`;
    const parsed = await read(saftDocument({ accounts }));
    expect(parsed.issues).toEqual([expect.objectContaining({ code: "SAFT_INVALID_AMOUNT", account: "1920" })]);
    expect(parsed.accounts[0]).toMatchObject({ id: "1920", closing: 500n });
    expect(parsed.accounts[0]!.opening).toBeUndefined();
  });

  it("an account without AccountID → SAFT_ACCOUNT_MISSING_ID, and the next account is still read", async () => {
    const accounts = `<Account><AccountDescription>?</AccountDescription><OpeningDebitBalance>0</OpeningDebitBalance><ClosingDebitBalance>0</ClosingDebitBalance></Account>
<Account><AccountID>3000</AccountID><AccountDescription>Salg</AccountDescription><GroupingCategory>salgsinntekt</GroupingCategory><GroupingCode>3000</GroupingCode><OpeningCreditBalance>0</OpeningCreditBalance><ClosingCreditBalance>7</ClosingCreditBalance></Account>`;
    const parsed = await read(saftDocument({ accounts }));
    expect(parsed.issues.map((issue) => issue.code)).toEqual(["SAFT_ACCOUNT_MISSING_ID"]);
    expect(parsed.accounts).toEqual([expect.objectContaining({ id: "3000", closing: -700n })]);
  });

  it("issues found in the header come after the header record", async () => {
    const header = `<AuditFileVersion>1.30</AuditFileVersion><AuditFileDateCreated>2025-02-30</AuditFileDateCreated><Company><Name>X</Name></Company><DefaultCurrencyCode>NOK</DefaultCurrencyCode>`;
    const records = await parseBytes(saftDocument({ header }));
    expect(records[0]!.type).toBe("header");
    expect(records[1]).toMatchObject({ type: "issue", issue: { code: "SAFT_INVALID_DATE" } });
  });

  it("a header without DefaultCurrencyCode gives a header with no currency and SAFT_CURRENCY_MISSING", async () => {
    const header = `<AuditFileVersion>1.30</AuditFileVersion><Company><Name>X</Name></Company>`;
    const records = await parseBytes(saftDocument({ header }));
    expect(records[0]).toMatchObject({ type: "header" });
    expect(records[0]!.type === "header" && records[0]!.header).not.toHaveProperty("currency");
    expect(records).toContainEqual(
      expect.objectContaining({ type: "issue", issue: expect.objectContaining({ code: "SAFT_CURRENCY_MISSING" }) }),
    );
  });

  it("a plain <!DOCTYPE AuditFile> is tolerated with a warning (no DTD is loaded)", async () => {
    const text = new TextDecoder()
      .decode(saftDocument())
      .replace("<AuditFile ", '<!DOCTYPE AuditFile SYSTEM "http://example.invalid/saft.dtd">\n<AuditFile ');
    const parsed = await read(new TextEncoder().encode(text));
    expect(parsed.issues.map((issue) => issue.code)).toEqual(["SAFT_DOCTYPE_IGNORED"]);
    expect(parsed.accounts).toHaveLength(1);
  });

  it("a namespace that is almost right → SAFT_NAMESPACE_UNEXPECTED warning", async () => {
    const parsed = await read(
      saftDocument({ root: `<AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:no">` }),
    );
    expect(parsed.issues.map((issue) => issue.code)).toEqual(["SAFT_NAMESPACE_UNEXPECTED"]);
  });

  it("an encoding override that differs from the declaration is reported", async () => {
    const { parseSaft } = await import("../../../../lib/formats/saft/index.ts");
    const { poisonedSource } = await import("../../../helpers/poisonedSource.ts");
    const records = [];
    for await (const record of parseSaft(poisonedSource(saftDocument()), { encoding: "windows-1252" }))
      records.push(record);
    const parsed = summarize(records);
    expect(parsed.header.encoding).toBe("windows-1252");
    expect(parsed.issues.map((issue) => issue.code)).toEqual(["SAFT_ENCODING_OVERRIDE"]);
  });
});
