import { csvLayoutFromCliOptions } from "../formats/csv/index.ts";
import { UploadOptionsSchema, type UploadOptions } from "../imports/uploadOptions.ts";
import { UsageError } from "./errors.ts";

/**
 * The options that say how to read a file, shared by `saldo inspect` and `saldo upload`: the character encoding and
 * the CSV layout (`--delimiter ";"|","|tab --decimal ","|"." --header-row <n>|none --columns account=0,name=1,closing=2`).
 */
export const READ_OPTIONS = {
  encoding: { type: "string" },
  delimiter: { type: "string" },
  decimal: { type: "string" },
  "header-row": { type: "string" },
  columns: { type: "string" },
} as const;

/**
 * The read options as the uploads API and the object metadata carry them, validated by the same schema.
 *
 * @throws UsageError naming the flag that is wrong.
 */
export function uploadOptionsFromCli(values: {
  encoding?: unknown;
  delimiter?: unknown;
  decimal?: unknown;
  "header-row"?: unknown;
  columns?: unknown;
}): UploadOptions {
  let layout;
  try {
    layout = csvLayoutFromCliOptions({
      delimiter: values.delimiter,
      decimal: values.decimal,
      headerRow: values["header-row"],
      columns: values.columns,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      message,
      `CSV-oppsettet kan ikke brukes: ${message}. Rett --delimiter, --decimal, --header-row eller --columns.`,
    );
  }
  const parsed = UploadOptionsSchema.safeParse({
    ...(layout !== undefined ? { layout } : {}),
    ...(typeof values.encoding === "string" ? { encoding: values.encoding } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = issue.path[0] === "encoding" ? "--encoding" : "the layout options";
    throw new UsageError(
      `${flag}: ${issue.message}`,
      `${flag === "--encoding" ? "--encoding" : "CSV-oppsettet"} kan ikke brukes: ${issue.message}.`,
    );
  }
  return parsed.data;
}
