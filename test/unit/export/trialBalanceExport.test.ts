import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TRIAL_BALANCE_COLUMNS, type TrialBalanceExportRow } from "../../../lib/export/exportColumns.ts";
import { trialBalanceCsv, trialBalanceXlsx } from "../../../lib/export/trialBalanceExport.ts";
import { AMOUNT_NUMBER_FORMAT, spreadsheetAmount } from "../../../lib/export/xlsxWorkbook.ts";
import { parseCsvAmount } from "../../../lib/formats/csv/parseCsvAmount.ts";
import { fileSource } from "../../../lib/formats/shared/sources.ts";
import { poisonedSource } from "../../helpers/poisonedSource.ts";
import { inspectFile } from "../../../lib/imports/inspectFile.ts";
import { toLedgerJson } from "../../../lib/ledger/ledgerJson.ts";
import { formatOre, parseOre } from "../../../lib/money/ore.ts";
import { ownFixture } from "../../helpers/fixtures.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");
const sources = [
  join(root, "samples", "demo-saft-1.30.xml"),
  ownFixture("csv/windows1252_names.csv"),
  ownFixture("sie/own_norwegian_cp865.se"),
];

/** A cell read back from a CSV export: the amount in øre, or null when blank. */
function amountOf(cell: string): bigint | null {
  return parseCsvAmount(cell, ",") ?? null;
}

/** What a spreadsheet shows for an exported text cell: a leading `'` guards formulas and is not part of the text. */
function unguard(cell: string): string {
  return /^'+[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

function readCsv(text: string): string[][] {
  return parse(text, { delimiter: ";", bom: true, relax_column_count: false }) as string[][];
}

const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '=HYPERLINK("http://x")',
    "+47 22 00 00 00",
    "-rabatt",
    "@SUM(A1)",
    "Bank; driftskonto",
    'Kasse "hoved"',
    "Linje 1\r\nLinje 2",
    "Ærlig øl på Ås",
  ),
);
const amount = fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n });
const exportRow: fc.Arbitrary<TrialBalanceExportRow> = fc.record({
  account: fc.stringMatching(/^[0-9A-Za-z.:_-]{1,12}$/),
  name: hostileText,
  opening: fc.option(amount, { nil: null }),
  movement: fc.option(amount, { nil: null }),
  closing: amount,
});

