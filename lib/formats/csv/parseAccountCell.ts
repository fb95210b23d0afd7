import { trimCell } from "./parseCsvAmount.ts";

/**
 * An account number: digits, optionally followed by sub-account segments joined with `:` or `.` — `1920`,
 * `1920:10008` (Fiken's sub-ledger style), `1920.01`. The whole text is kept as the account id,
 * suffix included: saldo does not guess whether a sub-account rolls up into its main account. `-` and `/` are NOT
 * accepted, because report exports use them for ranges in subtotal rows (`Sum 1000-1999`).
 */
const ACCOUNT_NUMBER = /^\d{1,12}(?:[:.]\d{1,12})*$/;
/** An account number and its name in one cell: `1920 Bankinnskudd`, `1920 - Bankinnskudd`. */
const ACCOUNT_WITH_NAME = /^(\d{1,12}(?:[:.]\d{1,12})*)(?:\s*[-\u2013:]\s+|\s+)(\D.*)$/;

/**
 * Reads the account cell of a row. Returns the account id (and a name when the cell carries one after the number,
 * as some reports print `1920 Bankinnskudd` in one column), or `undefined` when the cell is not an account number —
 * the row is then a title, blank, or subtotal row and is skipped (the rule Visma Finale documents: "rows whose first
 * field is not a number are ignored"). The number-and-name form is only accepted with `allowName` (layouts without a
 * name column), so that a title such as `2023 Årsoppgjør` is not mistaken for an account elsewhere.
 */
export function parseAccountCell(text: string, allowName = false): { id: string; name?: string } | undefined {
  const cell = trimCell(text);
  if (ACCOUNT_NUMBER.test(cell)) return { id: cell };
  if (!allowName) return undefined;
  const match = ACCOUNT_WITH_NAME.exec(cell);
  if (match && !/^(sum|total|i alt)/i.test(match[2]!)) return { id: match[1]!, name: trimCell(match[2]!) };
  return undefined;
}
