import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../../lib/store/cursor.ts";
import { StoreInvalidCursorError } from "../../../lib/store/errors.ts";

describe("paging cursors", () => {
  it("decodes every cursor it encodes", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.nat({ max: 1_000_000 }), (chunk, offset) => {
        expect(decodeCursor(encodeCursor({ chunk, offset }))).toEqual({ chunk, offset });
      }),
    );
  });

  it("rejects any string that is not one of its cursors with STORE_INVALID_CURSOR", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        let decoded: unknown;
        try {
          decoded = decodeCursor(text);
        } catch (error) {
          expect(error).toBeInstanceOf(StoreInvalidCursorError);
          expect((error as StoreInvalidCursorError).code).toBe("STORE_INVALID_CURSOR");
          return;
        }
        // The rare random string that is a valid cursor must be one.
        expect(encodeCursor(decoded as { chunk: number; offset: number })).toBe(text);
      }),
    );
  });

  it("rejects a cursor with extra fields", () => {
    const cursor = Buffer.from(JSON.stringify({ chunk: 1, offset: 2, importId: "x" })).toString("base64url");
    expect(() => decodeCursor(cursor)).toThrow(StoreInvalidCursorError);
  });
});
