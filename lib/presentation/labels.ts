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
  /** The severity column of an error the source plan makes irrelevant to the figures (Issue.unusedByPlan). */
  severityUnusedByPlan: string;
  /** Why such an issue does not affect the figures: `gjelder ikke tallene: inngående balanse hentes fra …`. */
  unusedByPlan: (column: "opening" | "closing", openingFrom: string) => string;
  /** Appended to the issue counts: `, 1 gjelder ikke tallene`. */
  unusedByPlanCount: (count: string) => string;
  line: string;
  activeImport: (engagement: string, importId: string, source: string, created: string) => string;
  /**
   * One part of a source plan, its value (a plan choice: `prior`, `file`, `api`, `none`; `yes`/`no` for `replace`)
   * in words: `Inngående balanse (IB): forrige oppdrags UB (standard) — …`.
   */
  sourcePlanPart: (part: "opening" | "movement" | "replace", value: string, explicit: boolean, from: string) => string;
  /** Where a column's figures come from: the import or the prior engagement (and how its closing was made). */
  figureSource: (source: FigureSourceText) => string;
  /** An import's role (`figures`, `opening`) in words. */
  importRole: (role: string) => string;
  importsTitle: (engagement: string) => string;
  noImports: (engagement: string) => string;
  importColumns: {
    import: string;
    status: string;
    file: string;
    created: string;
    format: string;
    counts: string;
    issues: string;
  };
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
  /** The lines of `saldo upload` and `saldo activate`. */
  upload: UploadLabels;
  /** The lines of `saldo connect` and `saldo sync`. */
  integration: IntegrationLabels;
}

/** The words of `saldo connect` and `saldo sync` (system names and status codes stay as they are). */
export interface IntegrationLabels {
  /** The connection statuses (`ok`, `invalid-key`, `no-access`, `rate-limited`, `unavailable`) in words. */
  connectionStatus: Record<string, string>;
  createdClient: (clientId: string, name: string, orgNumber: string | undefined, system: string) => string;
  systemChanged: (clientId: string, system: string, previous: string) => string;
  storedKey: (system: string, masked: string, clientId: string) => string;
  boundCompany: (companyId: string, name: string) => string;
  connection: (status: string, company: string | undefined) => string;
  missingPrivileges: (privileges: string) => string;
  pickCompany: (companies: string) => string;
  notCreated: (clientId: string) => string;
  syncQueued: (importId: string, system: string, period: string) => string;
  unchanged: (importId: string, asOf: string, requests: string) => string;
  provenance: (company: string, requests: string, fetchedAt: string) => string;
  /** How a sync read (README "Incremental refresh"): full, or only `windows` with the rest kept from `base`. */
  refresh: (mode: "full" | "incremental", windows: string, base: string | undefined, reason: string) => string;
  /** The read mode in the import history's source column. */
  mode: Record<"unchanged" | "incremental" | "full", string>;
  noActiveVersion: string;
}

/** The words of `saldo upload` (and the client and engagement it creates) and `saldo activate`. */
export interface UploadLabels {
  createdClient: (clientId: string, name: string, orgNumber: string | undefined) => string;
  createdYearEnd: (engagementId: string, fiscalYear: string, period: string) => string;
  /** `uploaded F (1,234 bytes in 3 parts) to s3://…`; `parts` 0 is one request. */
  uploaded: (
    fileName: string,
    bytes: string,
    parts: string | undefined,
    resumedParts: string | undefined,
    destination: string,
  ) => string;
  uploading: (fileName: string) => string;
  importing: (fileName: string) => string;
  lines: (lines: string) => string;
  /** `import X succeeded: 11 accounts, 6 transactions, 14 lines` (the status word already translated). */
  importEnded: (
    importId: string,
    status: string,
    counts: { accounts: string; transactions: string; lines: string } | undefined,
  ) => string;
  reason: string;
  /** An import's role, when it is not the figures (`rolle: inngående balanse`). */
  role: string;
  issues: string;
  heldFor: string;
  seeReport: string;
  noFigures: string;
  activateAnyway: string;
  supersededByNewer: string;
  activeUnchanged: string;
  alreadyActive: (importId: string, engagement: string) => string;
  nowActive: (importId: string, engagement: string, previousImportId: string | undefined) => string;
  accepted: (codes: string, by: string) => string;
}

/** A column's source as the text output describes it (the JSON `FigureSource` of lib/imports, plainly). */
export interface FigureSourceText {
  kind: string;
  importId?: string | null | undefined;
  engagementId?: string | null | undefined;
  system?: string | null | undefined;
  column?: string | null | undefined;
  missing?: boolean | undefined;
  /** `prior`: how the prior engagement's closing was made. */
  priorClosing?:
    | {
        closing: string;
        opening: FigureSourceText | null;
        movement: FigureSourceText;
        statedAt: { engagementId: string; importId: string } | null;
      }
    | null
    | undefined;
}

