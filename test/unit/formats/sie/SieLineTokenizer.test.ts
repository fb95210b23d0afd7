import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MalformedInputError } from "../../../../lib/formats/errors.ts";
import {
  MAX_SIE_LINE_LENGTH,
  rawTokenizeSie,
  SieLineTokenizer,
  tokenizeSie,
  type SieLine,
} from "../../../../lib/formats/sie/index.ts";
import { chunkedSource } from "../../../../lib/formats/shared/sources.ts";
import { collect } from "../../../helpers/fixtures.ts";

/** Tokenizes `text` in one piece and returns plain views of the lines. */
function tokenize(text: string, pieces: string[] = [text]) {
  const tokenizer = new SieLineTokenizer({ fileName: "t.se" });
  const lines: SieLine[] = [];
  for (const piece of pieces) tokenizer.push(piece, lines);
  tokenizer.end(lines);
  return lines.map((line) => ({
    kind: line.kind,
    label: line.label,
    fields: line.fields,
    fieldColumns: line.fieldColumns,
    line: line.line,
    column: line.column,
    ...(line.text !== undefined ? { text: line.text } : {}),
    ...(line.problems ? { problems: line.problems.map((p) => [p.code, p.line, p.column]) } : {}),
  }));
}

describe("SieLineTokenizer", () => {
  it("splits a record into its label and fields separated by spaces and TABs", () => {
    expect(tokenize("#KONTO  1910\t\t Kassa\n")).toEqual([
      { kind: "record", label: "#KONTO", fields: ["1910", "Kassa"], fieldColumns: [9, 16], line: 1, column: 1 },
    ]);
  });

  it("removes the quotes of quoted fields and keeps their blanks", () => {
    expect(tokenize('#FNAMN "Övik  AB" ""\n')[0]!.fields).toEqual(["Övik  AB", ""]);
  });

  it('unescapes \\" inside quoted fields (SIE 4B §5.7)', () => {
    expect(tokenize('#VER A 1 20240101 "Faktura \\"15\\" klar"\n')[0]!.fields).toEqual([
      "A",
      "1",
      "20240101",
      'Faktura "15" klar',
    ]);
  });

  it("keeps a backslash that does not escape a quote", () => {
    expect(tokenize('#TRANS 1229 {} -133 20090731 "1820\\A012 Cykel"\n')[0]!.fields[4]).toBe("1820\\A012 Cykel");
  });

  it("reads a quote followed by a letter as part of the value (exporters that lost a letter)", () => {
    expect(tokenize('#KONTO 1710 "F"rutbetalda hyreskostnad"\n')[0]!.fields).toEqual(["1710", 'F"rutbetalda hyreskostnad']);
  });

  it("reads object lists with plain and quoted items", () => {
    expect(tokenize('#TRANS 7010 {"1" "456" 7 47} 13200.00\n')[0]!.fields).toEqual(["7010", ["1", "456", "7", "47"], "13200.00"]);
  });

  it("reads {} and { } as empty object lists", () => {
    expect(tokenize("#TRANS 1910 {} 1\n#TRANS 1910 { } 2\n").map((line) => line.fields)).toEqual([
      ["1910", [], "1"],
      ["1910", [], "2"],
    ]);
  });

  it("reads an object item quoted up to the closing brace", () => {
    expect(tokenize('#OIB 0 1930 {1 "1"} 7600\n')[0]!.fields).toEqual(["0", "1930", ["1", "1"], "7600"]);
  });

  it("ends lines at LF, CR LF and a lone CR, and counts each as one line", () => {
    const lines = tokenize("#A 1\n#B 2\r\n#C 3\r#D 4");
    expect(lines.map((line) => [line.label, line.line])).toEqual([
      ["#A", 1],
      ["#B", 2],
      ["#C", 3],
      ["#D", 4],
    ]);
  });

  it("skips blank lines but counts them", () => {
    expect(tokenize("\n  \n\t\n#A\n").map((line) => [line.label, line.line])).toEqual([["#A", 4]]);
  });

  it("gives braces alone on their line their own kinds", () => {
    expect(tokenize("#VER A 1 20240101\n  {\n\t#TRANS 1 {} 1\n}  \n").map((line) => line.kind)).toEqual([
      "record",
      "open",
      "record",
      "close",
    ]);
  });

  it("reports the column of the first non-blank character", () => {
    expect(tokenize("\t#TRANS 1910 {} 1\n")[0]).toMatchObject({ column: 2, fieldColumns: [9, 14, 17] });
  });

  it("returns other lines as text", () => {
    expect(tokenize("hello world  \n")[0]).toMatchObject({ kind: "text", text: "hello world", column: 1 });
  });

  it("reads an unterminated quote up to the line end and reports it", () => {
    const [line] = tokenize('#FNAMN "Övik AB   \n#FLAGGA 0\n');
    expect(line).toMatchObject({ fields: ["Övik AB"], problems: [["SIE_UNTERMINATED_QUOTE", 1, 8]] });
  });

  it("reads an object list that is not closed up to the line end and reports it", () => {
    const [line] = tokenize("#TRANS 1910 {1 2 -5\n");
    expect(line).toMatchObject({ fields: ["1910", ["1", "2", "-5"]], problems: [["SIE_UNCLOSED_OBJECT_LIST", 1, 13]] });
  });

  it("reads control characters between fields as blanks and reports them", () => {
    const [line] = tokenize("#KONTO 1910\u0001Kassa\n");
    expect(line).toMatchObject({ fields: ["1910", "Kassa"], problems: [["SIE_CONTROL_CHARACTER", 1, 12]] });
  });

  it("ignores a DOS end-of-file mark (Ctrl-Z) silently", () => {
    expect(tokenize("#FLAGGA 0\n\u001a")).toEqual([
      { kind: "record", label: "#FLAGGA", fields: ["0"], fieldColumns: [9], line: 1, column: 1 },
    ]);
  });

  it("throws MalformedInputError with line and column on a NUL character", () => {
    expect(() => tokenize("#FLAGGA 0\n#FNAMN x\u0000y\n")).toThrow(MalformedInputError);
    expect(() => tokenize("#FLAGGA 0\n#FNAMN x\u0000y\n")).toThrow("t.se:2:9: NUL byte");
  });

  it("refuses a line longer than the limit", () => {
    const tokenizer = new SieLineTokenizer();
    expect(() => tokenizer.push("#PROSA " + "x".repeat(MAX_SIE_LINE_LENGTH + 1))).toThrow(/no line break/);
  });

  it("joins a CR LF pair split across chunks into one line end", () => {
    expect(tokenize("", ["#A 1\r", "\n#B 2\r", "\r\n#C"]).map((line) => [line.label, line.line])).toEqual([
      ["#A", 1],
      ["#B", 2],
      ["#C", 4],
    ]);
  });

  it("tokenizes the same however the text is split", () => {
    const text = '#FLAGGA 0\r\n#VER "A" 1 20240101 "Text \\"x\\""\r{\n\t#TRANS 1910 {1 "a b"} -1.50 "" "t"\r\n}\n#X "open\n\u0002\n#END';
    const whole = tokenize(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces = [0, ...points].map((from, i) => text.slice(from, points[i] ?? text.length));
        expect(tokenize("", pieces)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it("reads amounts and eight-digit dates in place", () => {
    const tokenizer = new SieLineTokenizer();
    const [line] = tokenizer.push('#TRANS 1910 {} -1234.5 20240131 "x" 3 "1,5"\n');
    expect(line!.amount(2)).toBe(-123_450n);
    expect(line!.amount(6)).toBeUndefined();
    expect(line!.amount(1)).toBeUndefined();
    expect(line!.eightDigits(3)).toBe(20240131);
    expect(line!.eightDigits(4)).toBe(-1);
    expect(line!.isEmpty(9)).toBe(true);
  });
});

describe("tokenizeSie and rawTokenizeSie", () => {
  const text = "#FLAGGA 0\r\n\r\n#VER A 1 20240101\r\n{\r\n#TRANS 1910 {} 1\r\n}";

  it("yields the lines of a stream in batches, decoded", async () => {
    const batches = await collect(tokenizeSie(chunkedSource(new TextEncoder().encode(text), [4])));
    expect(batches.flat().map((line) => [line.line, line.kind, line.label])).toEqual([
      [1, "record", "#FLAGGA"],
      [3, "record", "#VER"],
      [4, "open", ""],
      [5, "record", "#TRANS"],
      [6, "close", ""],
    ]);
  });

  it("counts the non-blank lines without mapping them", async () => {
    expect(await rawTokenizeSie(chunkedSource(new TextEncoder().encode(text), [3]))).toBe(5);
  });
});
