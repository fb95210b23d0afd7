import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MalformedInputError } from "../../../../lib/formats/errors.ts";
import { readCsvRecords } from "../../../../lib/formats/csv/readCsvRecords.ts";
import { collect } from "../../../helpers/fixtures.ts";

async function* pieces(text: string, sizes: number[]): AsyncGenerator<string> {
  let at = 0;
  let index = 0;
  while (at < text.length) {
    const size = Math.max(1, sizes[index++ % Math.max(1, sizes.length)] ?? text.length);
    yield text.slice(at, at + size);
    at += size;
  }
}

const TEXT =
  'Konto;Navn;Saldo\r\n1500;"Kunde; ""A"" AS";12,50\r\n\r\n1920;"Bank\r\nkonto";-3,00\n2400;Lev;\r3000;Salg;"1 000,00"\n4000;"Varer, kjøp";7';

describe("readCsvRecords", () => {
  it("splits quoted fields with delimiters, escaped quotes and line breaks, and numbers records by their first line", async () => {
    const records = await collect(readCsvRecords(pieces(TEXT, [TEXT.length]), { delimiter: ";" }));
    expect(records).toEqual([
      { cells: ["Konto", "Navn", "Saldo"], line: 1 },
      { cells: ["1500", 'Kunde; "A" AS', "12,50"], line: 2 },
      { cells: [""], line: 3 },
      { cells: ["1920", "Bank\r\nkonto", "-3,00"], line: 4 },
      { cells: ["2400", "Lev", ""], line: 6 },
      { cells: ["3000", "Salg", "1 000,00"], line: 7 },
      { cells: ["4000", "Varer, kjøp", "7"], line: 8 },
    ]);
  });

  it("gives the same records for any split of the text and any batch size", async () => {
    const whole = await collect(readCsvRecords(pieces(TEXT, [TEXT.length]), { delimiter: ";" }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 60 }),
        async (sizes, batchChars) => {
          expect(
            await collect(readCsvRecords(pieces(TEXT + "\r\r\n\n", sizes), { delimiter: ";", batchChars })),
          ).toEqual(await collect(readCsvRecords(pieces(TEXT + "\r\r\n\n", [1000]), { delimiter: ";" })));
          expect(await collect(readCsvRecords(pieces(TEXT, sizes), { delimiter: ";", batchChars }))).toEqual(whole);
        },
      ),
      {
        numRuns: 500,
        examples: [
          [[1], 1],
          [[1, 2], 3],
          [[7], 5],
        ],
      },
    );
  });

  it("throws MalformedInputError with the line of a quote that is never closed", async () => {
    const error = await collect(
      readCsvRecords(pieces('a;b\n1;"open\n2;x\n', [3]), { delimiter: ";", batchChars: 2 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedInputError);
    expect((error as MalformedInputError).code).toBe("CSV_QUOTE_NOT_CLOSED");
    expect((error as MalformedInputError).location?.line).toBeGreaterThanOrEqual(2);
  });

  it("refuses a record longer than the limit instead of holding the file", async () => {
    const text = 'a;"' + "x\n".repeat(100);
    const error = await collect(
      readCsvRecords(pieces(text, [10]), { delimiter: ";", batchChars: 16, maxRecordChars: 64 }),
    ).catch((e: unknown) => e);
    expect((error as MalformedInputError).code).toBe("CSV_RECORD_TOO_LONG");
  });
});
