import { z } from "zod";
import type { ParseOptions } from "../records.ts";
import { COLUMN_ROLES, type ColumnRole } from "./classifyHeaderCell.ts";
import { CsvLayoutOptionError } from "./errors.ts";

/** A column, by 0-based index (`0` is the first column, as in `--columns account=0`) or by its header text. */
export const CsvColumnReferenceSchema = z.union([z.number().int().nonnegative(), z.string().trim().min(1)]);
export type CsvColumnReference = z.infer<typeof CsvColumnReferenceSchema>;

/**
 * Explicit column mapping. `account` is required; at least one amount column (or debit/credit pair) must be given.
 * Signed columns hold net amounts (debit positive, credit negative); `…Debit`/`…Credit` columns hold unsigned amounts
 * whose net is debit − credit; `debit`/`credit` alone are the period's debit and credit (net movement).
 */
export const CsvColumnsSchema = z
  .object({
    account: CsvColumnReferenceSchema,
    name: CsvColumnReferenceSchema.optional(),
    opening: CsvColumnReferenceSchema.optional(),
    movement: CsvColumnReferenceSchema.optional(),
    closing: CsvColumnReferenceSchema.optional(),
    debit: CsvColumnReferenceSchema.optional(),
    credit: CsvColumnReferenceSchema.optional(),
    openingDebit: CsvColumnReferenceSchema.optional(),
    openingCredit: CsvColumnReferenceSchema.optional(),
    closingDebit: CsvColumnReferenceSchema.optional(),
    closingCredit: CsvColumnReferenceSchema.optional(),
    movementDebit: CsvColumnReferenceSchema.optional(),
    movementCredit: CsvColumnReferenceSchema.optional(),
  })
  .strict()
  .refine(
    (columns) => COLUMN_ROLES.some((role) => role !== "account" && role !== "name" && columns[role] !== undefined),
    {
      message: "name at least one amount column (opening, movement, closing, or a debit/credit column)",
    },
  );
export type CsvColumns = z.infer<typeof CsvColumnsSchema>;

/**
 * An explicit CSV layout, passed through from the CLI/API when detection is ambiguous or wrong. Every field is
 * optional: what is given overrides detection, the rest is still detected.
 * - `delimiter`: `;`, `,` or TAB.
 * - `decimal`: the decimal separator, `,` or `.`.
 * - `headerRow`: the 1-based LINE number of the header row (the number an editor and saldo's messages show), or
 *   `"none"` when the file has no header row (then `columns` must use indexes).
 * - `columns`: see {@link CsvColumnsSchema}; header texts are matched after normalising case and diacritics.
 */
export const CsvLayoutSchema = z
  .object({
    delimiter: z.enum([";", ",", "\t"]).optional(),
    decimal: z.enum([",", "."]).optional(),
    headerRow: z.union([z.number().int().positive(), z.literal("none")]).optional(),
    columns: CsvColumnsSchema.optional(),
  })
  .strict();
export type CsvLayout = z.infer<typeof CsvLayoutSchema>;

/**
 * A layout remembered from an earlier upload of the same client (lib/imports/uploadOptions.ts), used when no part of
 * the layout is given explicitly — before detection — as long as it fits the file; `from` names where it came from
 * (e.g. `import 01J…`) in the issue that reports its use.
 */
export interface RememberedCsvLayoutOption {
  layout: CsvLayout;
  from?: string;
}

/**
 * Options of {@link parseCsvTrialBalance}: the common parse options, an optional explicit layout, and an optional
 * remembered one. Precedence: explicit > remembered > detected.
 */
export interface CsvParseOptions extends ParseOptions, CsvLayout {
  rememberedLayout?: RememberedCsvLayoutOption;
}

/** Whether any part of a layout is given. */
export function hasLayout(layout: CsvLayout): boolean {
  return (
    layout.delimiter !== undefined ||
    layout.decimal !== undefined ||
    layout.headerRow !== undefined ||
    layout.columns !== undefined
  );
}

/** A layout in the CLI's flag form, for messages: `--delimiter ";" --columns account=0,closing=2`. */
export function describeLayout(layout: CsvLayout): string {
  const quote = (text: string) => JSON.stringify(text);
  const reference = (value: CsvColumnReference) => (typeof value === "number" ? String(value) : quote(value));
  return [
    layout.delimiter !== undefined ? `--delimiter ${layout.delimiter === "\t" ? "tab" : quote(layout.delimiter)}` : "",
    layout.decimal !== undefined ? `--decimal ${quote(layout.decimal)}` : "",
    layout.headerRow !== undefined ? `--header-row ${layout.headerRow}` : "",
    layout.columns !== undefined
      ? `--columns ${Object.entries(layout.columns)
          .filter(([, value]) => value !== undefined)
          .map(([role, value]) => `${role}=${reference(value as CsvColumnReference)}`)
          .join(",")}`
      : "",
  ]
    .filter(Boolean)
    .join(" ");
}

const ROLE_BY_LOWER_NAME = new Map<string, ColumnRole>(COLUMN_ROLES.map((role) => [role.toLowerCase(), role]));

/**
 * Parses the CLI string form of a column mapping: `account=0,name=1,closing=2` or
 * `account=Konto,closing="Saldo, UB"` (header texts with commas in double quotes). Role names are
 * case-insensitive (`openingdebit` = `openingDebit`); digits-only values are 0-based indexes.
 * @throws CsvLayoutOptionError when the string is not a valid mapping.
 */
