import { describe, expect, it } from "vitest";
import { generateSie } from "../../../../bench/generateSie.ts";
import { generateSaft } from "../../../../bench/generateSaft.ts";
import { MalformedInputError } from "../../../../lib/formats/errors.ts";
import { parseSaft } from "../../../../lib/formats/saft/index.ts";
import { parseSie } from "../../../../lib/formats/sie/index.ts";
import { recordBatches } from "../../../../lib/formats/shared/recordBatches.ts";
import { poisonedSource } from "../../../helpers/poisonedSource.ts";
import type { ImportRecord } from "../../../../lib/ledger/records.ts";
import { collect } from "../../../helpers/fixtures.ts";

const encode = (text: string) => new TextEncoder().encode(text);

async function batchesOf<T>(records: AsyncIterable<T>): Promise<(readonly T[])[]> {
  const batches: (readonly T[])[] = [];
  for await (const batch of recordBatches(records)) batches.push(batch);
  return batches;
}

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

describe("recordBatches", () => {
  const parsers = {
    sie: { parse: parseSie, bytes: async () => Buffer.concat(await collect(generateSie({ vouchers: 800, seed: 3 }))) },
    saft: {
      parse: parseSaft,
      bytes: async () =>
        Buffer.concat(await collect(generateSaft({ transactions: 300, linesPerTransaction: 3, seed: 3 }))),
    },
  };

  for (const [name, { parse, bytes: makeBytes }] of Object.entries(parsers)) {
    it(`hands out the same ${name} records as for await, in batches, however the input is chunked`, async () => {
      const bytes = await makeBytes();
      const expected = await collect(parse(poisonedSource(bytes, [bytes.length])));
      expect(expected.filter((record) => record.type === "transaction").length).toBeGreaterThan(100);
      for (const sizes of [[13], [7, 4093], [16 * 1024], [bytes.length]]) {
        const batches = await batchesOf(parse(poisonedSource(bytes, sizes)));
        expect(batches.every((batch) => batch.length > 0)).toBe(true);
        expect(batches.flat()).toEqual(expected);
      }
      // Ready records come together: far fewer batches than records.
      const batches = await batchesOf(parse(poisonedSource(bytes, [16 * 1024])));
      expect(batches.length).toBeLessThan(expected.length / 10);
    });
  }

  it("reads a stream that has no batches of its own one record per batch", async () => {
    async function* records() {
      yield 1;
      yield 2;
    }
    expect(await batchesOf(records())).toEqual([[1], [2]]);
  });

  it("hands out the records before a structural error, then the error", async () => {
    const text = "#FLAGGA 0\n#VER A 1 20240101\n{\n#TRANS 1910 {} 5\n#TRANS 3000 {} -5\n}\n#FNAMN \u0000\n";
    const expected: ImportRecord[] = [];
    await expect(
      (async () => {
        for await (const record of parseSie(poisonedSource(encode(text), [text.length]))) expected.push(record);
      })(),
    ).rejects.toThrow(MalformedInputError);
    const taken: ImportRecord[] = [];
    await expect(
      (async () => {
        for await (const batch of recordBatches(parseSie(poisonedSource(encode(text), [text.length]))))
          taken.push(...batch);
      })(),
    ).rejects.toThrow(MalformedInputError);
    expect(taken).toEqual(expected);
    expect(taken.some((record) => record.type === "transaction")).toBe(true);
  });

  it("closes the source when the consumer stops early", async () => {
    const bytes = Buffer.concat(await collect(generateSie({ vouchers: 5000, seed: 1 })));
    const { state, source } = trackedSource(bytes, 4096);
    for await (const batch of recordBatches(parseSie(source))) {
      if (batch.some((record) => record.type === "transaction")) break;
    }
    expect(state.closed).toBe(true);
    expect(state.taken * 4096).toBeLessThan(bytes.length / 2);
  });

  it("mixes with next(): each record is handed out once, in order", async () => {
    const bytes = Buffer.concat(await collect(generateSie({ vouchers: 200, seed: 2 })));
    const expected = await collect(parseSie(poisonedSource(bytes, [bytes.length])));
    const records = parseSie(poisonedSource(bytes, [2048]));
    const batching = records as unknown as { nextBatch(): Promise<ImportRecord[] | undefined> };
    const taken: ImportRecord[] = [];
    // Overlapping calls of both kinds are served in the order they were made.
    for (;;) {
      const [one, batch] = await Promise.all([records.next(), batching.nextBatch()]);
      if (!one.done) taken.push(one.value);
      if (batch !== undefined) taken.push(...batch);
      if (one.done && batch === undefined) break;
    }
    expect(taken).toEqual(expected);
  });
});
