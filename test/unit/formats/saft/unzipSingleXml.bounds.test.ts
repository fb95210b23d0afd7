import { strToU8, Zip, ZipDeflate, ZipPassThrough, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { MalformedInputError, UnsupportedFormatError } from "../../../../lib/formats/errors.ts";
import { parseSaft, unzipSingleXml, ZipEncryptedError, ZipTooLargeError } from "../../../../lib/formats/saft/index.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { collect, ownFixture, readBytes } from "../../../helpers/fixtures.ts";
import { retainedGrowth } from "../../../helpers/memory.ts";
import { parseBytes, parseError, summarize } from "./saftTestHelpers.ts";

// Issue #8: nothing bounded inflation (a 1 MB zip of 1 GiB of zeros took 3.2 GB), 3 000 entries overflowed the
// stack, and an encrypted entry gave a puzzling error.

const MiB = 1024 * 1024;
const tiny = () => readBytes(ownFixture("saft/tiny-v130.xml"));

/** A zip built as it streams (fflate's `Zip`): entries have data descriptors, as streaming zip tools write them. */
function streamedZip(entries: { name: string; chunks: Iterable<Uint8Array>; stored?: boolean }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((error, data) => {
    if (error) throw error;
    parts.push(data);
  });
  for (const entry of entries) {
    const file = entry.stored ? new ZipPassThrough(entry.name) : new ZipDeflate(entry.name, { level: 6 });
    zip.add(file);
    let previous: Uint8Array | undefined;
    for (const chunk of entry.chunks) {
      if (previous) file.push(previous);
      previous = chunk;
    }
    file.push(previous ?? new Uint8Array(0), true);
  }
  zip.end();
  return Buffer.concat(parts);
}

function* repeated(block: Uint8Array, times: number, prefix?: Uint8Array): Generator<Uint8Array> {
  if (prefix) yield prefix;
  for (let i = 0; i < times; i++) yield block;
}

/** A source that counts the bytes pulled from it. */
function counted(bytes: Uint8Array, chunk = 64 * 1024): { source: AsyncIterable<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    for await (const value of poisonedSource(bytes, [chunk])) {
      pulled += value.length;
      yield value;
    }
  }
  return { source: source(), pulled: () => pulled };
}

async function failure(run: () => Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a failure");
}

