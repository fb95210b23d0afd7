import { formatOre } from "../money/ore.ts";
import type { LedgerSummary } from "../ledger/summarizeLedger.ts";

/** Formats øre for people: thousands grouped with a thin space, two decimals (`-1 234 567.50`). */
export function formatForPeople(ore: bigint): string {
  const [whole, decimals] = formatOre(ore).split(".") as [string, string];
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return `${negative ? "-" : ""}${grouped}.${decimals}`;
}

function pad(text: string, width: number, right = false): string {
  if (text.length >= width) return text;
  return right ? text.padStart(width) : text.padEnd(width);
}

/** Renders `saldo inspect` output for a terminal: header summary, trial balance table, totals and issues. */
export function renderSummary(summary: LedgerSummary, fileName: string): string {
  const { header } = summary;
  const out: string[] = [];
  const company = [header.company.name, header.company.orgNumber && `org.nr ${header.company.orgNumber}`]
    .filter(Boolean)
    .join(", ");
  out.push(`${fileName}`);
  out.push(`  format     ${header.format.toUpperCase()} ${header.formatVersion} (${header.encoding})`);
  out.push(`  company    ${company || "(not stated)"}`);
  out.push(`  period     ${header.period ? `${header.period.start} – ${header.period.end}` : "(not stated)"}`);
  out.push(`  currency   ${header.currency ?? "(not stated)"}`);
  if (header.software?.name) out.push(`  software   ${[header.software.name, header.software.version].filter(Boolean).join(" ")}`);
  out.push("");

  const nameWidth = Math.min(40, Math.max(4, ...summary.rows.map((row) => row.name.length)));
  const accountWidth = Math.max(7, ...summary.rows.map((row) => row.account.length));
  const amounts = summary.rows.flatMap((row) => [row.opening, row.movement, row.closing]);
  amounts.push(summary.totals.opening, summary.totals.movement, summary.totals.closing);
  const amountWidth = Math.max(14, ...amounts.map((amount) => formatForPeople(amount).length));
  const line = (account: string, name: string, a: string, b: string, c: string) =>
    `${pad(account, accountWidth)}  ${pad(name.slice(0, nameWidth), nameWidth)}  ${pad(a, amountWidth, true)}  ${pad(b, amountWidth, true)}  ${pad(c, amountWidth, true)}`;
  out.push(line("Account", "Name", "Opening (IB)", "Movement", "Closing (UB)"));
  out.push("-".repeat(accountWidth + nameWidth + 3 * amountWidth + 8));
  for (const row of summary.rows) {
    out.push(
      line(row.account, row.name, formatForPeople(row.opening), formatForPeople(row.movement), formatForPeople(row.closing)),
    );
  }
  out.push("-".repeat(accountWidth + nameWidth + 3 * amountWidth + 8));
  out.push(
    line(
      "Total",
      `${summary.rows.length} accounts`,
      formatForPeople(summary.totals.opening),
      formatForPeople(summary.totals.movement),
      formatForPeople(summary.totals.closing),
    ),
  );
  out.push("");
  const tx = summary.transactions;
  out.push(
    `Transactions: ${tx.count} with ${tx.lines} lines; debit ${formatForPeople(tx.totalDebit)}, credit ${formatForPeople(tx.totalCredit)}` +
      (tx.firstDate ? `; dated ${tx.firstDate} – ${tx.lastDate}` : ""),
  );
  out.push("");
  const counts = { error: 0, warning: 0, info: 0 };
  for (const issue of summary.issues) counts[issue.severity]++;
  out.push(`Issues: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info`);
  for (const issue of summary.issues) {
    const where = issue.location ? ` [line ${issue.location.line}:${issue.location.column}]` : "";
    out.push(`  ${pad(issue.severity.toUpperCase(), 7)} ${issue.code}: ${issue.message}${where}`);
  }
  return out.join("\n") + "\n";
}