export function parseCsvColumnsSpec(spec: string): CsvColumns {
  const entries: Record<string, CsvColumnReference> = {};
  const pattern = /\s*([A-Za-z]+)\s*=\s*(?:"((?:[^"]|"")*)"|([^,]*))\s*(?:,|$)/y;
  let at = 0;
  while (at < spec.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(spec);
    if (!match || match[0] === "") {
      throw new CsvLayoutOptionError(`cannot read the column mapping at ${JSON.stringify(spec.slice(at))}`, {
        expected: "role=index or role=header text, separated by commas, e.g. account=0,name=1,closing=2",
      });
    }
    const role = ROLE_BY_LOWER_NAME.get(match[1]!.toLowerCase());
    if (!role) {
      throw new CsvLayoutOptionError(`unknown column role ${JSON.stringify(match[1])}`, {
        expected: COLUMN_ROLES.join(", "),
      });
    }
    if (role in entries) throw new CsvLayoutOptionError(`column role ${role} given twice`);
    const value = match[2] !== undefined ? match[2].replace(/""/g, '"') : match[3]!.trim();
    entries[role] = match[2] === undefined && /^\d+$/.test(value) ? Number(value) : value;
    at = pattern.lastIndex;
  }
  const parsed = CsvColumnsSchema.safeParse(entries);
  if (!parsed.success) {
    throw new CsvLayoutOptionError(
      `invalid column mapping ${JSON.stringify(spec)}: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`,
      {
        expected: "account=<column> and at least one amount column, e.g. account=0,name=1,closing=2",
      },
    );
  }
  return parsed.data;
}

/**
 * Parses the CLI form of a delimiter: `;`, `,`, a real TAB, `\t`, or the words `semicolon`, `comma`, `tab`.
 * @throws CsvLayoutOptionError for anything else.
 */
export function parseCsvDelimiterSpec(spec: string): NonNullable<CsvLayout["delimiter"]> {
  const byName: Record<string, NonNullable<CsvLayout["delimiter"]>> = {
    ";": ";",
    semicolon: ";",
    ",": ",",
    comma: ",",
    "\t": "\t",
    "\\t": "\t",
    tab: "\t",
  };
  const delimiter = byName[spec === "\t" ? spec : spec.trim().toLowerCase()];
  if (!delimiter)
    throw new CsvLayoutOptionError(`unknown delimiter ${JSON.stringify(spec)}`, { expected: '";", ",", "tab"' });
  return delimiter;
}

/** The CSV layout flags of the CLI, as raw strings (`--delimiter`, `--decimal`, `--header-row`, `--columns`). */
export interface CsvCliLayoutFlags {
  delimiter?: unknown;
  decimal?: unknown;
  headerRow?: unknown;
  columns?: unknown;
}

const FLAG_NAMES: Record<keyof CsvCliLayoutFlags, string> = {
  delimiter: "--delimiter",
  decimal: "--decimal",
  headerRow: "--header-row",
  columns: "--columns",
};

/** A flag's value as a string; argument parsers may hand over booleans or arrays for misused flags. */
function flagText(flags: CsvCliLayoutFlags, key: keyof CsvCliLayoutFlags): string | undefined {
  const value = flags[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new CsvLayoutOptionError(`${FLAG_NAMES[key]} needs one value`, { expected: `${FLAG_NAMES[key]} <value>` });
  return value;
}

/**
 * Turns the CLI flags `--delimiter ";" --decimal "," --header-row 3|none --columns account=0,name=1,closing=2` into a
 * validated {@link CsvLayout}; `undefined` when no flag was given (detect everything).
 * @throws CsvLayoutOptionError naming the flag that is wrong.
 */
export function csvLayoutFromCliOptions(flags: CsvCliLayoutFlags): CsvLayout | undefined {
  const layout: CsvLayout = {};
  const delimiter = flagText(flags, "delimiter");
  const decimal = flagText(flags, "decimal");
  const headerRow = flagText(flags, "headerRow");
  const columns = flagText(flags, "columns");
  if (delimiter !== undefined) layout.delimiter = parseCsvDelimiterSpec(delimiter);
  if (decimal !== undefined) {
    const decimals: Record<string, "," | "."> = { ",": ",", comma: ",", ".": ".", point: ".", dot: "." };
    const chosen = decimals[decimal.trim().toLowerCase()];
    if (!chosen)
      throw new CsvLayoutOptionError(`--decimal ${JSON.stringify(decimal)} is not a decimal separator`, {
        expected: '"," or "."',
      });
    layout.decimal = chosen;
  }
  if (headerRow !== undefined) {
    const value = headerRow.trim().toLowerCase();
    if (value === "none") layout.headerRow = "none";
    else if (/^[1-9]\d*$/.test(value)) layout.headerRow = Number(value);
    else
      throw new CsvLayoutOptionError(`--header-row ${JSON.stringify(headerRow)} is not a line number`, {
        expected: '1-based line number or "none"',
      });
  }
  if (columns !== undefined) layout.columns = parseCsvColumnsSpec(columns);
  return Object.keys(layout).length > 0 ? CsvLayoutSchema.parse(layout) : undefined;
}
