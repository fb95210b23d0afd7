import { describe, expect, it } from "vitest";
import { chunkedSource, countingSource } from "../../../../lib/formats/shared/sources.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { parseSie } from "../../../../lib/formats/sie/index.ts";
import { collect, ownFixture, readBytes } from "../../../helpers/fixtures.ts";

describe("countingSource (progress of any parser, counted where the bytes are read)", () => {
  it("reports the running count of bytes a parser consumed, up to the whole file", async () => {
    const bytes = await readBytes(ownFixture("sie/own_type1_cp437.se"));
    const seen: number[] = [];
    await collect(parseSie(countingSource(poisonedSource(bytes, [100]), (read) => seen.push(read))));
    expect(seen.at(-1)).toBe(bytes.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen).toHaveLength(Math.ceil(bytes.length / 100));
  });

  it("passes the chunks through unchanged", async () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const chunks = await collect(countingSource(chunkedSource(bytes, [2]), () => {}));
    expect(chunks.map((chunk) => [...chunk])).toEqual([[1, 2], [3, 4], [5]]);
  });
});
