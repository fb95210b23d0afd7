import { describe, expect, it } from "vitest";
import { generateSaft } from "../../../../bench/generateSaft.ts";
import { MalformedInputError } from "../../../../lib/formats/errors.ts";
import { parseSaft } from "../../../../lib/formats/saft/index.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import { collect } from "../../../helpers/fixtures.ts";

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

const small = async () => Buffer.concat(await collect(generateSaft({ transactions: 40, seed: 2, profile: "dense" })));

describe("parseSaft as an async generator", () => {
  it("reads nothing until the first record is asked for", async () => {
    const { state, source } = trackedSource(await small(), 256);
    const records = parseSaft(source);
    expect(state.taken).toBe(0);
    await records.next();
    expect(state.taken).toBeGreaterThan(0);
  });

  it("closes the source when the consumer stops early, having read only what it needed", async () => {
    const bytes = Buffer.concat(await collect(generateSaft({ transactions: 5000, seed: 1, profile: "dense" })));
    const { state, source } = trackedSource(bytes, 4096);
    for await (const record of parseSaft(source)) {
      if (record.type === "transaction") break;
    }
    expect(state.closed).toBe(true);
    expect(state.taken * 4096).toBeLessThan(bytes.length / 2);
  });

  it("serves overlapping next() calls in order, the same records as one at a time", async () => {
    const bytes = await small();
    const expected = await collect(parseSaft(poisonedSource(bytes, [bytes.length])));
    const records = parseSaft(poisonedSource(bytes, [7]));
    const results = await Promise.all(Array.from({ length: expected.length + 2 }, () => records.next()));
    expect(results.slice(0, expected.length).map((result) => result.value)).toEqual(expected);
    expect(results.slice(expected.length)).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it("hands out the records completed before a structural error, rejects once with it and is done afterwards", async () => {
    const bytes = await small();
    const text = bytes.toString("utf8");
    const cut = text.indexOf("<Transaction>", text.indexOf("<Transaction>") + 1);
    const damaged = encode(`${text.slice(0, cut)}<Transaction>\u0001${text.slice(cut + 13)}`);
    const records = parseSaft(poisonedSource(damaged, [64]));
    const seen: string[] = [];
    let error: unknown;
    for (;;) {
      try {
        const result = await records.next();
        if (result.done) break;
        seen.push(result.value.type);
      } catch (caught) {
        error = caught;
        break;
      }
    }
    expect(error).toBeInstanceOf(MalformedInputError);
    // Everything before the second transaction: the header, the accounts, the parties, the control totals, the first.
    expect(seen.filter((type) => type === "transaction")).toHaveLength(1);
    await expect(records.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("rejects an empty input at the first next(), and ends on return() and rethrows on throw()", async () => {
    await expect(parseSaft(poisonedSource(new Uint8Array(0))).next()).rejects.toThrow("the input is empty");
    const records = parseSaft(poisonedSource(await small(), [64]));
    await expect(records.next()).resolves.toMatchObject({ done: false, value: { type: "header" } });
    await expect(records.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    await expect(records.next()).resolves.toEqual({ done: true, value: undefined });
    const other = parseSaft(poisonedSource(await small(), [64]));
    await expect(other.throw(new Error("stop"))).rejects.toThrow("stop");
  });
});
