import { describe, expect, it } from "vitest";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { rawTokenizeXml, tokenizeXml } from "../../../../lib/formats/xml/index.ts";
import { ownFixture, readBytes } from "../../../helpers/fixtures.ts";

describe("raw tokenizer pass", () => {
  it("counts every element of a file without building records", async () => {
    const bytes = await readBytes(ownFixture("saft/tiny-v130.xml"));
    // grep -o '<[A-Za-z]' tiny-v130.xml | wc -l → 145 (xml.etree iter() agrees)
    expect(await tokenizeXml(poisonedSource(bytes, [100]))).toEqual({
      bytes: bytes.length,
      elements: 145,
      encoding: "utf-8",
    });
    expect(await rawTokenizeXml(poisonedSource(bytes))).toBe(145);
  });

  it("reports the declared encoding", async () => {
    const bytes = await readBytes(ownFixture("saft/latin1-v130.xml"));
    expect((await tokenizeXml(poisonedSource(bytes))).encoding).toBe("iso-8859-1");
  });
});
