import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SourceLocation } from "../../../../lib/ledger/types.ts";
import {
  MalformedInputError,
  TruncatedInputError,
  UnsafeXmlError,
  UnsupportedFormatError,
} from "../../../../lib/formats/errors.ts";
import { XmlTokenizer, type XmlTokenizerOptions } from "../../../../lib/formats/xml/index.ts";

type Event = [string, string, unknown?, SourceLocation?];

/** Runs the tokenizer over `input` split into chunks of `sizes` (cycled) and records every event. */
function tokenize(
  input: string | Uint8Array,
  sizes: number[] = [1 << 20],
  capture: (local: string) => boolean = () => true,
  options: XmlTokenizerOptions = {},
): Event[] {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const events: Event[] = [];
  const tokenizer: XmlTokenizer = new XmlTokenizer(
    {
      startElement(name, attributes) {
        events.push(["start", name.qualified, attributes?.map((a) => `${a.name}=${a.value}`), tokenizer.location()]);
        return capture(name.local);
      },
      endElement(name, text) {
        events.push(["end", name.qualified, text]);
      },
      doctype(location) {
        events.push(["doctype", "", undefined, location]);
      },
    },
    options,
  );
  let offset = 0;
  for (let index = 0; offset < bytes.length; index++) {
    const size = Math.max(1, sizes[index % sizes.length]!);
    tokenizer.write(bytes.subarray(offset, offset + size));
    offset += size;
  }
  tokenizer.end();
  return events;
}

