import { describe, expect, it } from "vitest";
import { generateSie } from "../../../../bench/generateSie.ts";
import { parseSie } from "../../../../lib/formats/sie/index.ts";
import { MalformedInputError } from "../../../../lib/formats/errors.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { collect, ownFixture, readBytes } from "../../../helpers/fixtures.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** A source that records whether it was closed and how many chunks were taken. */
function trackedSource(bytes: Uint8Array, size: number) {
  const state = { taken: 0, closed: false };
  async function* source() {
    try {
      for (let offset = 0; offset < bytes.length; offset += size) {
        state.taken++;
        yield bytes.subarray(offset, offset + size);
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: source() };
}

describe("parseSie as an async generator", () => {
  it("reads nothing until the first record is asked for", async () => {
    const { state, source } = trackedSource(encode("#FLAGGA 0\n"), 4);
    const records = parseSie(source);
    expect(state.taken).toBe(0);
    await records.next();
    expect(state.taken).toBeGreaterThan(0);
  });

  it("closes the source when the consumer stops early", async () => {
    const bytes = Buffer.concat(await collect(generateSie({ vouchers: 5000, seed: 1 })));
    const { state, source } = trackedSource(bytes, 4096);
    for await (const record of parseSie(source)) {
      if (record.type === "transaction") break;
    }
    expect(state.closed).toBe(true);
    // The decoding stage looks 64 KiB past the first letter before it decides; the rest is never read.
    expect(state.taken * 4096).toBeLessThan(bytes.length / 2);
  });

  it("serves overlapping next() calls in order", async () => {
    const bytes = await readBytes(ownFixture("sie/own_type4_utf8_crlf.se"));
    const expected = await collect(parseSie(poisonedSource(bytes, [bytes.length])));
    const records = parseSie(poisonedSource(bytes, [5]));
    const results = await Promise.all(Array.from({ length: expected.length + 2 }, () => records.next()));
    expect(results.slice(0, expected.length).map((result) => result.value)).toEqual(expected);
    expect(results.slice(expected.length)).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it("rejects once with a structural error and is done afterwards", async () => {
    const records = parseSie(poisonedSource(encode("#FLAGGA 0\n#FNAMN \u0000\n"), [3]));
    await expect(records.next()).rejects.toThrow(MalformedInputError);
    await expect(records.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("ends on return() and rethrows on throw()", async () => {
    const records = parseSie(poisonedSource(encode("#FLAGGA 0\n#FNAMN x\n"), [3]));
    await expect(records.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    await expect(records.next()).resolves.toEqual({ done: true, value: undefined });
    const other = parseSie(poisonedSource(encode("#FLAGGA 0\n"), [3]));
    await expect(other.throw(new Error("stop"))).rejects.toThrow("stop");
  });
});
