import { describe, expect, it } from "vitest";
import { crc32 } from "node:zlib";
import iconv from "iconv-lite";
import { SieChecksum, SieLineTokenizer } from "../../../../lib/formats/sie/index.ts";

function checksumOf(text: string, encodingRead = "cp437"): SieChecksum {
  const checksum = new SieChecksum(() => encodingRead);
  for (const line of new SieLineTokenizer().push(text + "\n")) if (line.kind === "record") checksum.addRecord(line);
  return checksum;
}

describe("SieChecksum (SIE 4B §10)", () => {
  it('sums label and field values without blanks, quotes or braces, with \\" as " (the spec\'s example)', () => {
    const expected = crc32(iconv.encode('#KONTO1915Kassa "special"', "cp437")) >>> 0;
    expect(checksumOf('#KONTO 1915 "Kassa \\"special\\""').value()).toBe(expected);
  });

  it("includes the items of object lists", () => {
    const expected = crc32(Buffer.from("#TRANS7010145674713200.00", "latin1")) >>> 0;
    expect(checksumOf('#TRANS 7010 {"1" "456" 7 47} 13200.00').value()).toBe(expected);
  });

  it("uses the CP437 byte values of letters", () => {
    expect(checksumOf('#FNAMN "Åkerö"').value()).toBe(
      crc32(Buffer.from([0x23, ...Buffer.from("FNAMN"), 0x8f, ...Buffer.from("ker"), 0x94])) >>> 0,
    );
  });

  it("accepts a signed rendering of the declared value", () => {
    const checksum = checksumOf("#KONTO 1910 Kassa");
    const unsigned = checksum.value();
    expect(checksum.matches(unsigned)).toBe(true);
    expect(checksum.matches(unsigned | 0)).toBe(true);
    expect(checksum.matches(unsigned + 1)).toBe(false);
  });

  it("also accepts the checksum over the bytes of the encoding the file was read with", () => {
    const checksum = checksumOf('#FNAMN "Åkerö"', "utf-8");
    expect(checksum.matches(crc32(Buffer.from("#FNAMNÅkerö", "utf8")) >>> 0)).toBe(true);
  });
});
