import { PassThrough } from "node:stream";
import { buffer } from "node:stream/consumers";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TRANSACTION_LINE_COLUMNS } from "../../../lib/export/exportColumns.ts";
import { transactionLinesCsv, writeTransactionLinesXlsx } from "../../../lib/export/transactionLinesExport.ts";
import { AMOUNT_NUMBER_FORMAT, DATE_NUMBER_FORMAT } from "../../../lib/export/xlsxWorkbook.ts";
import { parseCsvAmount } from "../../../lib/formats/csv/parseCsvAmount.ts";
import type { LedgerLine } from "../../../lib/ledger/types.ts";
import { parseOre } from "../../../lib/money/ore.ts";

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    "=cmd|' /C calc'!A0",
    "-20% rabatt",
    "'-",
    "''=1+1",
    "'tekst",
    "Husleie; mars",
    'Sitat "x"',
    "To\nlinjer",
  ),
);
const line: fc.Arbitrary<LedgerLine> = fc.record(
  {
    transactionId: fc.stringMatching(/^[0-9A-Z-]{1,10}$/),
    lineNumber: fc.nat({ max: 500 }),
    journal: fc.constantFrom("GL", "AR", "AP"),
    date: fc
      .date({ min: new Date("2020-01-01"), max: new Date("2030-12-31"), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10)),
    period: fc.record({ year: fc.integer({ min: 2020, max: 2030 }), number: fc.integer({ min: 1, max: 12 }) }),
    transactionDescription: text,
    account: fc.stringMatching(/^[0-9]{4,6}$/),
    amount: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
    description: text,
    currencyAmount: fc.record({
      currency: fc.constantFrom("EUR", "SEK"),
      amount: fc.constantFrom("12.5", "-0.125", "100.00"),
    }),
    taxCode: fc.constantFrom("1", "3", "31"),
    customerId: fc.stringMatching(/^K[0-9]{1,4}$/),
    dimensions: fc.array(
      fc.record({ type: fc.constantFrom("avdeling", "prosjekt"), id: fc.stringMatching(/^[0-9]{1,3}$/) }),
      { maxLength: 2 },
    ),
    recordId: fc.stringMatching(/^[0-9]{1,5}$/),
  },
  { requiredKeys: ["transactionId", "lineNumber", "date", "account", "amount"] },
);
/** Lines in pages, as the use case hands them out (empty pages included: a filter can leave a page empty). */
const pages = fc.array(fc.array(line, { maxLength: 6 }), { maxLength: 5 });

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function csvOf(input: LedgerLine[][], locale: "nb" | "en"): Promise<string> {
  let out = "";
  for await (const chunk of transactionLinesCsv(from(input), locale)) out += chunk;
  return out;
}

/** A text cell as a spreadsheet shows it: the leading `'` that guards a formula-like text is not part of it. */
const unguard = (cell: string) => (/^'+[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

const column = (title: string) => TRANSACTION_LINE_COLUMNS.findIndex((candidate) => candidate.title.nb === title);

describe("transaction lines as CSV", () => {
  it("streams one file whose records parse back to the lines, to the øre", async () => {
    await fc.assert(
      fc.asyncProperty(pages, async (input) => {
        const csv = await csvOf(input, "nb");
        expect(csv.startsWith("\ufeff")).toBe(true);
        const [header, ...records] = parse(csv, { delimiter: ";", bom: true }) as string[][];
        expect(header).toEqual(TRANSACTION_LINE_COLUMNS.map((candidate) => candidate.title.nb));
        const lines = input.flat();
        expect(records).toHaveLength(lines.length);
        records.forEach((record, index) => {
          const expected = lines[index]!;
          expect(unguard(record[column("Bilag")]!)).toBe(expected.transactionId);
          expect(record[column("Linje")]).toBe(String(expected.lineNumber + 1));
          expect(record[column("Dato")]).toBe(expected.date);
          expect(record[column("Konto")]).toBe(expected.account);
          expect(parseCsvAmount(record[column("Beløp")]!, ",")).toBe(expected.amount);
          expect(record[column("Beløp")]).toMatch(/^-?\d+,\d{2}$/);
          expect(unguard(record[column("Linjetekst")]!)).toBe(expected.description ?? "");
          expect(record[column("Valutabeløp")]).toBe(expected.currencyAmount?.amount.replace(".", ",") ?? "");
        });
      }),
      { numRuns: 60 },
    );
  });

  it("has English titles with locale en and the same cells", async () => {
    const sample: LedgerLine = {
      transactionId: "7",
      lineNumber: 0,
      date: "2025-03-01",
      account: "1920",
      amount: -1800050n,
    };
    const [header, record] = parse(await csvOf([[sample]], "en"), { delimiter: ";", bom: true }) as string[][];
    expect(header).toEqual(TRANSACTION_LINE_COLUMNS.map((candidate) => candidate.title.en));
    expect(record!.slice(0, 8)).toEqual(["7", "1", "2025-03-01", "", "", "", "1920", "-18000,50"]);
  });
});

describe("transaction lines as XLSX", () => {
  async function workbookOf(input: LedgerLine[][], maxRowsPerSheet?: number): Promise<ExcelJS.Workbook> {
    const sink = new PassThrough();
    const [bytes, written] = await Promise.all([
      buffer(sink),
      writeTransactionLinesXlsx(from(input), "nb", sink, maxRowsPerSheet),
    ]);
    expect(written).toBe(input.flat().length);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    return workbook;
  }

  it("streams a workbook whose rows open back to the lines: numeric amounts, date cells, text ids", async () => {
    await fc.assert(
      fc.asyncProperty(pages, async (input) => {
        const workbook = await workbookOf(input);
        const sheet = workbook.worksheets[0]!;
        expect(sheet.name).toBe("Transaksjoner");
        const lines = input.flat();
        lines.forEach((expected, index) => {
          const row = sheet.getRow(index + 2);
          expect(row.getCell(column("Bilag") + 1).value).toBe(expected.transactionId);
          const amount = row.getCell(column("Beløp") + 1);
          expect(typeof amount.value).toBe("number");
          expect(amount.numFmt).toBe(AMOUNT_NUMBER_FORMAT);
          expect(parseOre((amount.value as number).toFixed(2))).toBe(expected.amount);
          const date = row.getCell(column("Dato") + 1);
          expect(date.value).toEqual(new Date(`${expected.date}T00:00:00.000Z`));
          expect(date.numFmt).toBe(DATE_NUMBER_FORMAT.nb);
          expect(row.getCell(column("Linjetekst") + 1).value ?? "").toBe(expected.description ?? "");
        });
      }),
      { numRuns: 8 },
    );
  });

  it("continues on a new sheet when one is full", async () => {
    const lines: LedgerLine[] = Array.from({ length: 7 }, (_, index) => ({
      transactionId: String(index),
      lineNumber: 0,
      date: "2025-01-31",
      account: "1920",
      amount: BigInt(index * 100 + 1),
    }));
    const workbook = await workbookOf([lines.slice(0, 4), lines.slice(4)], 4);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      "Transaksjoner",
      "Transaksjoner (2)",
      "Transaksjoner (3)",
    ]);
    const ids = workbook.worksheets.flatMap((sheet) => {
      expect(sheet.getRow(1).getCell(1).value).toBe("Bilag");
      const values: unknown[] = [];
      sheet.eachRow((row, number) => number > 1 && values.push(row.getCell(1).value));
      return values;
    });
    expect(ids).toEqual(lines.map((line) => line.transactionId));
  });
});
