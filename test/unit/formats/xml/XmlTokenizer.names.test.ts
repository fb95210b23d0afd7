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

  it("still refuses an end tag that does not match, even one the open element's name is a prefix of", () => {
    expect(() => events("<r><ab></abc></r>", 64)).toThrow(MalformedInputError);
    expect(() => events("<r><abc></ab></r>", 64)).toThrow(/does not match/);
  });
});