describe("ZIP bounds (issue #8)", () => {
  it("refuses an XML entry of zeros at its first bytes, having read only the first chunk of a 1 GiB bomb's worth", async () => {
    // 16 MiB of zeros deflate to ≈ 16 KiB; the test builds less than the 1 GiB of the report, the outcome is the same.
    const zeros = new Uint8Array(MiB);
    const zipped = streamedZip([{ name: "saft.xml", chunks: repeated(zeros, 16) }]);
    const { source, pulled } = counted(zipped);
    const error = await failure(() => collect(parseSaft(source, { fileName: "bomb.zip" })));
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/bomb\.zip.*saft\.xml in the ZIP archive is not XML \(it starts with byte 0x00\)/);
    expect(pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it("stops an XML bomb (a long run of white space) by its ratio, with memory flat while inflating", async () => {
    const spaces = new Uint8Array(MiB).fill(0x20);
    const zipped = streamedZip([{ name: "saft.xml", chunks: repeated(spaces, 24, strToU8("<AuditFile>")) }]);
    expect(zipped.length).toBeLessThan(MiB / 4);
    const held = retainedGrowth();
    let inflated = 0;
    const error = await failure(async () => {
      for await (const chunk of unzipSingleXml(poisonedSource(zipped, [64 * 1024]), "bomb.zip")) {
        inflated += chunk.length;
        held.sample();
      }
    });
    expect(error).toBeInstanceOf(ZipTooLargeError);
    expect(error.code).toBe("ZIP_RATIO_TOO_HIGH");
    expect(error.message).toMatch(/inflates more than 200× its compressed size .* at byte \d+ of the archive/);
    expect(inflated).toBeGreaterThan(15 * MiB);
    expect(inflated).toBeLessThan(24 * MiB);
    // Each input piece inflates to a few MiB and is handed on, not kept: what stays held after a collection is a
    // piece or two, where keeping what was inflated would hold 15 MiB and more.
    expect(held.peak()).toBeLessThan(8 * MiB);
  });

  it("bounds the inflated size (configurable), for stored and deflated entries", async () => {
    const bytes = await tiny();
    for (const level of [0, 6] as const) {
      const zipped = zipSync({ "saft.xml": [bytes, { level }] });
      const error = await failure(() =>
        collect(parseSaft(poisonedSource(zipped, [100]), { fileName: "t.zip", zip: { maxInflatedBytes: 1000 } })),
      );
      expect(error).toBeInstanceOf(ZipTooLargeError);
      expect(error.code).toBe("ZIP_TOO_LARGE");
      expect(error.message).toMatch(/saft\.xml inflates to more than 1000 bytes/);
      expect(
        summarize(await collect(parseSaft(poisonedSource(zipped, [100]), { zip: { maxInflatedBytes: bytes.length } })))
          .transactions,
      ).toHaveLength(2);
    }
  });

  it("reads an archive with 5 000 entries besides the XML, in one chunk or many", async () => {
    const bytes = await tiny();
    const entries: Record<string, Uint8Array> = {};
    for (let i = 0; i < 5000; i++) entries[`vedlegg/${i}.txt`] = strToU8(String(i));
    entries["saft.xml"] = bytes;
    const zipped = zipSync(entries);
    for (const sizes of [[zipped.length], [4096], [1, 7, 300]]) {
      expect(await parseBytes(zipped, sizes)).toEqual(await parseBytes(bytes));
    }
    const none = zipSync(Object.fromEntries(Object.entries(entries).filter(([name]) => name !== "saft.xml")));
    const error = await parseError(none, [none.length]);
    expect(error.message).toMatch(/no XML file \(entries: vedlegg\/0\.txt, .*, …\)/);
  });

  it("reads entries with data descriptors (streamed zips), deflated or stored, however chunked", async () => {
    const bytes = await tiny();
    for (const stored of [false, true]) {
      const zipped = streamedZip([
        { name: "les-meg.txt", chunks: [strToU8("PK\x07\x08 looks like a descriptor signature but is data")], stored },
        { name: "saft.xml", chunks: [bytes.subarray(0, 500), bytes.subarray(500)], stored },
      ]);
      for (const sizes of [[64 * 1024], [1], [3, 17, 1000]]) {
        expect(await parseBytes(zipped, sizes)).toEqual(await parseBytes(bytes));
      }
    }
  });

  it("says so when the XML entry is encrypted (traditional or AES)", async () => {
    const bytes = await tiny();
    const zipped = zipSync({ "saft.xml": bytes });
    const traditional = Uint8Array.from(zipped);
    traditional[6] = traditional[6]! | 1; // general purpose flag bit 0: encrypted (APPNOTE 4.4.4)
    const aes = Uint8Array.from(zipped);
    aes[8] = 99; // compression method 99: WinZip AES
    for (const archive of [traditional, aes]) {
      const error = await parseError(archive);
      expect(error).toBeInstanceOf(ZipEncryptedError);
      expect(error.code).toBe("ZIP_ENCRYPTED");
      expect(error.message).toMatch(/saft\.xml in the ZIP archive is encrypted \(password-protected\)/);
    }
  });

  it("names an unknown compression method and a damaged archive with its byte position", async () => {
    const bytes = await tiny();
    const zipped = zipSync({ "saft.xml": bytes });
    const bzip2 = Uint8Array.from(zipped);
    bzip2[8] = 12;
    expect((await parseError(bzip2)).message).toMatch(/compressed with method 12, which saldo does not read/);
    const damaged = Uint8Array.from(zipped);
    damaged.fill(0x41, 40, 80); // deflate data overwritten
    const error = await parseError(damaged);
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.message).toMatch(/at byte \d+ of the archive/);
  });
});
