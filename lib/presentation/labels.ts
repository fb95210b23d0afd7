import type { Severity } from "../ledger/types.ts";
import type { Locale } from "./locale.ts";

/**
 * The words of the CLI's text output, per locale. Codes (issue codes, statuses in JSON) stay as they are in every
 * locale; issue messages come from the parsers and checks in English.
 */
export interface Labels {
  notStated: string;
  format: string;
  company: string;
  orgNumber: string;
  period: string;
  currency: string;
  software: string;
  account: string;
  accountName: string;
  opening: string;
  movement: string;
  closing: string;
  trialBalanceTotal: (accounts: string) => string;
  transactionsSummary: (vouchers: string, lines: string, debit: string, credit: string) => string;
  dated: (period: string) => string;
  /** Issue counts by severity: `0 feil, 2 advarsler, 1 til informasjon`. */
  issueCounts: (errors: string, warnings: string, info: string) => string;
  issuesHeading: string;
  severity: Record<Severity, string>;
  line: string;
  activeImport: (engagement: string, importId: string, source: string, created: string) => string;
  importsTitle: (engagement: string) => string;
  noImports: (engagement: string) => string;
  importColumns: { import: string; status: string; file: string; created: string; format: string; counts: string; issues: string };
  status: Record<string, string>;
  failed: (code: string) => string;
  noReport: string;
  /** A running import's progress: `lest 45 % (1,2 MB av 2,6 MB), 12 345 linjer`. */
  progress: (percent: string | undefined, read: string, size: string | undefined, lines: string) => string;
  transactionColumns: {
    date: string;
    voucher: string;
    line: string;
    account: string;
    amount: string;
    description: string;
  };
  transactionsTotal: (lines: string) => string;
  noTransactions: string;
}

const NB: Labels = {
  notStated: "(ikke oppgitt)",
  format: "Format",
  company: "Selskap",
  orgNumber: "org.nr.",
  period: "Periode",
  currency: "Valuta",
  software: "Programvare",
  account: "Konto",
  accountName: "Kontonavn",
  opening: "Inngående (IB)",
  movement: "Bevegelse",
  closing: "Utgående (UB)",
  trialBalanceTotal: (accounts) => `Sum saldobalanse (${accounts} ${accounts === "1" ? "konto" : "kontoer"})`,
  transactionsSummary: (vouchers, lines, debit, credit) =>
    `Transaksjoner: ${vouchers} bilag med ${lines} ${lines === "1" ? "linje" : "linjer"}; debet ${debit}, kredit ${credit}`,
  dated: (period) => `; datert ${period}`,
  issueCounts: (errors, warnings, info) =>
    `${errors} feil, ${warnings} ${warnings === "1" ? "advarsel" : "advarsler"}, ${info} til informasjon`,
  issuesHeading: "Avvik",
  severity: { error: "FEIL", warning: "ADVARSEL", info: "INFO" },
  line: "linje",
  activeImport: (engagement, importId, source, created) =>
    `Oppdrag ${engagement}: aktiv import ${importId} (${source}, ${created})`,
  importsTitle: (engagement) => `Importer i oppdrag ${engagement}, nyeste først (* aktiv)`,
  noImports: (engagement) => `Oppdrag ${engagement}: ingen importer ennå`,
  importColumns: {
    import: "Import",
    status: "Status",
    file: "Fil",
    created: "Opprettet",
    format: "Format",
    counts: "Kontoer / bilag / linjer",
    issues: "Avvik",
  },
  status: {
    queued: "i kø",
    running: "pågår",
    succeeded: "fullført",
    failed: "feilet",
    superseded: "erstattet",
    held: "holdt tilbake",
    unchanged: "uendret",
  },
  failed: (code) => `feilet: ${code}`,
  noReport: "ingen rapport",
  progress: (percent, read, size, lines) =>
    `${percent === undefined ? `lest ${read}` : `lest ${percent} % (${read} av ${size})`}, ${lines} linjer`,
  transactionColumns: {
    date: "Dato",
    voucher: "Bilag",
    line: "Linje",
    account: "Konto",
    amount: "Beløp",
    description: "Tekst",
  },
  transactionsTotal: (lines) => `Sum (${lines} ${lines === "1" ? "linje" : "linjer"})`,
  noTransactions: "Ingen transaksjonslinjer",
};

const EN: Labels = {
  notStated: "(not stated)",
  format: "Format",
  company: "Company",
  orgNumber: "org. no.",
  period: "Period",
  currency: "Currency",
  software: "Software",
  account: "Account",
  accountName: "Name",
  opening: "Opening (IB)",
  movement: "Movement",
  closing: "Closing (UB)",
  trialBalanceTotal: (accounts) => `Total trial balance (${accounts} ${accounts === "1" ? "account" : "accounts"})`,
  transactionsSummary: (vouchers, lines, debit, credit) =>
    `Transactions: ${vouchers} ${vouchers === "1" ? "voucher" : "vouchers"} with ${lines} ${lines === "1" ? "line" : "lines"}; debit ${debit}, credit ${credit}`,
  dated: (period) => `; dated ${period}`,
  issueCounts: (errors, warnings, info) =>
    `${errors} ${errors === "1" ? "error" : "errors"}, ${warnings} ${warnings === "1" ? "warning" : "warnings"}, ${info} info`,
  issuesHeading: "Issues",
  severity: { error: "ERROR", warning: "WARNING", info: "INFO" },
  line: "line",
  activeImport: (engagement, importId, source, created) =>
    `Engagement ${engagement}: active import ${importId} (${source}, ${created})`,
  importsTitle: (engagement) => `Imports of engagement ${engagement}, newest first (* active)`,
  noImports: (engagement) => `Engagement ${engagement}: no imports yet`,
  importColumns: {
    import: "Import",
    status: "Status",
    file: "File",
    created: "Created",
    format: "Format",
    counts: "Accounts / vouchers / lines",
    issues: "Issues",
  },
  status: {},
  failed: (code) => `failed: ${code}`,
  noReport: "no report",
  progress: (percent, read, size, lines) =>
    `${percent === undefined ? `read ${read}` : `read ${percent} % (${read} of ${size})`}, ${lines} lines`,
  transactionColumns: {
    date: "Date",
    voucher: "Voucher",
    line: "Line",
    account: "Account",
    amount: "Amount",
    description: "Text",
  },
  transactionsTotal: (lines) => `Total (${lines} ${lines === "1" ? "line" : "lines"})`,
  noTransactions: "No transaction lines",
};

/** The labels of a locale. */
export function labelsFor(locale: Locale): Labels {
  return locale === "nb" ? NB : EN;
}
