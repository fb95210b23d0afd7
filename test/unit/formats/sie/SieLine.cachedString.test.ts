import { describe, expect, it } from "vitest";
import fc from "fast-check";
import iconv from "iconv-lite";
import { SieLineTokenizer, type SieLine } from "../../../../lib/formats/sie/index.ts";

/**
 * `SieLine.cachedString` / `cachedItem` (the value cache behind account numbers, series, row texts and object ids)
 * must give exactly the text `string` / `objectList` give, whatever was read before: the cache is keyed by bytes,
 * so values that share a slot, differ only in their middle bytes, differ only in form, or are read after an
 * encoding change must never come back stale.
 */

/** Feeds CP437 (or `encoding`) bytes of `text` and checks every field of every line: cached text = plain text. */
function expectCachedTextsMatch(tokenizer: SieLineTokenizer, text: string, encoding = "cp437"): number {
  let checked = 0;
  const check = (line: SieLine) => {
    for (let i = 0; i < line.fieldCount; i++) {
      if (line.isObjectList(i)) {
        const items = line.objectList(i)!;
        for (let k = 0; k < items.length; k++) expect(line.cachedItem(i, k)).toBe(items[k]);
        checked += items.length;
      } else {
        expect(line.cachedString(i)).toBe(line.string(i));
        checked++;
      }
    }
  };
  tokenizer.feedBytes(iconv.encode(text, encoding));
  for (let line = tokenizer.next(); line !== undefined; line = tokenizer.next()) check(line);
  return checked;
}

describe("SieLine value cache", () => {
  it("gives the same text as string() for 40 000 values read twice, many of them sharing cache slots", () => {
    const tokenizer = new SieLineTokenizer({ encoding: "cp437" });
    const lines: string[] = [];
    for (let n = 0; n < 10_000; n++) {
      // Short (≤ 8 bytes, identified by first and last four bytes), middle-length values that differ only in their
      // middle, a quoted text with a letter above 0x7F, and an object list.
      lines.push(`#TRANS ${n} {1 "${n % 97}"} 1.00 20240101 "Ab${n}cdefghijklmn" "Förs ${n}" AAAA${n}ZZZZ`);
    }
    const text = `${lines.join("\n")}\n`;
    const first = expectCachedTextsMatch(tokenizer, text);
    const second = expectCachedTextsMatch(tokenizer, text);
    expect(first).toBe(10_000 * 8);
    expect(second).toBe(first);
  });

  it('tells a quoted value with \\" from the same bytes unquoted (they read differently)', () => {
    const tokenizer = new SieLineTokenizer({ encoding: "cp437" });
    tokenizer.feedBytes(Buffer.from('#X "a\\"b" a\\"b "a\\"b"\n', "latin1"));
    const line = tokenizer.next()!;
    expect([line.cachedString(0), line.cachedString(1), line.cachedString(2)]).toEqual(['a"b', 'a\\"b', 'a"b']);
  });

  it("reads values longer than the cached length the same way", () => {
    const tokenizer = new SieLineTokenizer({ encoding: "cp437" });
    const long = `Leverantörsfaktura ${"x".repeat(40)}`;
    expect(expectCachedTextsMatch(tokenizer, `#VER A 1 20240101 "${long}"\n#VER A 2 20240101 "${long}"\n`)).toBe(8);
  });

  it("decodes the same high bytes anew after the encoding changes (CP437 0x94 is ö, in Windows-1252 it is ”)", () => {
    const tokenizer = new SieLineTokenizer({ encoding: "cp437" });
    const bytes = Buffer.from([...Buffer.from('#KONTO 1 "'), 0x94, ...Buffer.from('"\n')]);
    tokenizer.feedBytes(bytes);
    expect(tokenizer.next()!.cachedString(1)).toBe("ö");
    expect(tokenizer.next()).toBeUndefined();
    tokenizer.setEncoding("windows-1252");
    tokenizer.feedBytes(bytes);
    expect(tokenizer.next()!.cachedString(1)).toBe("\u201d");
  });

  it("gives the same text as string() for any run of values (property)", () => {
    const value = fc.stringMatching(/^[0-9A-Za-zåäöÅÄÖ\-.]{1,40}$/);
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(value, fc.boolean()), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 60,
        }),
        (records) => {
          const tokenizer = new SieLineTokenizer({ encoding: "cp437" });
          const text = records
            .map((fields) => `#X ${fields.map(([v, quoted]) => (quoted ? `"${v}"` : v)).join(" ")}\n`)
            .join("");
          expectCachedTextsMatch(tokenizer, text + text);
        },
      ),
      { numRuns: 200 },
    );
  });
});
