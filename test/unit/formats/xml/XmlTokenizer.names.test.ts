import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MalformedInputError } from "../../../../lib/formats/errors.ts";
import { XmlTokenizer } from "../../../../lib/formats/xml/XmlTokenizer.ts";

/** The start and end events of a document, fed in chunks of `size` bytes. */
function events(xml: string, size: number): string[] {
  const seen: string[] = [];
  const tokenizer = new XmlTokenizer({
    startElement(name) {
      seen.push(`<${name.qualified}`);
      return true;
    },
    endElement(name, text) {
      seen.push(`${name.qualified}>${text ?? ""}`);
    },
  });
  const bytes = new TextEncoder().encode(xml);
  for (let offset = 0; offset < bytes.length; offset += size) tokenizer.write(bytes.subarray(offset, offset + size));
  tokenizer.end();
  return seen;
}

describe("XmlTokenizer reads names right when the structure changes from one element to the next", () => {
  // The tokenizer checks the name that followed the same tag last time first: names that share a prefix with it,
  // or that it is a prefix of, must still be told apart.
  const xml =
    "<r><a><ab/><a/><abc>t</abc></a><a><abc>u</abc><ab/><a/></a><a><a/><ab x='1'/><abcd>v</abcd></a><n:a>w</n:a></r>";

  it("gives the same events in one chunk and byte by byte", () => {
    const expected = [
      "<r",
      "<a",
      "<ab",
      "ab>",
      "<a",
      "a>",
      "<abc",
      "abc>t",
      "a>",
      "<a",
      "<abc",
      "abc>u",
      "<ab",
      "ab>",
      "<a",
      "a>",
      "a>",
      "<a",
      "<a",
      "a>",
      "<ab",
      "ab>",
      "<abcd",
      "abcd>v",
      "a>",
      "<n:a",
      "n:a>w",
      "r>",
    ];
    expect(events(xml, xml.length)).toEqual(expected);
    expect(events(xml, 1)).toEqual(expected);
    expect(events(xml, 3)).toEqual(expected);
  });

  it("tells apart names that differ in one byte anywhere, in the four-byte words or in the bytes after them", () => {
    // Names are compared four bytes at a time, then byte by byte: a difference in each position must show.
    const base = "Description";
    const names = [
      base,
      ...Array.from({ length: base.length }, (_, at) => base.slice(0, at) + "X" + base.slice(at + 1)),
    ];
    const xml = `<r>${names.map((name, index) => `<${name}>${index}</${name}><${base}>b</${base}>`).join("")}</r>`;
    const expected = [
      "<r",
      ...names.flatMap((name, index) => [`<${name}`, `${name}>${index}`, `<${base}`, `${base}>b`]),
      "r>",
    ];
    expect(events(xml, xml.length)).toEqual(expected);
    expect(events(xml, 5)).toEqual(expected);
    for (const name of names.slice(1)) {
      expect(() => events(`<r><${base}>x</${name}></r>`, 64)).toThrow(/does not match/);
      expect(() => events(`<r><${name}>x</${base}></r>`, 7)).toThrow(/does not match/);
    }
  });

  it("reads any order of siblings and children drawn from names that share prefixes, for any chunking (property)", () => {
    // Up to three names that followed a tag before, and two first children, are guessed first: sequences that cycle
    // through more than that, and names that are prefixes of each other, must read exactly as written.
    const names = ["a", "ab", "abc", "b", "ba", "Debit", "DebitAmount", "Credit", "n:a"];
    const element = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom(...names).map((name) => `<${name}>t</${name}>`),
        fc
          .tuple(fc.constantFrom(...names), fc.array(tie("node"), { maxLength: 5 }))
          .map(([name, children]) => `<${name}>${children.join("\n ")}</${name}>`),
      ),
    })).node;
    fc.assert(
      fc.property(
        fc.array(element, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 17 }),
        (children, size) => {
          const xml = `<r>${children.join("")}</r>`;
          // The events as written: a start tag, and an end tag with the text of a leaf (what follows its start tag).
          const expected: string[] = [];
          let leafText: string | undefined;
          for (const [, close, name, after] of xml.matchAll(/<(\/?)([\w:]+)>([^<]*)/g)) {
            expected.push(close ? `${name}>${leafText ?? ""}` : `<${name}`);
            leafText = close ? undefined : after;
          }
          expect(events(xml, size)).toEqual(expected);
        },
      ),
    );
  });

  it("still refuses an end tag that does not match, even one the open element's name is a prefix of", () => {
    expect(() => events("<r><ab></abc></r>", 64)).toThrow(MalformedInputError);
    expect(() => events("<r><abc></ab></r>", 64)).toThrow(/does not match/);
  });
});
