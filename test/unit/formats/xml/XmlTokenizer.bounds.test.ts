import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SourceLocation } from "../../../../lib/ledger/types.ts";
import { MalformedInputError, TruncatedInputError } from "../../../../lib/formats/errors.ts";
import {
  DEFAULT_MAX_TAG_BYTES,
  XmlTokenizer,
  type XmlTokenizerOptions,
} from "../../../../lib/formats/xml/XmlTokenizer.ts";

// Issue #8: a long run without markup used to be copied into every new chunk (quadratic time and memory). The work
// is measured deterministically by the bytes the tokenizer copies to carry unfinished tokens (`carriedBytes`).

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

interface Run {
  events: string[];
  tooLong: { name: string; location: SourceLocation; bytes: number }[];
  kept: Map<string, string>;
  carriedBytes: number;
}

/** Feeds `prefix`, then `runBytes` bytes of `fill` in chunks of `chunk`, then `suffix`; records what happened. */
function feed(
  prefix: string,
  fill: string,
  runBytes: number,
  suffix: string,
  chunk: number,
  options: XmlTokenizerOptions = {},
  capture: (local: string) => boolean = () => true,
): Run {
  const run: Run = { events: [], tooLong: [], kept: new Map(), carriedBytes: 0 };
  const tokenizer: XmlTokenizer = new XmlTokenizer(
    {
      startElement(name) {
        run.events.push(`<${name.qualified}>`);
        return capture(name.local);
      },
      endElement(name, text) {
        run.events.push(`</${name.qualified}>`);
        if (text !== undefined) run.kept.set(name.qualified, text);
      },
      valueTooLong(name, location, bytes) {
        run.tooLong.push({ name: name.qualified, location, bytes });
      },
    },
    options,
  );
  // The run is `fill` repeated to `runBytes` (rounded down to whole fills), cut into chunks anywhere, even inside a
  // character or a reference.
  const fillBytes = encoder.encode(fill).length;
  const total = runBytes - (runBytes % fillBytes);
  const block = encoder.encode(fill.repeat(Math.ceil(chunk / fillBytes) + 1));
  tokenizer.write(encoder.encode(prefix));
  for (let written = 0; written < total;) {
    const from = written % fillBytes;
    const part = block.subarray(from, from + Math.min(chunk, total - written));
    tokenizer.write(part);
    written += part.length;
  }
  tokenizer.write(encoder.encode(suffix));
  tokenizer.end();
  run.carriedBytes = tokenizer.carriedBytes;
  return run;
}

const RUNS: { kind: string; prefix: string; fill: string; suffix: string; kept?: string }[] = [
  { kind: "text of a kept element", prefix: "<r><a>", fill: "x", suffix: "</a></r>", kept: "a" },
  { kind: "text of a skipped element", prefix: "<r><skip>", fill: "x", suffix: "</skip></r>" },
  { kind: "white space between elements", prefix: "<r>", fill: " \n", suffix: "<a/></r>" },
  { kind: "a comment", prefix: "<r><!--", fill: "-x", suffix: "--></r>" },
  { kind: "a kept CDATA section", prefix: "<r><a><![CDATA[", fill: "]x", suffix: "]]></a></r>", kept: "a" },
  { kind: "a skipped CDATA section", prefix: "<r><skip><![CDATA[", fill: "]x", suffix: "]]></skip></r>" },
  { kind: "a processing instruction", prefix: "<r><?pi ", fill: "?x", suffix: "?></r>" },
  { kind: "UTF-8 text with references", prefix: "<r><a>", fill: "ø&amp;å", suffix: "</a></r>", kept: "a" },
];

