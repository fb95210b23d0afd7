import { formatLabel } from "../ledger/types.ts";
import type { LedgerSummary } from "../ledger/summarizeLedger.ts";
import type { Ore } from "../money/ore.ts";
import {
  formatCountForPeople,
  formatOreForPeople,
  formatOrgNumberForPeople,
  formatPeriodForPeople,
} from "../presentation/formatForPeople.ts";
import { labelsFor } from "../presentation/labels.ts";
import { DEFAULT_LOCALE, type Locale } from "../presentation/locale.ts";
import { renderTextTable, type TextColumn } from "../presentation/textTable.ts";

/** Account names longer than this are shortened at a word boundary with `…` in the table. */
export const ACCOUNT_NAME_MAX_WIDTH = 40;

/** An amount cell: the figure for people, blank when the figure is unknown (not stated by the file). */
export function amountCell(ore: Ore | null | undefined, locale: Locale): string {
  return ore === null || ore === undefined ? "" : formatOreForPeople(ore, locale);
}

/**
 * Renders `saldo inspect` output (and `saldo trial-balance`) for a terminal, in the locale's words and number style:
 * header summary, the trial balance with a labelled total row, transaction statistics and the issues.
 */
export function renderSummary(summary: LedgerSummary, fileName: string, locale: Locale = DEFAULT_LOCALE): string {
  const { header } = summary;
  const labels = labelsFor(locale);
  const out: string[] = [];
  const company = [
    header.company.name,
    header.company.orgNumber && `${labels.orgNumber} ${formatOrgNumberForPeople(header.company.orgNumber, locale)}`,
  ]
    .filter(Boolean)
    .join(", ");
  const facts: [string, string][] = [
    [labels.format, `${formatLabel(header.format)} ${header.formatVersion} (${header.encoding})`],
    [labels.company, company || labels.notStated],
    [labels.period, header.period ? formatPeriodForPeople(header.period, locale) : labels.notStated],
    [labels.currency, (header.currency as string | undefined) || labels.notStated],
  ];
  if (header.software?.name) {
    facts.push([labels.software, [header.software.name, header.software.version].filter(Boolean).join(" ")]);
  }
  const factWidth = Math.max(...facts.map(([label]) => label.length));
  out.push(fileName);
  for (const [label, value] of facts) out.push(`  ${label.padEnd(factWidth)}  ${value}`);
  out.push("");

  const columns: TextColumn[] = [
    { title: labels.account, align: "left" },
    { title: labels.accountName, align: "left", maxWidth: ACCOUNT_NAME_MAX_WIDTH },
    { title: labels.opening, align: "right" },
    { title: labels.movement, align: "right" },
    { title: labels.closing, align: "right" },
  ];
  const rows = summary.rows.map((row) => [
    row.account,
    row.name,
    amountCell(row.opening, locale),
    amountCell(row.movement, locale),
    amountCell(row.closing, locale),
  ]);
  const total = {
    label: labels.trialBalanceTotal(formatCountForPeople(summary.rows.length, locale)),
    span: 2,
    cells: [
      amountCell(summary.totals.opening, locale),
      amountCell(summary.totals.movement, locale),
      amountCell(summary.totals.closing, locale),
    ],
  };
  out.push(...renderTextTable(columns, rows, [total]));
  out.push("");

  const tx = summary.transactions;
  out.push(
    labels.transactionsSummary(
      formatCountForPeople(tx.count, locale),
      formatCountForPeople(tx.lines, locale),
      formatOreForPeople(tx.totalDebit, locale),
      formatOreForPeople(tx.totalCredit, locale),
    ) +
      (tx.firstDate && tx.lastDate
        ? labels.dated(formatPeriodForPeople({ start: tx.firstDate, end: tx.lastDate }, locale))
        : ""),
  );
  out.push("");
  // An error the source plan makes irrelevant to the figures (Issue.unusedByPlan) is counted and shown apart.
  const counts = { error: 0, warning: 0, info: 0 };
  let unused = 0;
  for (const issue of summary.issues) {
    if (issue.unusedByPlan) unused++;
    else counts[issue.severity]++;
  }
  const issueCounts =
    labels.issueCounts(
      formatCountForPeople(counts.error, locale),
      formatCountForPeople(counts.warning, locale),
      formatCountForPeople(counts.info, locale),
    ) + (unused > 0 ? labels.unusedByPlanCount(formatCountForPeople(unused, locale)) : "");
  out.push(`${labels.issuesHeading}: ${issueCounts}`);
  const severityWidth = Math.max(
    labels.severityUnusedByPlan.length,
    ...Object.values(labels.severity).map((word) => word.length),
  );
  for (const issue of summary.issues) {
    const where = issue.location ? ` [${labels.line} ${issue.location.line}:${issue.location.column}]` : "";
    const severity = issue.unusedByPlan ? labels.severityUnusedByPlan : labels.severity[issue.severity];
    const why = issue.unusedByPlan
      ? ` (${labels.unusedByPlan(issue.unusedByPlan.column, issue.unusedByPlan.openingFrom)})`
      : "";
    out.push(`  ${severity.padEnd(severityWidth)} ${issue.code}: ${issue.message}${where}${why}`);
  }
  return out.join("\n") + "\n";
}