function failure(input: string | Uint8Array, sizes?: number[]): Error & { code?: string; location?: SourceLocation } {
  try {
    tokenize(input, sizes);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("XmlTokenizer events", () => {
  it("reports elements with prefix and local name, and the text of leaves", () => {
    const events = tokenize(`<n1:A xmlns:n1="urn:x"><n1:B>hei</n1:B><C/></n1:A>`);
    expect(events.map(([kind, name, extra]) => [kind, name, extra])).toEqual([
      ["start", "n1:A", ["xmlns:n1=urn:x"]],
      ["start", "n1:B", undefined],
      ["end", "n1:B", "hei"],
      ["start", "C", undefined],
      ["end", "C", ""],
      ["end", "n1:A", undefined],
    ]);
  });

  it("gives text only to elements that ask for it", () => {
    const events = tokenize(`<A><B>kept</B><C>dropped</C></A>`, undefined, (local) => local === "B");
    expect(events.filter(([kind]) => kind === "end").map(([, name, text]) => [name, text])).toEqual([
      ["B", "kept"],
      ["C", undefined],
      ["A", undefined],
    ]);
  });

  it("resolves the five predefined entities and numeric references", () => {
    const [, , end] = tokenize(`<A><B>&lt;&gt;&amp;&apos;&quot; &#229;&#xF8;&#x1F600;</B></A>`);
    expect(end![2]).toBe(`<>&'" åø😀`);
  });

  it("joins text, CDATA and text split by comments; CDATA is taken literally", () => {
    const [, , end] = tokenize(`<A><B>a<!-- note -->b<![CDATA[<&>]]>c</B></A>`);
    expect(end![2]).toBe("ab<&>c");
  });

  it("resolves references in attribute values and keeps '>' inside quotes", () => {
    const [start] = tokenize(`<A x='1 &amp; 2' y="a>b"/>`);
    expect(start![2]).toEqual(["x=1 & 2", "y=a>b"]);
  });

  it("skips the XML declaration, comments and processing instructions", () => {
    const events = tokenize(`<?xml version="1.0"?>\n<!-- c --><?pi data?>\n<A><?other?></A>\n<!-- end -->\n`);
    expect(events.map(([kind, name]) => `${kind}:${name}`)).toEqual(["start:A", "end:A"]);
  });

  it("tolerates a DOCTYPE without internal subset and reports it", () => {
    const events = tokenize(`<!DOCTYPE A SYSTEM "a[b].dtd">\n<A/>`);
    expect(events[0]).toEqual(["doctype", "", undefined, { line: 1, column: 1, offset: 0 }]);
  });
});

describe("XmlTokenizer kept values", () => {
  it("gives every short ASCII value whole, the first time and from the value cache, for any chunking", () => {
    // Lengths 1–40 cross the short-value paths (a string made from up to 16 bytes, the cache up to 32, the rest);
    // each value comes twice (a cache miss, then a hit) next to a neighbour differing in its last byte.
    const values = Array.from({ length: 40 }, (_, index) =>
      Array.from({ length: index + 1 }, (_, k) => String.fromCharCode(0x21 + ((index * 7 + k * 13) % 94))).join(""),
    ).map((value) => value.replace(/[<&]/g, "x"));
    const leaves = values.flatMap((value) => [value, value, `${value.slice(0, -1)}~`, value]);
    const xml = `<r>${leaves.map((value) => `<v>${value}</v>`).join("\n  ")}</r>`;
    for (const sizes of [[1 << 20], [7], [64, 3, 129]]) {
      const texts = tokenize(xml, sizes)
        .filter(([kind, name]) => kind === "end" && name === "v")
        .map(([, , text]) => text);
      expect(texts, String(sizes)).toEqual(leaves);
    }
  });

  it("decodes short and long text with Latin-1 and other characters as UTF-8 does, for any chunking (property)", () => {
    // Short values of ASCII and æ ø å é (two-byte sequences) are folded to Latin-1; '–', '€' and '😀' (three and four
    // bytes) and values over 32 bytes take utf8Slice. Every one must read as TextDecoder reads it.
    const alphabet = ["a", "Z", "0", " ", ".", "æ", "ø", "å", "Æ", "Ø", "Å", "é", "ü", "\u00a0", "ÿ", "–", "€", "😀"];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 24 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        (values, sizes) => {
          const texts = values.map((chars) => chars.join("").trim() || "x");
          const xml = `<r>${texts.map((text) => `<v>${text}</v>`).join("\n")}</r>`;
          const read = tokenize(xml, sizes)
            .filter(([kind, name]) => kind === "end" && name === "v")
            .map(([, , text]) => text);
          expect(read).toEqual(texts);
        },
      ),
    );
  });

  it("reads bytes that are no UTF-8 in a short value as U+FFFD, whatever follows them", () => {
    const invalid: SourceLocation[] = [];
    const texts: (string | undefined)[] = [];
    const tokenizer = new XmlTokenizer({
      startElement: () => true,
      endElement: (name, text) => {
        if (name.local === "v") texts.push(text);
      },
      invalidBytes: (location) => invalid.push(location),
    });
    const bytes = (...parts: (string | number[])[]) =>
      parts.flatMap((part) => (typeof part === "string" ? [...new TextEncoder().encode(part)] : part));
    tokenizer.write(
      Uint8Array.from(bytes("<r><v>bl", [0xc3, 0xa5], "b", "</v><v>a", [0xc3, 0x41], "</v><v>", [0xc3], "</v></r>")),
    );
    tokenizer.end();
    expect(texts).toEqual(["blåb", "a\uFFFDA", "\uFFFD"]);
    expect(invalid.map((location) => location.column)).toEqual([19, 28]);
  });

  it("cuts a short value at maxValueLength on the fast path too, and tells the handler", () => {
    const cut: number[] = [];
    const texts: (string | undefined)[] = [];
    const tokenizer = new XmlTokenizer(
      {
        startElement: () => true,
        endElement: (name, text) => {
          if (name.local === "v") texts.push(text);
        },
        valueTooLong: (_name, _location, bytes) => cut.push(bytes),
      },
      { maxValueLength: 4 },
    );
    tokenizer.write(new TextEncoder().encode("<r><v>1234</v><v>12345</v><v>12345</v></r>"));
    tokenizer.end();
    expect(texts).toEqual(["1234", "1234", "1234"]);
    expect(cut).toEqual([5, 5]);
  });
});

describe("XmlTokenizer locations", () => {
  it("counts LF, CRLF and bare CR as one line end each", () => {
    const events = tokenize("<A>\n<B/>\r\n<C/>\r<D/>\r\r\n<E/></A>");
    expect(
      events
        .filter(([kind]) => kind === "start")
        .map(([, name, , location]) => [name, location!.line, location!.column]),
    ).toEqual([
      ["A", 1, 1],
      ["B", 2, 1],
      ["C", 3, 1],
      ["D", 4, 1],
      ["E", 6, 1],
    ]);
  });

  it("counts columns in characters, not bytes, in UTF-8", () => {
    const events = tokenize("<A>øæå <B/></A>");
    expect(events[1]![3]).toEqual({ line: 1, column: 8, offset: 10 });
  });

  it("counts a UTF-8 byte-order mark as no column", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("<A/>")]);
    expect(tokenize(bytes)[0]![3]).toEqual({ line: 1, column: 1, offset: 3 });
  });

  it("gives the same events and locations for any chunking (property)", () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- x -->\n<r:Root xmlns:r="urn:r" a="1&amp;2">\r\t<Name>Tøyen &amp; Co &#229;</Name>\r\n<Empty/>\n<D><![CDATA[x<y]]></D>\r<Å>ære</Å></r:Root>\n`;
    const reference = tokenize(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        expect(tokenize(text, sizes)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same events for large chunks that end inside tokens (stitching path, property)", () => {
    const item = (index: number) =>
      `<Line n="${index}">\r\n  <Description>Linje ${index} &amp; ø<![CDATA[<x>]]></Description><!-- c -->\r  <Amount>${index}.50</Amount>\n</Line>\n`;
    const text = `<?xml version="1.0"?>\n<Root>${Array.from({ length: 300 }, (_, index) => item(index)).join("")}</Root>`;
    const reference = tokenize(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 10 }), (sizes) => {
        expect(tokenize(text, sizes)).toEqual(reference);
      }),
      { numRuns: 100 },
    );
  });
});

