import { describe, expect, it } from "vitest";
import fc from "fast-check";
import iconv from "iconv-lite";
import { MalformedInputError } from "../../../../lib/formats/errors.ts";
import {
  MAX_SIE_LINE_LENGTH,
  rawTokenizeSie,
  SieLineTokenizer,
  tokenizeSie,
  type SieLine,
} from "../../../../lib/formats/sie/index.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
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
    expect(tokenize('#KONTO 1710 "F"rutbetalda hyreskostnad"\n')[0]!.fields).toEqual([
      "1710",
      'F"rutbetalda hyreskostnad',
    ]);
  });

  it("reads object lists with plain and quoted items", () => {
    expect(tokenize('#TRANS 7010 {"1" "456" 7 47} 13200.00\n')[0]!.fields).toEqual([
      "7010",
      ["1", "456", "7", "47"],
      "13200.00",
    ]);
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
    const text =
      '#FLAGGA 0\r\n#VER "A" 1 20240101 "Text \\"x\\""\r{\n\t#TRANS 1910 {1 "a b"} -1.50 "" "t"\r\n}\n#X "open\n\u0002\n#END';
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
    const batches = await collect(tokenizeSie(poisonedSource(new TextEncoder().encode(text), [4])));
    expect(batches.flat().map((line) => [line.line, line.kind, line.label])).toEqual([
      [1, "record", "#FLAGGA"],
      [3, "record", "#VER"],
      [4, "open", ""],
      [5, "record", "#TRANS"],
      [6, "close", ""],
    ]);
  });

  it("counts the non-blank lines without mapping them", async () => {
    expect(await rawTokenizeSie(poisonedSource(new TextEncoder().encode(text), [3]))).toBe(5);
  });
});

describe("SieLineTokenizer on bytes", () => {
  /** Tokenizes `bytes` (read as `encoding`) fed in the given pieces and returns plain views of the lines. */
  function tokenizeBytes(bytes: Uint8Array, encoding: string, sizes: number[] = [bytes.length]) {
    const tokenizer = new SieLineTokenizer({ fileName: "t.se", encoding });
    const lines: SieLine[] = [];
    const take = () => {
      for (let line = tokenizer.next(); line !== undefined; line = tokenizer.next()) lines.push(line.snapshot());
    };
    let offset = 0;
    for (let i = 0; offset < bytes.length; i++) {
      const size = Math.max(1, sizes[i % sizes.length]!);
      tokenizer.feedBytes(bytes.subarray(offset, offset + size));
      take();
      offset += size;
    }
    tokenizer.finish();
    take();
    return lines.map((line) => ({
      label: line.label,
      fields: line.fields,
      fieldColumns: line.fieldColumns,
      column: line.column,
      endColumn: line.endColumn,
      ...(line.text !== undefined ? { text: line.text } : {}),
      ...(line.problems ? { problems: line.problems.map((p) => [p.code, p.line, p.column]) } : {}),
    }));
  }

  it("decodes the kept values of CP437 bytes (å 0x86, ä 0x84, ö 0x94, Å 0x8F)", () => {
    const bytes = Buffer.from([
      ...Buffer.from('#FNAMN "'),
      0x8f,
      ...Buffer.from("ker"),
      0x94,
      ...Buffer.from('" '),
      0x86,
      0x84,
      0x0a,
    ]);
    expect(tokenizeBytes(bytes, "cp437")[0]!.fields).toEqual(["Åkerö", "åä"]);
  });

  it("decodes a CP437 box-drawing character (outside Latin-1) like iconv-lite does", () => {
    const bytes = Buffer.from([...Buffer.from("#PROSA "), 0xc4, 0xb3, 0x41, 0x0a]);
    expect(tokenizeBytes(bytes, "cp437")[0]!.fields).toEqual([iconv.decode(Buffer.from([0xc4, 0xb3, 0x41]), "cp437")]);
  });

  it("counts columns in UTF-16 code units of the decoded line, not in bytes", () => {
    // "Ö" is 2 bytes and 1 column; "😀" is 4 bytes and 2 columns (a surrogate pair).
    const [line] = tokenizeBytes(Buffer.from('#FNAMN "Ö" 😀 "open\u0001  \n', "utf8"), "utf-8");
    expect(line).toEqual({
      label: "#FNAMN",
      fields: ["Ö", "😀", "open"], // trailing blanks and controls of an unclosed value are dropped
      fieldColumns: [8, 12, 15],
      column: 1,
      endColumn: 23,
      problems: [["SIE_UNTERMINATED_QUOTE", 1, 15]],
    });
  });

  it("places a control character after multi-byte characters at its character column", () => {
    const [line] = tokenizeBytes(Buffer.from("#KONTO 1910 Kassaåå\u0001x\n", "utf8"), "utf-8");
    expect(line!.problems).toEqual([["SIE_CONTROL_CHARACTER", 1, 20]]);
  });

  it("places a NUL after multi-byte characters at its character column", () => {
    expect(() => tokenizeBytes(Buffer.from("#FLAGGA 0\n#FNAMN ÅÄÖ\u0000\n", "utf8"), "utf-8")).toThrow(
      "t.se:2:11: NUL byte",
    );
  });

  it("tokenizes the same however the bytes are split, also inside a UTF-8 character", () => {
    const bytes = Buffer.from(
      '#FLAGGA 0\r\n#VER "Å" 1 20240101 "Lön \\"x\\" ø"\r{\n\t#TRANS 1910 {1 "å b"} -1.50 "" "😀t"\r\n}\n#X "öppen\n\u0002\n#END Ö',
      "utf8",
    );
    const whole = tokenizeBytes(bytes, "utf-8");
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        expect(tokenizeBytes(bytes, "utf-8", sizes)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it("reads text given as a string exactly as the same text given as UTF-8 bytes", () => {
    const text = '#KONTO 1910 "Kassa å" \u0001 {1 "ø"}\n  text line Ø  \n#TRANS 1910 {} 1.5\n';
    const fromString = tokenize(text).map(({ fields, fieldColumns, column, problems }) => ({
      fields,
      fieldColumns,
      column,
      problems,
    }));
    const fromBytes = tokenizeBytes(Buffer.from(text, "utf8"), "utf-8").map(
      ({ fields, fieldColumns, column, problems }) => ({ fields, fieldColumns, column, problems }),
    );
    expect(fromBytes).toEqual(fromString);
  });

  it("keeps a snapshot intact when the bytes it was read from change afterwards", () => {
    const bytes = Buffer.from('#FNAMN "Bolag AB" 12.50\n');
    const tokenizer = new SieLineTokenizer();
    tokenizer.feedBytes(bytes);
    const snapshot = tokenizer.next()!.snapshot();
    bytes.fill(0x20);
    expect(snapshot.fields).toEqual(["Bolag AB", "12.50"]);
    expect(snapshot.amount(1)).toBe(1250n);
    expect(snapshot.fieldColumns).toEqual([8, 19]);
  });
});
