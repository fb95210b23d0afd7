import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ELLIPSIS, displayWidth, renderTextTable, truncateAtWord } from "../../../lib/presentation/textTable.ts";

const words = fc
  .array(fc.stringMatching(/^[A-Za-zÆØÅæøå0-9]{1,14}$/), { minLength: 1, maxLength: 8 })
  .map((list) => list.join(" "));

describe("truncateAtWord", () => {
  it("keeps text that fits, and otherwise fits the width, ends with … and keeps a prefix of the text", () => {
    fc.assert(
      fc.property(words, fc.integer({ min: 1, max: 60 }), (text, width) => {
        const cut = truncateAtWord(text, width);
        expect(displayWidth(cut)).toBeLessThanOrEqual(width);
        if (displayWidth(text) <= width) {
          expect(cut).toBe(text);
        } else {
          expect(cut.endsWith(ELLIPSIS)).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
        }
      }),
    );
  });

  it("cuts between words when a word boundary keeps at least a third of the width", () => {
    fc.assert(
      fc.property(words, fc.integer({ min: 8, max: 60 }), (text, width) => {
        const cut = truncateAtWord(text, width);
        if (cut === text) return;
        const kept = cut.slice(0, -1);
        const endsAtWord = text.length === kept.length || text[kept.length] === " ";
        const lastSpace = text.slice(0, width - 1).lastIndexOf(" ");
        if (lastSpace >= (width - 1) / 3) expect(endsAtWord).toBe(true);
      }),
    );
    expect(truncateAtWord("Inngående merverdiavgift, høy sats", 20)).toBe("Inngående…");
    expect(truncateAtWord("Utgående merverdiavgift, høy sats", 30)).toBe("Utgående merverdiavgift, høy…");
    expect(truncateAtWord("Merverdiavgiftskompensasjon", 10)).toBe("Merverdia…");
  });
});

describe("renderTextTable", () => {
  it("takes widths from the content, right-aligns figures and lets a total label span its columns", () => {
    const lines = renderTextTable(
      [
        { title: "Konto", align: "left" },
        { title: "Navn", align: "left" },
        { title: "UB", align: "right" },
      ],
      [
        ["1920", "Bank", "1 000,00"],
        ["3000", "Salg", "−50,00"],
      ],
      [{ label: "Sum saldobalanse (2 kontoer)", span: 2, cells: ["950,00"] }],
    );
    const widths = lines.map(displayWidth);
    // Every figure ends in the same column.
    const figureEnds = [lines[2]!, lines[3]!, lines[5]!].map((line) => displayWidth(line));
    expect(new Set(figureEnds).size).toBe(1);
    expect(lines[5]!.startsWith("Sum saldobalanse (2 kontoer)")).toBe(true);
    expect(lines[1]).toMatch(/^-+$/);
    expect(Math.max(...widths)).toBe(displayWidth(lines[1]!));
    expect(lines.every((line) => line === line.trimEnd())).toBe(true);
  });
});
