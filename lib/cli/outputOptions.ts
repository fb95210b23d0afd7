import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { PassThrough, Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { DEFAULT_LOCALE, LocaleSchema, type Locale } from "../presentation/locale.ts";
import { UsageError } from "./errors.ts";

/** `--locale nb|en`: the language and number style of text output (default nb, or `SALDO_LOCALE`). */
export const LOCALE_OPTION = { locale: { type: "string" } } as const;

/** The options of commands that print figures: `--format text|json|csv|xlsx`, `--output FILE`, `--json`, `--locale`. */
export const FIGURES_OUTPUT_OPTIONS = {
  ...LOCALE_OPTION,
  format: { type: "string" },
  output: { type: "string", short: "o" },
  json: { type: "boolean", default: false },
} as const;

export const OutputFormatSchema = z.enum(["text", "json", "csv", "xlsx"]);
export type OutputFormat = z.infer<typeof OutputFormatSchema>;

/** The locale asked for: `--locale`, else `SALDO_LOCALE`, else nb. */
export function localeFromOptions(
  value: string | undefined,
  env: Record<string, string | undefined> = process.env,
): Locale {
  const asked = value ?? (env.SALDO_LOCALE || undefined);
  if (asked === undefined) return DEFAULT_LOCALE;
  const parsed = LocaleSchema.safeParse(asked);
  if (!parsed.success) {
    throw new UsageError(
      `${value === undefined ? "SALDO_LOCALE" : "--locale"} must be nb or en (got "${asked}")`,
      `${value === undefined ? "SALDO_LOCALE" : "--locale"} må være nb eller en (fikk «${asked}»).`,
    );
  }
  return parsed.data;
}

/** Where and how figures are written, from `--format`, `--json` (= `--format json`) and `--output`. */
export interface FiguresOutput {
  format: OutputFormat;
  locale: Locale;
  /** The file to write; standard output when absent. */
  path?: string;
}

/** Reads and checks the output options; an XLSX file is never written to a terminal. */
export function figuresOutputFromOptions(
  values: { format?: string; json?: boolean; output?: string; locale?: string },
  env: Record<string, string | undefined> = process.env,
  stdoutIsTerminal = Boolean(process.stdout.isTTY),
): FiguresOutput {
  const format = OutputFormatSchema.safeParse(values.format ?? (values.json ? "json" : "text"));
  if (!format.success)
    throw new UsageError(
      `--format must be one of text, json, csv, xlsx (got "${values.format}")`,
      `--format må være text, json, csv eller xlsx (fikk «${values.format}»).`,
    );
  if (values.json && format.data !== "json")
    throw new UsageError(
      `--json and --format ${format.data} contradict each other`,
      `--json og --format ${format.data} motsier hverandre: oppgi ett av dem.`,
    );
  if (values.output === "") throw new UsageError("--output needs a file name", "--output trenger et filnavn.");
  if (format.data === "xlsx" && values.output === undefined && stdoutIsTerminal) {
    throw new UsageError(
      "an XLSX file is binary: write it with --output FILE (or redirect standard output)",
      "En XLSX-fil er binær: skriv den med --output FIL (eller send standard ut til en fil).",
    );
  }
  return {
    format: format.data,
    locale: localeFromOptions(values.locale, env),
    ...(values.output !== undefined ? { path: values.output } : {}),
  };
}

/**
 * Writes `chunks` to the output file, or to standard output. A file is written beside its final name and renamed
 * into place only when complete, so an interrupted export never leaves a half file under the name asked for.
 */
export async function writeOutput(
  output: Pick<FiguresOutput, "path">,
  write: (sink: Writable) => Promise<void>,
  stdout: Writable = process.stdout,
): Promise<void> {
  if (output.path === undefined) {
    // Through a PassThrough: writers that end their stream (exceljs) must not end standard output.
    const through = new PassThrough();
    await Promise.all([write(through), pipeline(through, stdout, { end: false })]);
    return;
  }
  const partial = `${output.path}.partial-${process.pid}`;
  try {
    const file = createWriteStream(partial, { flags: "wx" });
    const through = new PassThrough();
    await Promise.all([write(through), pipeline(through, file)]);
    await rename(partial, output.path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Writes text chunks from an (async) iterable into `sink` and ends it, honouring backpressure. */
export async function writeChunks(
  sink: Writable,
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): Promise<void> {
  await pipeline(Readable.from(chunks, { objectMode: false }), sink);
}