/**
 * Where the character at string index `index` of `text` is, computed from the string (an oracle independent of the
 * tokenizer): LF, CRLF and CR end a line, columns count characters (all of them in the BMP here), offsets UTF-8 bytes.
 */
function locationOf(text: string, index: number): SourceLocation {
  const before = text.slice(0, index);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines.at(-1)!.length + 1, offset: Buffer.byteLength(before) };
}

describe("XmlTokenizer locations after the text scan", () => {
  // The text between tags is scanned once for '<', '&', line ends and continuation bytes, and tags that hold only a
  // name are counted without a walk: locations must not depend on which path counted a byte, nor on chunking.
  const text =
    `<?xml version="1.0"?>\r\n<Rot>\r\n\t<Kåre>Bø &amp; Ål</Kåre>\n<Æ/><Tom>\r\r</Tom>` +
    `<Ø a="x\ny">ø</Ø>\r\n  <Svært>æøå &#229;</Svært><B>\n</B></Rot>\n`;

  it("gives the same locations and text for any chunking (property)", () => {
    const reference = tokenize(text);
    const names = ["Rot", "Kåre", "Æ", "Tom", "Ø", "Svært", "B"];
    expect(reference.filter(([kind]) => kind === "start").map(([, name, , location]) => [name, location])).toEqual(
      names.map((name) => [name, locationOf(text, text.search(new RegExp(`<${name}[ />]`)))]),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        expect(tokenize(text, sizes)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });

  it("locates tags after indentation of any length and line ends, for any chunking (property)", () => {
    // Indentation (the spaces after a line end) is skipped in a loop of its own: every length, tabs among the
    // blanks, several line ends of each kind, and text that only starts like indentation.
    const indents = [
      "\n",
      "\n ",
      "\n   ",
      "\n    ",
      "\n     ",
      "\n        x ",
      "\r\n\t  \t ",
      "\r",
      "\r\n\n\r  ",
      "\n\n",
    ];
    const body = Array.from(
      { length: 40 },
      (_, index) => `${indents[index % indents.length]!}${" ".repeat(index % 9)}<E${index}/>`,
    );
    const input = `<Rot>${body.join("")}\n</Rot>`;
    const reference = tokenize(input, undefined, () => false);
    expect(reference.filter(([kind]) => kind === "start").map(([, name, , location]) => [name, location])).toEqual(
      ["Rot", ...body.map((_, index) => `E${index}`)].map((name) => [
        name,
        locationOf(input, input.search(new RegExp(`<${name}[ />]`))),
      ]),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 23 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        expect(tokenize(input, sizes, () => false)).toEqual(reference);
      }),
      { numRuns: 200 },
    );
    for (const [bad, code, at] of [
      ["\n      &bad x", "XML_BAD_REFERENCE", "&bad"],
      ["\n        \u0002", "XML_INVALID_CHARACTER", "\u0002"],
      ["\r\n    \t   ø\u0002", "XML_INVALID_CHARACTER", "\u0002"],
    ] as const) {
      const broken = input.replace("<E20/>", `<E20/>${bad}`);
      const error = failure(broken, [7, 3, 11]);
      expect(error.code).toBe(code);
      expect(error.location).toMatchObject(locationOf(broken, broken.indexOf(at)));
    }
  });

  it("keeps text with line ends and indentation in it whole, and locates what follows, for any chunking (property)", () => {
    // The same indentation loop runs inside a kept value: what it skips must still be part of the value.
    const input =
      `<Rot>\n    <T>\n        Linje 1 på\n        bilag 7\r\n  </T>\n    <T>  \n   ø</T>` +
      `\n  <U>\n    x &amp; y</U>\n</Rot>`;
    const reference = tokenize(input);
    expect(reference.filter(([kind]) => kind === "end").map(([, , text]) => text)).toEqual([
      "\n        Linje 1 på\n        bilag 7\r\n  ",
      "  \n   ø",
      "\n    x & y",
      undefined,
    ]);
    expect(reference.filter(([kind]) => kind === "start").map(([, , , location]) => location)).toEqual(
      [0, input.indexOf("<T>"), input.lastIndexOf("<T>"), input.indexOf("<U>")].map((at) => locationOf(input, at)),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        expect(tokenize(input, sizes)).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });

  it("locates a bad reference and a control character after such text the same for any chunking (property)", () => {
    for (const [bad, code, at] of [
      ["&bad x", "XML_BAD_REFERENCE", "&bad"],
      ["ok\u0002", "XML_INVALID_CHARACTER", "\u0002"],
    ] as const) {
      const input = text.replace("<B>\n</B>", `<B>\n</B>\n<Å>å ${bad}</Å>`);
      const location = locationOf(input, input.indexOf(at));
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 }), (sizes) => {
          const error = failure(input, sizes);
          expect(error.code).toBe(code);
          expect(error.location).toMatchObject(location);
        }),
        { numRuns: 100 },
      );
    }
  });
});

