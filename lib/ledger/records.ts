import type { Account, ControlTotals, FileHeader, Issue, Party, Transaction } from "./types.ts";

/**
 * What every parser yields. The header comes first (exactly once); transactions follow in the order the file has
 * them, each as soon as it is read (they are never accumulated). Per-record problems are `issue` records;
 * structural problems throw a `FormatError` (lib/formats/errors.ts).
 *
 * Ordering contract for consumers: `account` records may come before, between or after the transactions, once
 * per account. A format whose balances may stand anywhere among the vouchers passes its accounts on at the end
 * (SIE: #IB/#UB/#RES share group 4 with #VER in any order, SIE 4B §5.12–5.13); SAF-T and CSV pass them on as
 * read. So a consumer folds an account's figures in whenever its record arrives and finishes the rows (and their
 * totals, always the sums of the final rows) only at the end — as the ledger's `LedgerSummarizer` does.
 */
export type ImportRecord =
  | { type: "header"; header: FileHeader }
  /**
   * A correction to the header that could only be known later in the stream (the SAF-T version decided by
   * structure seen after the first records; a CSV encoding decided by bytes after the detection sample; SIE 4E
   * rather than 4I when balance records follow the vouchers; the period of a SAF-T file without SelectionCriteria,
   * taken from its transactions' dates).
   */
  | { type: "headerUpdate"; changes: Partial<Pick<FileHeader, "formatVersion" | "encoding" | "period">> }
  | { type: "account"; account: Account }
  | { type: "party"; party: Party }
  | { type: "controlTotals"; controlTotals: ControlTotals }
  | { type: "transaction"; transaction: Transaction }
  | { type: "issue"; issue: Issue };