describe("trial balance as CSV", () => {
  it.each(sources)("parsed back equals the JSON figures to the øre (%s)", async (path) => {
    const summary = await inspectFile(fileSource(path), { fileName: path });
    const json = toLedgerJson(summary);
    const csv = trialBalanceCsv(summary.rows, "nb");
    const [header, ...records] = readCsv(csv);
    expect(header).toEqual(TRIAL_BALANCE_COLUMNS.map((column) => column.title.nb));
    expect(records).toHaveLength(json.accounts.length);
    records.forEach((record, index) => {
      const account = json.accounts[index]!;
      expect(record[0]).toBe(account.account);
      expect(unguard(record[1]!)).toBe(account.name);
      expect([amountOf(record[2]!), amountOf(record[3]!), amountOf(record[4]!)]).toEqual([
        account.opening === null ? null : parseOre(account.opening),
        account.movement === null ? null : parseOre(account.movement),
        parseOre(account.closing),
      ]);
    });
  });

  it("is read by saldo's own CSV importer as the same trial balance", async () => {
    const summary = await inspectFile(fileSource(sources[0]!), { fileName: "demo.xml" });
    const bytes = new TextEncoder().encode(trialBalanceCsv(summary.rows, "nb"));
    const reread = await inspectFile(poisonedSource(bytes, [97]), { fileName: "saldobalanse.csv" });
    const figures = (json: ReturnType<typeof toLedgerJson>) =>
      json.accounts.map(({ account, name, opening, movement, closing }) => ({
        account,
        name,
        opening,
        movement,
        closing,
      }));
    expect(reread.header.format).toBe("csv");
    expect(figures(toLedgerJson(reread))).toEqual(figures(toLedgerJson(summary)));
  });

  it("is UTF-8 with BOM, CRLF, ';' and a decimal comma without grouping, whatever the names hold", () => {
    fc.assert(
      fc.property(
        fc.array(exportRow, { maxLength: 20 }),
        fc.constantFrom("nb" as const, "en" as const),
        (rows, locale) => {
          const csv = trialBalanceCsv(rows, locale);
          const bytes = Buffer.from(csv, "utf8");
          expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
          expect(csv.endsWith("\r\n")).toBe(true);
          const [header, ...records] = readCsv(csv);
          expect(header).toEqual(TRIAL_BALANCE_COLUMNS.map((column) => column.title[locale]));
          expect(records).toHaveLength(rows.length);
          records.forEach((record, index) => {
            const row = rows[index]!;
            expect(record).toHaveLength(5);
            expect(unguard(record[1]!)).toBe(row.name);
            expect(record[1]!.startsWith("=") || record[1]!.startsWith("+") || record[1]!.startsWith("@")).toBe(false);
            for (const cell of record.slice(2)) expect(cell).toMatch(/^(-?\d+,\d{2})?$/);
            expect([amountOf(record[2]!), amountOf(record[3]!), amountOf(record[4]!)]).toEqual([
              row.opening,
              row.movement,
              row.closing,
            ]);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("trial balance as XLSX", () => {
  async function readSheet(bytes: Uint8Array): Promise<ExcelJS.Worksheet> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
    return workbook.worksheets[0]!;
  }

  it.each(sources)(
    "opened back with exceljs equals the JSON figures, as numeric cells with a number format (%s)",
    async (path) => {
      const summary = await inspectFile(fileSource(path), { fileName: path });
      const json = toLedgerJson(summary);
      const sheet = await readSheet(await trialBalanceXlsx(summary.rows, "nb"));
      expect(sheet.name).toBe("Saldobalanse");
      expect(sheet.getRow(1).values).toEqual([undefined, ...TRIAL_BALANCE_COLUMNS.map((column) => column.title.nb)]);
      json.accounts.forEach((account, index) => {
        const row = sheet.getRow(index + 2);
        expect(row.getCell(1).value).toBe(account.account);
        expect(row.getCell(2).value).toBe(account.name);
        for (const [column, figure] of [
          [3, account.opening],
          [4, account.movement],
          [5, account.closing],
        ] as const) {
          const cell = row.getCell(column);
          if (figure === null) {
            expect(cell.value).toBeNull(); // an unknown figure is a blank cell
            continue;
          }
          expect(typeof cell.value).toBe("number");
          expect(cell.numFmt).toBe(AMOUNT_NUMBER_FORMAT);
          expect(parseOre((cell.value as number).toFixed(2))).toBe(parseOre(figure!));
        }
      });
      const total = sheet.getRow(json.accounts.length + 2);
      expect(total.getCell(2).value).toBe("Sum saldobalanse");
      for (const [column, figure] of [
        [3, json.totals.opening],
        [4, json.totals.movement],
        [5, json.totals.closing],
      ] as const) {
        const cell = total.getCell(column);
        if (figure === null) {
          expect(cell.value).toBeNull(); // the total of an unknown column is unknown: blank
          continue;
        }
        expect(cell.formula).toBe(`SUM(${"ABCDE"[column - 1]}2:${"ABCDE"[column - 1]}${json.accounts.length + 1})`);
        expect(parseOre((cell.result as number).toFixed(2))).toBe(parseOre(figure!));
      }
    },
  );

  it("keeps unknown figures as empty cells and names as text", async () => {
    const rows: TrialBalanceExportRow[] = [
      { account: "1920", name: "=SUM(A1)", opening: null, movement: null, closing: 123456n },
      { account: "0100", name: "Leading zero", opening: -1n, movement: 0n, closing: -1n },
    ];
    const sheet = await readSheet(await trialBalanceXlsx(rows, "en"));
    expect(sheet.name).toBe("Trial balance");
    expect(sheet.getRow(2).values).toEqual([undefined, "1920", "=SUM(A1)", undefined, undefined, 1234.56]);
    expect(sheet.getRow(3).getCell(1).value).toBe("0100");
    expect(sheet.getRow(4).getCell(2).value).toBe("Total trial balance");
  });

  it("refuses an amount a spreadsheet number cannot hold exactly, and holds every smaller one exactly", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }), (ore) => {
        expect(parseOre(spreadsheetAmount(ore).toFixed(2))).toBe(ore);
      }),
    );
    expect(() => spreadsheetAmount(10n ** 15n)).toThrow(expect.objectContaining({ code: "EXPORT_AMOUNT_NOT_EXACT" }));
    expect(formatOre(10n ** 15n - 1n)).toBe("9999999999999.99");
  });
});