describe("XmlTokenizer encodings", () => {
  it("decodes text in the encoding the declaration names (ISO-8859-1)", () => {
    const bytes = Uint8Array.from([
      ...new TextEncoder().encode(`<?xml version="1.0" encoding="ISO-8859-1"?><A><B>`),
      0xf8,
      0xe5,
      ...new TextEncoder().encode("</B></A>"),
    ]);
    expect(tokenize(bytes)[2]![2]).toBe("øå");
  });

  it("decodes windows-1252 (€ is 0x80)", () => {
    const bytes = Uint8Array.from([
      ...new TextEncoder().encode(`<?xml version="1.0" encoding="windows-1252"?><A>`),
      0x80,
      0xe6,
      ...new TextEncoder().encode("</A>"),
    ]);
    expect(tokenize(bytes)[1]![2]).toBe("€æ");
  });

  it("lets an override win over the declaration", () => {
    const bytes = Uint8Array.from([
      ...new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?><A>`),
      0xf8,
      ...new TextEncoder().encode("</A>"),
    ]);
    expect(tokenize(bytes, undefined, () => true, { encoding: "latin1" })[1]![2]).toBe("ø");
  });
});

describe("XmlTokenizer errors", () => {
  it("mismatched end tag → MalformedInputError at the end tag", () => {
    const error = failure("<A>\n  <B></C></A>");
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.code).toBe("XML_MISMATCHED_TAG");
    expect(error.location).toMatchObject({ line: 2, column: 6 });
  });

  it("end of input inside an element → TruncatedInputError naming it", () => {
    const error = failure("<A><B>text");
    expect(error).toBeInstanceOf(TruncatedInputError);
    expect(error.message).toMatch(/inside <B>/);
  });

  it("end of input inside a tag → TruncatedInputError", () => {
    expect(failure("<A></A")).toBeInstanceOf(TruncatedInputError);
    expect(failure("<A/><!-- never closed")).toBeInstanceOf(TruncatedInputError);
  });

  it("DOCTYPE internal subset → UnsafeXmlError, whatever the chunking", () => {
    for (const sizes of [[1], [5], [1000]])
      expect(failure(`<!DOCTYPE A [<!ENTITY e "x">]><A>&e;</A>`, sizes)).toBeInstanceOf(UnsafeXmlError);
  });

  it("undeclared entity in an attribute → UnsafeXmlError", () => {
    expect(failure(`<A b="&ext;"/>`)).toBeInstanceOf(UnsafeXmlError);
  });

  it("invalid character reference → MalformedInputError", () => {
    expect(failure(`<A>&#0;</A>`).code).toBe("XML_BAD_REFERENCE");
    expect(failure(`<A>&#xD800;</A>`).code).toBe("XML_BAD_REFERENCE");
  });

  it("control characters → MalformedInputError with their location", () => {
    const error = failure("<A>\nab\u0001</A>");
    expect(error.code).toBe("XML_INVALID_CHARACTER");
    expect(error.location).toMatchObject({ line: 2, column: 3 });
  });

  it("an XML declaration that is not at the start → MalformedInputError", () => {
    expect(failure(` <?xml version="1.0"?><A/>`).code).toBe("XML_BAD_DECLARATION");
  });

  it("duplicate and unquoted attributes → MalformedInputError", () => {
    expect(failure(`<A b="1" b="2"/>`).code).toBe("XML_BAD_ATTRIBUTE");
    expect(failure(`<A b=1/>`).code).toBe("XML_BAD_ATTRIBUTE");
  });

  it("input that does not start with markup → UnsupportedFormatError", () => {
    expect(failure("hello")).toBeInstanceOf(UnsupportedFormatError);
  });

  it("no root element → TruncatedInputError", () => {
    expect(failure(`<?xml version="1.0"?>\n<!-- only a comment -->\n`)).toBeInstanceOf(TruncatedInputError);
  });
});
