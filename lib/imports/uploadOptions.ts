import { z } from "zod";
import { CsvLayoutOptionError, CsvLayoutSchema, describeLayout, type CsvLayout } from "../formats/csv/index.ts";
import { normalizeEncodingName } from "../formats/shared/decoding.ts";
import type { RememberedCsvLayout } from "../engagements/types.ts";
import { ImportRoleSchema } from "./types.ts";

/*
 * How an upload says how to read it: the CSV layout and the character encoding, as `saldo inspect` takes them. They
 * travel with the object as S3 user metadata — set by `saldo upload`, signed into the presigned PUT of
 * `POST …/uploads`, or set by any S3 client — so the ingest function reads them for every upload, whoever made it.
 */

/** A character encoding saldo can decode (`utf-8`, `windows-1252`, `cp865`, `PC8`, `latin1`, …). */
export const EncodingNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .refine(
    (name) => {
      try {
        normalizeEncodingName(name);
        return true;
      } catch {
        return false;
      }
    },
    { message: "a character encoding saldo reads, e.g. utf-8, windows-1252, cp865, cp437 (PC8), iso-8859-1" },
  );

/** S3 limits user metadata to 2 KB per object; the layout must leave room for the other keys. */
const MAX_LAYOUT_METADATA_BYTES = 1500;

/** The object metadata keys (without S3's `x-amz-meta-` prefix). */
export const UPLOAD_METADATA_KEYS = {
  layout: "saldo-csv-layout",
  encoding: "saldo-encoding",
  role: "saldo-role",
} as const;

/**
 * How to read an upload: `layout` (CSV only; what is given overrides detection) and `encoding` (any format; overrides
 * the detected character encoding). The same schema validates the uploads API's body fields and the object metadata.
 */
export const UploadOptionsSchema = z.strictObject({
  layout: CsvLayoutSchema.refine((layout) => encodeMetadataJson(layout).length <= MAX_LAYOUT_METADATA_BYTES, {
    message: `at most ${MAX_LAYOUT_METADATA_BYTES} characters as JSON (S3 object metadata is limited to 2 KB)`,
  }).optional(),
  encoding: EncodingNameSchema.optional(),
  /** `opening`: the file gives the engagement's opening balances (source plans); default `figures`. */
  role: ImportRoleSchema.optional(),
});
export type UploadOptions = z.infer<typeof UploadOptionsSchema>;

/**
 * JSON with every non-ASCII character escaped (`\u00f8`): S3 user metadata travels in HTTP headers, which only carry
 * ASCII reliably. JSON.stringify already escapes control characters (a TAB delimiter becomes `\t`).
 */
function encodeMetadataJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The object metadata (keys without `x-amz-meta-`) that carries `options`; empty when there are none. */
export function uploadMetadataOf(options: UploadOptions): Record<string, string> {
  return {
    ...(options.layout !== undefined ? { [UPLOAD_METADATA_KEYS.layout]: encodeMetadataJson(options.layout) } : {}),
    ...(options.encoding !== undefined ? { [UPLOAD_METADATA_KEYS.encoding]: options.encoding } : {}),
    ...(options.role !== undefined && options.role !== "figures" ? { [UPLOAD_METADATA_KEYS.role]: options.role } : {}),
  };
}

/**
 * Reads the upload options from an object's metadata (keys as the S3 SDK gives them: lower case, without
 * `x-amz-meta-`). Other keys are ignored.
 *
 * @throws CsvLayoutOptionError (`CSV_LAYOUT_OPTION_INVALID`) naming the metadata key and what is wrong: the import
 *   fails with it rather than reading the file some other way than the uploader asked.
 */
export function uploadOptionsFromMetadata(
  metadata: Record<string, string> | undefined,
  fileName?: string,
): UploadOptions {
  const layoutText = metadata?.[UPLOAD_METADATA_KEYS.layout];
  const encoding = metadata?.[UPLOAD_METADATA_KEYS.encoding];
  const role = metadata?.[UPLOAD_METADATA_KEYS.role];
  let layout: unknown;
  if (layoutText !== undefined) {
    try {
      layout = JSON.parse(layoutText);
    } catch {
      throw new CsvLayoutOptionError(`the upload's metadata x-amz-meta-${UPLOAD_METADATA_KEYS.layout} is not JSON`, {
        ...(fileName ? { fileName } : {}),
        expected: 'a JSON layout such as {"delimiter":";","columns":{"account":0,"closing":2}}',
      });
    }
  }
  const parsed = UploadOptionsSchema.safeParse({
    ...(layout !== undefined ? { layout } : {}),
    ...(encoding !== undefined ? { encoding } : {}),
    ...(role !== undefined ? { role } : {}),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => {
        const [field, ...path] = issue.path.map(String);
        const key =
          field === "encoding"
            ? UPLOAD_METADATA_KEYS.encoding
            : field === "role"
              ? UPLOAD_METADATA_KEYS.role
              : UPLOAD_METADATA_KEYS.layout;
        return `x-amz-meta-${key}${path.length > 0 ? ` ${path.join(".")}` : ""}: ${issue.message}`;
      })
      .join("; ");
    throw new CsvLayoutOptionError(`the upload's layout metadata is not valid: ${problems}`, {
      ...(fileName ? { fileName } : {}),
      expected:
        "the layout `saldo inspect` takes (delimiter, decimal, headerRow, columns), a known encoding and a role " +
        "(figures or opening)",
    });
  }
  return parsed.data;
}

/**
 * A CSV layout remembered for a client: the explicit options of its last upload that was imported with them
 * (status succeeded), used for its next CSV uploads that give none (see lib/formats/csv, `rememberedLayout`).
 */
export const RememberedCsvLayoutSchema = z.object({
  layout: CsvLayoutSchema,
  /** The encoding given with it, if any: applied to the client's CSV files only. */
  encoding: z.string().optional(),
  /** The import that used it. */
  importId: z.string(),
  rememberedAt: z.string(),
}) satisfies z.ZodType<RememberedCsvLayout>;

/** For messages: `--delimiter ";" --columns account=0,closing=2 --encoding cp865`. */
export function describeUploadOptions(options: { layout?: CsvLayout; encoding?: string }): string {
  return [
    options.layout ? describeLayout(options.layout) : "",
    options.encoding ? `--encoding ${options.encoding}` : "",
  ]
    .filter(Boolean)
    .join(" ");
}
