import { describe, expect, it, vi } from "vitest";
import { detectCsvLayout, LAYOUT_SAMPLE_CHARS } from "../../../../lib/formats/csv/detectCsvLayout.ts";
import { parseText } from "./csvTestSupport.ts";

// Count csv-parse's passes over the sample: detection must read it once per candidate delimiter, whatever the input.
const passes = vi.hoisted(() => ({ count: 0 }));
vi.mock("csv-parse/sync", async (importOriginal) => {
  const original = await importOriginal<typeof import("csv-parse/sync")>();
  return {
    ...original,
    parse: ((...args: Parameters<typeof original.parse>) => {
      passes.count++;
      return original.parse(...args);
    }) as typeof original.parse,
  };
});

const N = LAYOUT_SAMPLE_CHARS;
/** Samples that made detection slow: a quote left open after many lines, one line of tens of thousands of cells. */
const HOSTILE: Record<string, string> = {
  "a quote left open after 32 000 short lines": "1\n".repeat(N / 2 - 1) + '"x',
  "account rows, then a quote left open": "1920;Bank;100,00\n".repeat(Math.floor(N / 17) - 1) + '1;"',
  "a quote on every line": '"\n'.repeat(N / 2),
  "one line of 32 000 cells": "1;".repeat(N / 2),
  "one line without a separator": "1".repeat(N),
};

describe("CSV layout detection on hostile input", () => {
  it.each(Object.entries(HOSTILE))("reads %s in one pass per candidate delimiter", (_name, sample) => {
    passes.count = 0;
    try {
      detectCsvLayout(sample, false, {});
    } catch (error) {
      expect((error as { code?: string }).code).toBe("CSV_AMBIGUOUS_LAYOUT");
    }
    // ";", "," and tab to choose the delimiter, and the chosen one once more.
    expect(passes.count).toBeLessThanOrEqual(4);
  });

  it("keeps the records before a quote left open, and names the line it opens on", () => {
    const rows = Array.from({ length: 3000 }, (_, index) => `${1000 + index};Konto ${index};${index},50`);
    const sample = `Konto;Navn;UB\n${rows.join("\n")}\n9999;"aldri lukket;1,00\n`;
    // A sample cut inside the quoted field: the layout comes from the 3 000 rows before it.
    expect(detectCsvLayout(sample, false, {})).toMatchObject({
      delimiter: ";",
      decimal: ",",
      headerLine: 1,
      columns: { account: 0, name: 1, closing: 2 },
      sampleAccountRows: 3000,
    });
    // The whole file: the quote is never closed, at the line where it opens.
    expect(() => detectCsvLayout(sample, true, {})).toThrow(
      expect.objectContaining({ code: "CSV_QUOTE_NOT_CLOSED", location: { line: 3002, column: 1 } }),
    );
  });

  it("answers a hostile file within a generous bound, with a clear error", async () => {
    const started = performance.now();
    await expect(parseText("1\n".repeat(N) + '"x\n')).rejects.toMatchObject({ code: "CSV_AMBIGUOUS_LAYOUT" });
    // Linear now (about a second on a loaded two-core machine); the binary search over cut points took 8–24 s.
    expect((performance.now() - started) / 1000).toBeLessThan(60);
  });
});
