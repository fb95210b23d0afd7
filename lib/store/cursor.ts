import { z } from "zod";
import { StoreInvalidCursorError } from "./errors.ts";

/**
 * A position in an import's transaction lines: the next line to consider is line `offset` (0-based, counting every
 * line of the chunk, filtered or not) of chunk `chunk`. Stores that keep lines in one list use chunk 0.
 */
export const LinePositionSchema = z.strictObject({
  chunk: z.number().int().nonnegative().max(1_000_000_000),
  offset: z.number().int().nonnegative().max(1_000_000_000),
});

/** A decoded paging position. */
export type LinePosition = z.infer<typeof LinePositionSchema>;

/** Encodes a position as the opaque cursor handed to clients: base64url of its JSON. */
export function encodeCursor(position: LinePosition): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/**
 * Decodes a cursor from a client (a trust boundary: zod-validated).
 *
 * @throws StoreInvalidCursorError `STORE_INVALID_CURSOR` for anything this store did not hand out.
 */
export function decodeCursor(cursor: string): LinePosition {
  let json: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("not base64url");
    json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch (error) {
    throw new StoreInvalidCursorError("The paging cursor is not one this store handed out", {
      cause: error,
      context: { cursor },
    });
  }
  const parsed = LinePositionSchema.safeParse(json);
  if (!parsed.success) {
    throw new StoreInvalidCursorError("The paging cursor is not one this store handed out", {
      cause: parsed.error,
      context: { cursor },
    });
  }
  return parsed.data;
}