/** A plan choice in words; an unknown code is shown as it is. */
function wordFor(words: Record<string, string>, code: string): string {
  return words[code] ?? code;
}

const NB_SOURCE_KINDS: Record<string, string> = {
  prior: "forrige oppdrags UB",
  file: "fil",
  api: "API",
  none: "ingen",
  yes: "ja",
  no: "nei",
};

function nbFigureSource(source: FigureSourceText): string {
  if (source.missing) return `${wordFor(NB_SOURCE_KINDS, source.kind)}: mangler (ingen import ennå)`;
  const id = source.importId ? ` ${source.importId}` : "";
  switch (source.kind) {
    case "none":
      return "ingen (0)";
    case "prior": {
      const origin = source.priorClosing;
      const base = `UB i oppdrag ${source.engagementId ?? "?"}`;
      if (!origin) return `${base} (import${id})`;
      if (origin.closing === "stated") return `${base} slik import${id} oppgir den`;
      const parts = [
        origin.opening ? `IB fra ${nbFigureSource(origin.opening)}` : undefined,
        `bevegelse fra ${nbFigureSource(origin.movement)}`,
        origin.statedAt
          ? `lenger bak: UB i oppdrag ${origin.statedAt.engagementId} slik import ${origin.statedAt.importId} oppgir den`
          : undefined,
      ].filter((part) => part !== undefined);
      return `${base}, beregnet (${parts.join("; ")})`;
    }
    case "api":
      return `API${source.system ? ` (${source.system})` : ""}, import${id}`;
    default: {
      const column = source.column === "closing" ? " (fjorårets UB)" : source.column === "opening" ? " (IB)" : "";
      return `${wordFor(NB_SOURCE_KINDS, source.kind)}, import${id}${column}`;
    }
  }
}

const EN_SOURCE_KINDS: Record<string, string> = {
  prior: "prior engagement's closing",
  file: "file",
  api: "API",
  none: "none",
  yes: "yes",
  no: "no",
};

