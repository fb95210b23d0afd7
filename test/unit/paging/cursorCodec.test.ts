import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cursorCodec } from "../../../lib/paging/cursorCodec.ts";
import { InvalidCursorError } from "../../../lib/paging/errors.ts";

const PositionSchema = z.strictObject({ after: z.string().min(1).max(100) });
const codec = cursorCodec("test-listing", PositionSchema);
const scope = ["tenant", "client", "engagement"];

function refusal(decode: () => unknown): InvalidCursorError {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCursorError);
    return error as InvalidCursorError;
  }
  throw new Error("the cursor was accepted");
}

describe("the paging cursor codec", () => {
  it("decodes every cursor it encodes, in the scope it was issued for", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 100 }),
        fc.array(fc.string(), { maxLength: 4 }),
        (after, anyScope) => {
          const cursor = codec.encode(anyScope, { after });
          expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(codec.decode(anyScope, cursor)).toEqual({ after });
        },
      ),
    );
  });

  it("refuses a cursor of another tenant, client or engagement with CURSOR_INVALID (category invalid)", () => {
    const cursor = codec.encode(scope, { after: "01J" });
    for (const other of [
      ["other-tenant", "client", "engagement"],
      ["tenant", "other-client", "engagement"],
      ["tenant", "client", "other-engagement"],
      // Parts are delimited: moving a character from one id into the next is another scope.
      ["tenan", "tclient", "engagement"],
    ]) {
      const error = refusal(() => codec.decode(other, cursor));
      expect(error).toMatchObject({ code: "CURSOR_INVALID", category: "invalid" });
      expect(error.message).toContain("another engagement");
    }
  });

  it("refuses a cursor of another listing", () => {
    const cursor = cursorCodec("other-listing", PositionSchema).encode(scope, { after: "01J" });
    expect(refusal(() => codec.decode(scope, cursor)).message).toContain("not a cursor of this listing");
  });

  it("refuses any text that is not one of its cursors", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        let decoded: unknown;
        try {
          decoded = codec.decode(scope, text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCursorError);
          return;
        }
        expect(codec.encode(scope, decoded as { after: string })).toBe(text);
      }),
    );
  });

  it("refuses an altered position, an altered envelope and an over-long cursor", () => {
    const cursor = codec.encode(scope, { after: "01J" });
    const envelope = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;
    const reencode = (json: unknown) => Buffer.from(JSON.stringify(json)).toString("base64url");
    for (const altered of [
      { ...envelope, p: { after: "" } },
      { ...envelope, p: { after: "01J", pk: "T#other" } },
      { ...envelope, v: 2 },
      { ...envelope, s: "0".repeat(16) },
      { ...envelope, extra: true },
    ]) {
      refusal(() => codec.decode(scope, reencode(altered)));
    }
    refusal(() => codec.decode(scope, "A".repeat(5000)));
  });
});
