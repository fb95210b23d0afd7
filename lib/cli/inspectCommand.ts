import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { inspectFile } from "../imports/inspectFile.ts";
import { toLedgerJson } from "../ledger/ledgerJson.ts";
import { FileFormatSchema } from "../ledger/types.ts";
import { countingSource, fileSource } from "../formats/shared/sources.ts";
import { UsageError } from "./errors.ts";
import { parseOptions } from "./parseOptions.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { createProgressBar } from "./progressBar.ts";
import { READ_OPTIONS, uploadOptionsFromCli } from "./readOptions.ts";
import { renderSummary } from "./renderSummary.ts";

const FormatOptionSchema = z.enum(["auto", ...FileFormatSchema.options]);

/** Files larger than this get a progress bar when stderr is a terminal. */
const PROGRESS_THRESHOLD_BYTES = 8 * 1024 * 1024;

/** `saldo inspect <file>`: reads a file and prints its trial balance, totals and validation report. */
export async function inspectCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...LOCALE_OPTION,
    format: { type: "string", default: "auto" },
    json: { type: "boolean", default: false },
    ...READ_OPTIONS,
  });
  const [path, ...extra] = positionals;
  if (!path || extra.length > 0)
    throw new UsageError("inspect takes exactly one file", "«saldo inspect» tar nøyaktig én fil.");
  const locale = localeFromOptions(values.locale, env);
  const format = FormatOptionSchema.safeParse(values.format);
  if (!format.success)
    throw new UsageError(
      `--format must be one of auto, saft, sie, csv (got "${values.format}")`,
      `--format må være auto, saft, sie eller csv (fikk «${values.format}»).`,
    );
  const { layout: csv, encoding } = uploadOptionsFromCli(values);

  const fileName = basename(path);
  const { size } = await stat(path);
  let source = fileSource(path);
  const bar =
    process.stderr.isTTY && size >= PROGRESS_THRESHOLD_BYTES
      ? createProgressBar(process.stderr, size, fileName)
      : undefined;
  if (bar) source = countingSource(source, (bytes) => bar.update(bytes));
  try {
    const summary = await inspectFile(source, {
      fileName,
      format: format.data,
      ...(encoding ? { encoding } : {}),
      ...(csv ? { csv } : {}),
    });
    bar?.done();
    if (values.json) process.stdout.write(JSON.stringify(toLedgerJson(summary), null, 2) + "\n");
    else process.stdout.write(renderSummary(summary, fileName, locale));
    return 0;
  } finally {
    bar?.done();
  }
}
