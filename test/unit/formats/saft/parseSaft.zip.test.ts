import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { MalformedInputError, TruncatedInputError, UnsupportedFormatError } from "../../../../lib/formats/errors.ts";
import { hasSharedFixtures, ownFixture, readBytes, sharedFixture } from "../../../helpers/fixtures.ts";
import { parseBytes, parseError, summarize } from "./saftTestHelpers.ts";

const tiny = () => readBytes(ownFixture("saft/tiny-v130.xml"));

describe("SAF-T inside a ZIP archive", () => {
  it("reads the one XML file of a deflated archive exactly like the plain file", async () => {
    const bytes = await tiny();
    const zipped = zipSync({ "SAF-T Financial_998877665_20250705_1_1.xml": bytes }, { level: 6 });
    expect(await parseBytes(zipped)).toEqual(await parseBytes(bytes));
  });

  it("reads a stored (uncompressed) archive in small chunks", async () => {
    const bytes = await tiny();
    const zipped = zipSync({ "saft.xml": [bytes, { level: 0 }] });
    expect(await parseBytes(zipped, [7, 300, 1])).toEqual(await parseBytes(bytes));
  });

  it("skips macOS resource forks and other entries", async () => {
    const bytes = await tiny();
    const zipped = zipSync({
      "readme.txt": strToU8("hei"),
      "__MACOSX/._saft.xml": strToU8("junk"),
      "data/saft.xml": bytes,
    });
    expect(summarize(await parseBytes(zipped, [1000])).transactions).toHaveLength(2);
  });

  it("an archive with two XML files → UnsupportedFormatError naming both", async () => {
    const bytes = await tiny();
    const error = await parseError(zipSync({ "a.xml": bytes, "b.xml": bytes }));
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/several XML files \(a\.xml, b\.xml/);
  });

  it("an archive without XML → UnsupportedFormatError listing its entries", async () => {
    const error = await parseError(zipSync({ "saldobalanse.csv": strToU8("1920;100") }));
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error.message).toMatch(/no XML file \(entries: saldobalanse\.csv\)/);
  });

  it("a cut-off archive → a truncation or corruption error", async () => {
    const bytes = await tiny();
    const zipped = zipSync({ "saft.xml": bytes });
    const error = await parseError(zipped.subarray(0, Math.floor(zipped.length / 2)));
    expect(error instanceof TruncatedInputError || error instanceof MalformedInputError).toBe(true);
  });

  it.skipIf(!hasSharedFixtures)(
    "reads the zipped 888888888 example: 53 transactions, 9 487 049.35 each side",
    async () => {
      const bytes = await readBytes(
        sharedFixture("saft/samples/skatteetaten_ExampleFile_SAF-T_Financial_888888888_20180228235959.xml"),
      );
      const parsed = summarize(await parseBytes(zipSync({ "888888888.xml": bytes }), [4096]));
      expect(parsed.transactions).toHaveLength(53);
      expect(parsed.totalDebit).toBe(948704935n);
      expect(parsed.totalCredit).toBe(948704935n);
    },
  );
});