function enFigureSource(source: FigureSourceText): string {
  if (source.missing) return `${wordFor(EN_SOURCE_KINDS, source.kind)}: missing (no import yet)`;
  const id = source.importId ? ` ${source.importId}` : "";
  switch (source.kind) {
    case "none":
      return "none (0)";
    case "prior": {
      const origin = source.priorClosing;
      const base = `closing of engagement ${source.engagementId ?? "?"}`;
      if (!origin) return `${base} (import${id})`;
      if (origin.closing === "stated") return `${base} as import${id} states it`;
      const parts = [
        origin.opening ? `opening from ${enFigureSource(origin.opening)}` : undefined,
        `movement from ${enFigureSource(origin.movement)}`,
        origin.statedAt
          ? `further back: the closing of engagement ${origin.statedAt.engagementId} as import ${origin.statedAt.importId} states it`
          : undefined,
      ].filter((part) => part !== undefined);
      return `${base}, computed (${parts.join("; ")})`;
    }
    case "api":
      return `API${source.system ? ` (${source.system})` : ""}, import${id}`;
    default: {
      const column =
        source.column === "closing" ? " (last year's closing)" : source.column === "opening" ? " (opening)" : "";
      return `${wordFor(EN_SOURCE_KINDS, source.kind)}, import${id}${column}`;
    }
  }
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
  severityUnusedByPlan: "MERK",
  unusedByPlan: (column, openingFrom) =>
    column === "opening"
      ? `gjelder ikke tallene: inngående balanse hentes fra ${wordFor(
          { prior: "forrige oppdrag", file: "fil", api: "API", none: "ingen kilde (0)" },
          openingFrom,
        )}`
      : "gjelder ikke tallene: utgående balanse beregnes som inngående balanse + bevegelse",
  unusedByPlanCount: (count) => `, ${count} gjelder ikke tallene`,
  line: "linje",
  activeImport: (engagement, importId, source, created) =>
    `Oppdrag ${engagement}: aktiv import ${importId} (${source}, ${created})`,
  sourcePlanPart: (part, value, explicit, from) =>
    `${{ opening: "Inngående balanse (IB)", movement: "Bevegelse og bilag", replace: "Nyere import erstatter" }[part]}: ` +
    `${wordFor(NB_SOURCE_KINDS, value)} (${explicit ? "valgt" : "standard"})${from ? ` — ${from}` : ""}`,
  figureSource: nbFigureSource,
  importRole: (role) => wordFor({ figures: "tall", opening: "inngående balanse" }, role),
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
  upload: {
    createdClient: (clientId, name, orgNumber) =>
      `opprettet klient ${clientId} (${name}${orgNumber ? `, org.nr. ${orgNumber}` : ""})`,
    createdYearEnd: (engagementId, fiscalYear, period) =>
      `opprettet årsavslutningsoppdrag ${engagementId} (regnskapsår ${fiscalYear}, ${period})`,
    uploaded: (fileName, bytes, parts, resumedParts, destination) =>
      `lastet opp ${fileName} (${bytes} byte${parts === undefined ? "" : ` i ${parts} deler`}` +
      `${resumedParts === undefined ? "" : `, gjenopptatt: ${resumedParts} allerede lagret`}) til ${destination}`,
    uploading: (fileName) => `laster opp ${fileName}`,
    importing: (fileName) => `importerer ${fileName}`,
    lines: (lines) => `${lines} ${lines === "1" ? "linje" : "linjer"}`,
    importEnded: (importId, status, counts) =>
      `import ${importId} ${status}` +
      (counts
        ? `: ${counts.accounts} ${counts.accounts === "1" ? "konto" : "kontoer"}, ${counts.transactions} bilag, ` +
          `${counts.lines} ${counts.lines === "1" ? "linje" : "linjer"}`
        : ""),
    reason: "årsak",
    role: "rolle",
    issues: "avvik",
    heldFor: "holdt tilbake for",
    seeReport: "(se importens rapport)",
    noFigures: "importen har ingen tall og kan ikke aktiveres: rett filen og last den opp igjen",
    activateAnyway: "for å aktivere den likevel",
    supersededByNewer: "en nyere opplasting er oppdragets aktive versjon",
    activeUnchanged: "oppdragets aktive versjon er uendret",
    alreadyActive: (importId, engagement) => `import ${importId} er allerede den aktive versjonen av ${engagement}`,
    nowActive: (importId, engagement, previousImportId) =>
      `import ${importId} er nå den aktive versjonen av ${engagement}` +
      (previousImportId ? ` (den erstatter import ${previousImportId}, som nå er erstattet)` : ""),
    accepted: (codes, by) => `akseptert: ${codes} (av ${by})`,
  },
  integration: {
    connectionStatus: {
      ok: "ok",
      "invalid-key": "ugyldig nøkkel",
      "no-access": "mangler tilgang",
      "rate-limited": "for mange forespørsler",
      unavailable: "utilgjengelig",
    },
    createdClient: (clientId, name, orgNumber, system) =>
      `opprettet klient ${clientId} (${name}${orgNumber ? `, org.nr. ${orgNumber}` : ""}; regnskapssystem ${system})`,
    systemChanged: (clientId, system, previous) =>
      `klient ${clientId} bruker nå regnskapssystemet ${system} (før: ${previous})`,
    storedKey: (system, masked, clientId) => `lagret ${system}-nøkkelen ${masked} for klient ${clientId}`,
    boundCompany: (companyId, name) => `klienten er knyttet til selskap ${companyId} (${name})`,
    connection: (status, company) => `tilkobling: ${status}${company ? ` — ${company}` : ""}`,
    missingPrivileges: (privileges) => `  mangler rettigheter: ${privileges}`,
    pickCompany: (companies) => `nøkkelen når ${companies} selskaper; velg ett med --company:`,
    notCreated: (clientId) => `klient ${clientId} er ikke opprettet og nøkkelen er ikke lagret`,
    syncQueued: (importId, system, period) => `synkronisering ${importId} fra ${system} for ${period} startet`,
    unchanged: (importId, asOf, requests) =>
      `import ${importId} uendret: ingenting er endret siden forrige synkronisering (data per ${asOf}; ${requests} forespørsler)`,
    provenance: (company, requests, fetchedAt) => `  hentet fra ${company}: ${requests} forespørsler, ${fetchedAt}`,
    refresh: (mode, windows, base, reason) =>
      mode === "incremental"
        ? `  inkrementell: hentet ${windows} på nytt, resten fra ${base ?? "forrige versjon"} (${reason})`
        : `  full henting (${reason})`,
    mode: { unchanged: "uendret", incremental: "inkrementell", full: "full" },
    noActiveVersion: "oppdraget har ingen aktiv versjon ennå",
  },
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
  severityUnusedByPlan: "NOTE",
  unusedByPlan: (column, openingFrom) =>
    column === "opening"
      ? `does not affect the figures: the opening balance comes from ${wordFor(
          { prior: "the prior engagement", file: "a file", api: "the API", none: "no source (0)" },
          openingFrom,
        )}`
      : "does not affect the figures: the closing balance is computed as opening + movement",
  unusedByPlanCount: (count) => `, ${count} not affecting the figures`,
  line: "line",
  activeImport: (engagement, importId, source, created) =>
    `Engagement ${engagement}: active import ${importId} (${source}, ${created})`,
  sourcePlanPart: (part, value, explicit, from) =>
    `${{ opening: "Opening balance (IB)", movement: "Movement and transactions", replace: "Newer import replaces" }[part]}: ` +
    `${wordFor(EN_SOURCE_KINDS, value)} (${explicit ? "chosen" : "default"})${from ? ` — ${from}` : ""}`,
  figureSource: enFigureSource,
  importRole: (role) => wordFor({ figures: "figures", opening: "opening balance" }, role),
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
  upload: {
    createdClient: (clientId, name, orgNumber) =>
      `created client ${clientId} (${name}${orgNumber ? `, org. no. ${orgNumber}` : ""})`,
    createdYearEnd: (engagementId, fiscalYear, period) =>
      `created year-end engagement ${engagementId} (fiscal year ${fiscalYear}, ${period})`,
    uploaded: (fileName, bytes, parts, resumedParts, destination) =>
      `uploaded ${fileName} (${bytes} bytes${parts === undefined ? "" : ` in ${parts} parts`}` +
      `${resumedParts === undefined ? "" : `, resumed: ${resumedParts} already stored`}) to ${destination}`,
    uploading: (fileName) => `uploading ${fileName}`,
    importing: (fileName) => `importing ${fileName}`,
    lines: (lines) => `${lines} ${lines === "1" ? "line" : "lines"}`,
    importEnded: (importId, status, counts) =>
      `import ${importId} ${status}` +
      (counts
        ? `: ${counts.accounts} ${counts.accounts === "1" ? "account" : "accounts"}, ` +
          `${counts.transactions} ${counts.transactions === "1" ? "transaction" : "transactions"}, ` +
          `${counts.lines} ${counts.lines === "1" ? "line" : "lines"}`
        : ""),
    reason: "reason",
    role: "role",
    issues: "issues",
    heldFor: "held for",
    seeReport: "(see the import's report)",
    noFigures: "it has no figures and cannot be activated: fix the file and upload it again",
    activateAnyway: "to activate it anyway",
    supersededByNewer: "a newer upload is the active version of this engagement",
    activeUnchanged: "the engagement's active version stays as it was",
    alreadyActive: (importId, engagement) => `import ${importId} already is the active version of ${engagement}`,
    nowActive: (importId, engagement, previousImportId) =>
      `import ${importId} is now the active version of ${engagement}` +
      (previousImportId ? ` (it replaces import ${previousImportId}, now superseded)` : ""),
    accepted: (codes, by) => `accepted: ${codes} (by ${by})`,
  },
  integration: {
    connectionStatus: {},
    createdClient: (clientId, name, orgNumber, system) =>
      `created client ${clientId} (${name}${orgNumber ? `, org. no. ${orgNumber}` : ""}; accounting system ${system})`,
    systemChanged: (clientId, system, previous) =>
      `client ${clientId} now uses the accounting system ${system} (was: ${previous})`,
    storedKey: (system, masked, clientId) => `stored the ${system} key ${masked} for client ${clientId}`,
    boundCompany: (companyId, name) => `the client is bound to company ${companyId} (${name})`,
    connection: (status, company) => `connection: ${status}${company ? ` — ${company}` : ""}`,
    missingPrivileges: (privileges) => `  missing privileges: ${privileges}`,
    pickCompany: (companies) => `the key reaches ${companies} companies; pick one with --company:`,
    notCreated: (clientId) => `client ${clientId} was not created and the key was not stored`,
    syncQueued: (importId, system, period) => `sync ${importId} from ${system} for ${period} started`,
    unchanged: (importId, asOf, requests) =>
      `import ${importId} unchanged: nothing changed since the last sync (data as of ${asOf}; ${requests} requests)`,
    provenance: (company, requests, fetchedAt) => `  read from ${company}: ${requests} requests, ${fetchedAt}`,
    refresh: (mode, windows, base, reason) =>
      mode === "incremental"
        ? `  incremental: read ${windows} again, the rest kept from ${base ?? "the previous version"} (${reason})`
        : `  full read (${reason})`,
    mode: { unchanged: "unchanged", incremental: "incremental", full: "full" },
    noActiveVersion: "the engagement has no active version yet",
  },
};

/** The labels of a locale. */
export function labelsFor(locale: Locale): Labels {
  return locale === "nb" ? NB : EN;
}
