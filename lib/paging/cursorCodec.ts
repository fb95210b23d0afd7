import { createHash } from "node:crypto";
import { z } from "zod";
import { InvalidCursorError } from "./errors.ts";

/** Longest cursor accepted from a client (the API's query schemas allow the same). */
export const CURSOR_MAX_LENGTH = 4096;

/** What every cursor holds around its listing's own payload (a trust boundary: clients send it back). */
const CursorEnvelopeSchema = z.strictObject({
  /** Version of the envelope. */
  v: z.literal(1),
  /** Which listing issued it (`imports`, `transaction-lines`). */
  k: z.string().min(1).max(64),
  /** Fingerprint of the scope it was issued for: the tenant, client and engagement (see {@link scopeFingerprint}). */
  s: z.string().regex(/^[0-9a-f]{16}$/),
  /** The listing's own position, validated by its schema. */
  p: z.unknown(),
});

/**
 * The one codec of saldo's paging cursors. A cursor is opaque to clients: base64url of a small JSON envelope with
 * the listing that issued it, a fingerprint of the scope it belongs to (tenant, client, engagement, and whatever else
 * the listing binds it to, such as its filters) and the listing's position, validated with the listing's zod schema
 * on the way back in. Anything else — an altered or truncated cursor, one of another listing, or one issued for
 * another tenant or engagement — is refused with {@link InvalidCursorError} (`CURSOR_INVALID`, category `invalid`).
 *
 * The scope binding is a plain hash, not a signature: it makes a cursor from elsewhere fail clearly instead of
 * silently paging the wrong list. Isolation itself never rests on the cursor: every read is keyed by the caller's
 * own tenant and engagement, and a position can only select within them.
 */
export interface CursorCodec<Position> {
  encode(scope: readonly string[], position: Position): string;
  /** @throws InvalidCursorError for anything {@link encode} did not produce for this scope. */
  decode(scope: readonly string[], cursor: string): Position;
}

/** The cursor codec of one listing (`kind`), whose positions `positionSchema` validates. */
export function cursorCodec<Schema extends z.ZodType>(
  kind: string,
  positionSchema: Schema,
): CursorCodec<z.output<Schema>> {
  return {
    encode(scope, position) {
      const envelope: z.infer<typeof CursorEnvelopeSchema> = {
        v: 1,
        k: kind,
        s: scopeFingerprint(kind, scope),
        p: position,
      };
      return Buffer.from(JSON.stringify(envelope), "utf8").toString("base64url");
    },
    decode(scope, cursor) {
      let json: unknown;
      try {
        if (cursor.length > CURSOR_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("not base64url");
        json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      } catch (error) {
        throw new InvalidCursorError("it is not a cursor saldo handed out", { cause: error });
      }
      const envelope = CursorEnvelopeSchema.safeParse(json);
      if (!envelope.success || envelope.data.k !== kind) {
        throw new InvalidCursorError("it is not a cursor of this listing", {
          ...(envelope.success ? {} : { cause: envelope.error }),
        });
      }
      if (envelope.data.s !== scopeFingerprint(kind, scope)) {
        throw new InvalidCursorError("it was issued for another engagement or other filters");
      }
      const position = positionSchema.safeParse(envelope.data.p);
      if (!position.success) {
        throw new InvalidCursorError("it is not a cursor of this listing", { cause: position.error });
      }
      return position.data;
    },
  };
}

/** 16 hex digits of SHA-256 over the listing and its scope, each part length-delimited by JSON. */
function scopeFingerprint(kind: string, scope: readonly string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([kind, ...scope]))
    .digest("hex")
    .slice(0, 16);
}
