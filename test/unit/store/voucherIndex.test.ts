import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chunksWithVoucher,
  hashVoucherId,
  voucherHashesOf,
  VoucherIndexBuilder,
  type VoucherIndexPage,
} from "../../../lib/store/dynamo/voucherIndex.ts";

const where = { pk: "IMP#X#TB" };

function build(chunks: readonly string[][], pageBytes: number): VoucherIndexPage[] {
  const builder = new VoucherIndexBuilder(pageBytes);
  const pages: VoucherIndexPage[] = [];
  for (const [chunk, ids] of chunks.entries()) {
    const full = builder.add(chunk, voucherHashesOf(ids));
    if (full) pages.push(full);
  }
  const last = builder.take();
  if (last) pages.push(last);
  expect(builder.pages).toBe(pages.length);
  return pages;
}

describe("voucher index", () => {
  it("finds exactly the chunks holding a voucher, whatever the page size and page order", () => {
    const voucherId = fc.oneof(
      fc.integer({ min: 1, max: 400 }).map((n) => `V${n}`),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(voucherId, { maxLength: 30 }), { maxLength: 25 }),
        fc.integer({ min: 1, max: 200 }),
        voucherId,
        fc.boolean(),
        (chunks, pageBytes, wanted, reversed) => {
          const pages = build(chunks, pageBytes);
          const expected = chunks.flatMap((ids, chunk) =>
            ids.some((id) => hashVoucherId(id) === hashVoucherId(wanted)) ? [chunk] : [],
          );
          const found = chunksWithVoucher(reversed ? [...pages].reverse() : pages, wanted, where);
          expect([...found].sort((a, b) => a - b)).toEqual(expected);
          for (const [chunk, ids] of chunks.entries()) if (ids.includes(wanted)) expect(found.has(chunk)).toBe(true);
        },
      ),
    );
  });

  it("costs about 3 bytes per voucher", () => {
    const ids = Array.from({ length: 1_500 }, (_, index) => `2024-${100_000 + index}`);
    const [page] = build([ids], 1_000_000);
    expect(page!.sets.length).toBeLessThan(1_500 * 4);
  });

  it("finds nothing in an index of chunks without that voucher", () => {
    const pages = build([["A1", "A2"], [], ["B1"]], 4);
    expect(pages.length).toBeGreaterThan(1);
    expect(chunksWithVoucher(pages, "nope", where).size).toBe(0);
    expect([...chunksWithVoucher(pages, "B1", where)]).toEqual([2]);
  });

  it("reports a page missing from the index, or bytes that do not decode, as a corrupt item", () => {
    const pages = build([["A1"], ["A2"], ["A3"]], 1);
    expect(pages).toHaveLength(3);
    expect(() => chunksWithVoucher([pages[0]!, pages[2]!], "A1", where)).toThrow(
      expect.objectContaining({ code: "STORE_CORRUPT_ITEM" }),
    );
    const truncated = { ...pages[0]!, sets: pages[0]!.sets.subarray(0, 2) };
    expect(() => chunksWithVoucher([truncated], "A1", where)).toThrow(
      expect.objectContaining({ code: "STORE_CORRUPT_ITEM" }),
    );
    const trailing = { ...pages[0]!, sets: Uint8Array.from([...pages[0]!.sets, 0]) };
    expect(() => chunksWithVoucher([trailing], "A1", where)).toThrow(
      expect.objectContaining({ code: "STORE_CORRUPT_ITEM" }),
    );
  });
});