describe("XmlTokenizer on long runs without markup (issue #8)", () => {
  for (const run of RUNS) {
    it(`streams ${run.kind}: bytes carried stay a small fraction of the run, in 64 KiB or odd 1 000-byte chunks`, () => {
      for (const chunk of [64 * 1024, 1000]) {
        const size = 8 * MiB;
        const result = feed(run.prefix, run.fill, size, run.suffix, chunk, {}, (local) => local !== "skip");
        // Quadratic carrying copied ≈ size²/(2·chunk) bytes: 512 GiB here. Linear carrying copies at most a
        // stitch of ≈ 512 bytes per chunk.
        expect(result.carriedBytes).toBeLessThan(Math.ceil(size / chunk) * 1100 + 4096);
        expect(result.events.at(-1)).toBe("</r>");
        if (run.kept) {
          expect(result.kept.get(run.kept)!.length).toBe(64 * 1024);
          expect(result.tooLong).toHaveLength(1);
          expect(result.tooLong[0]).toMatchObject({ name: run.kept, location: { line: 1, column: 4 } });
          expect(result.tooLong[0]!.bytes).toBeGreaterThanOrEqual(size - run.fill.length);
        } else expect(result.tooLong).toHaveLength(0);
      }
    });
  }

  it("keeps a value as written up to the limit, and cuts it there with the handler told", () => {
    const options = { maxValueLength: 10 };
    expect(feed("<r><a>", "ab", 10, "</a></r>", 3, options).kept.get("a")).toBe("ababababab");
    expect(feed("<r><a>", "ab", 10, "</a></r>", 3, options).tooLong).toHaveLength(0);
    const cut = feed("<r><a>", "åb", 30, "</a></r>", 7, options);
    expect(cut.kept.get("a")).toBe("åbåbåbåbåb");
    expect(cut.tooLong).toEqual([{ name: "a", location: { line: 1, column: 4, offset: 3 }, bytes: 30 }]);
  });

  it("holds a long attribute value until the tag ends, with carried bytes linear in the tag (1-byte to 64 KiB chunks)", () => {
    for (const chunk of [1, 100, 4096, 64 * 1024]) {
      const size = chunk === 1 ? 64 * 1024 : 512 * 1024;
      const result = feed(`<r a="`, "v", size, `"><b/></r>`, chunk);
      expect(result.events).toEqual(["<r>", "<b>", "</b>", "</r>"]);
      expect(result.carriedBytes).toBeLessThan(8 * size + 4096);
    }
  });

  it("refuses a tag longer than the limit with its position, without holding more", () => {
    let error: unknown;
    try {
      feed(`<r>\n  <a b="`, "v", DEFAULT_MAX_TAG_BYTES + 10, `"/></r>`, 64 * 1024);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error).toMatchObject({ code: "XML_TAG_TOO_LONG", location: { line: 2, column: 3 } });
    const small = (() => {
      try {
        feed("<r><a ", " ", 100, "/></r>", 7, { maxTagBytes: 50 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(small).toMatchObject({ code: "XML_TAG_TOO_LONG", location: { line: 1, column: 4 } });
  });

  it("an unclosed comment, CDATA section or processing instruction at the end is a truncation with its position", () => {
    for (const [input, what] of [
      ["<r><!-- never closed -", "comment"],
      ["<r><a><![CDATA[never closed]", "CDATA section"],
      ["<r><?pi never closed ?", "processing instruction"],
    ] as const) {
      const tokenizer = new XmlTokenizer({ startElement: () => true, endElement() {} });
      tokenizer.write(encoder.encode(input));
      expect(() => tokenizer.end()).toThrow(TruncatedInputError);
      expect(() => tokenizer.end()).not.toThrow(); // ended once
      const again = new XmlTokenizer({ startElement: () => true, endElement() {} });
      again.write(encoder.encode(input));
      try {
        again.end();
      } catch (error) {
        expect((error as Error).message).toContain(what);
        expect((error as TruncatedInputError).location).toMatchObject({ line: 1, column: input.length + 1 });
      }
    }
  });

  it("gives the same events and kept text however a document with sections, references and UTF-8 is chunked (property)", () => {
    const pieces = fc.constantFrom(
      "<a>x&amp;y</a>",
      "<!-- c -- d -->",
      "<a><![CDATA[ø]]]]>]]></a>",
      "<?p ??x?>",
      "<a>ø€😀&#229;</a>",
      "  \n",
      "<b k='&lt;v'/>",
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        (parts, sizes) => {
          const bytes = encoder.encode(`<r>${parts.join("")}</r>`);
          const run = (chunks: number[]) => {
            const events: string[] = [];
            const tokenizer = new XmlTokenizer({
              startElement: (name, attributes) => (
                events.push(`<${name.qualified}${attributes?.map((a) => ` ${a.name}=${a.value}`).join("") ?? ""}>`),
                true
              ),
              endElement: (name, text) => void events.push(`</${name.qualified}>${text ?? ""}`),
            });
            for (let at = 0, k = 0; at < bytes.length; k++) {
              const size = chunks[k % chunks.length]!;
              tokenizer.write(bytes.subarray(at, at + size));
              at += size;
            }
            tokenizer.end();
            return events;
          };
          expect(run(sizes)).toEqual(run([bytes.length]));
        },
      ),
    );
  });
});
