import { describe, expect, it } from "vitest";
import { renderImports } from "../../../lib/cli/importsCommand.ts";
import { renderSummary } from "../../../lib/cli/renderSummary.ts";
import { renderHeld, renderImportEnded } from "../../../lib/cli/uploadCommand.ts";
import { toIssueJson } from "../../../lib/ledger/ledgerJson.ts";
import type { LedgerSummary } from "../../../lib/ledger/summarizeLedger.ts";
import { toImportSummaryJson } from "../../../lib/imports/importReports.ts";
import type { ImportRun } from "../../../lib/imports/types.ts";
import { importRun } from "../store/storeFixtures.ts";

const ref = { tenantId: "firm", clientId: "acme", engagementId: "2025" };
const counts = {
  accounts: 1_234,
  transactions: 1,
  lines: 12_345,
  totals: { opening: "0.00", movement: "0.00", closing: "0.00" },
  issues: { error: 0, warning: 2, info: 1 },
};
const ended = (run: ImportRun) => toImportSummaryJson(run, undefined);

describe("the text of saldo upload", () => {
  it("says how the import ended in Norwegian by default: status word, grouped counts, issue counts", () => {
    const run: ImportRun = { ...importRun(ref, { importId: "imp1" }), status: "succeeded", counts };
    expect(renderImportEnded(run, ended(run))).toBe(
      "import imp1 fullført: 1\u00a0234 kontoer, 1 bilag, 12\u00a0345 linjer\n  avvik: 0 feil, 2 advarsler, 1 til informasjon\n",
    );
    expect(renderImportEnded(run, ended(run), "en")).toBe(
      "import imp1 succeeded: 1,234 accounts, 1 transaction, 12,345 lines\n  issues: 0 errors, 2 warnings, 1 info\n",
    );
  });

  it("names a failure's code and message, and says when there is no report", () => {
    const run: ImportRun = {
      ...importRun(ref, { importId: "imp2" }),
      status: "failed",
      failure: { code: "FORMAT_TRUNCATED", message: "the file ends inside <Account>" },
    };
    expect(renderImportEnded(run, ended(run))).toBe(
      "import imp2 feilet\n  årsak: FORMAT_TRUNCATED: the file ends inside <Account>\n  avvik: ingen rapport\n",
    );
    expect(renderImportEnded(run, ended(run), "en")).toContain("import imp2 failed\n  reason: FORMAT_TRUNCATED: ");
  });

  it("gives a parser's failure in bokmål, saying where in the file it is (English with en)", () => {
    const message = "hovedbok.xml:40:7: the input ends inside <Account> (expected </Account>)";
    const run: ImportRun = {
      ...importRun(ref, { importId: "imp4" }),
      status: "failed",
      failure: { code: "FORMAT_TRUNCATED", message },
    };
    expect(renderImportEnded(run, ended(run))).toBe(
      "import imp4 feilet\n  årsak: Filen «hovedbok.xml», linje 40, posisjon 7: filen slutter før den er komplett (the input ends inside <Account>; ventet: </Account>). Eksporter filen på nytt fra regnskapssystemet og prøv igjen. (FORMAT_TRUNCATED)\n  avvik: ingen rapport\n",
    );
    expect(renderImportEnded(run, ended(run), "en")).toBe(
      `import imp4 failed\n  reason: FORMAT_TRUNCATED: ${message}\n  issues: no report\n`,
    );
  });

  it("lists why each failed import failed under the import table, in the locale", () => {
    const message = "hovedbok.xml:40:7: the input ends inside <Account> (expected </Account>)";
    const failed: ImportRun = {
      ...importRun(ref, { importId: "imp5" }),
      status: "failed",
      failure: { code: "FORMAT_TRUNCATED", message },
    };
    const good: ImportRun = { ...importRun(ref, { importId: "imp6" }), status: "succeeded", counts };
    const listing = [toImportSummaryJson(failed, "imp6"), toImportSummaryJson(good, "imp6")];
    const nb = renderImports("firm/acme/2025", listing).split("\n");
    expect(nb[2]).toMatch(/^ {2}imp5\s+feilet\s+hovedbok\.xml.*feilet: FORMAT_TRUNCATED$/);
    expect(nb.slice(4)).toEqual([
      "",
      "  imp5 årsak: Filen «hovedbok.xml», linje 40, posisjon 7: filen slutter før den er komplett (the input ends inside <Account>; ventet: </Account>). Eksporter filen på nytt fra regnskapssystemet og prøv igjen. (FORMAT_TRUNCATED)",
      "",
    ]);
    const en = renderImports("firm/acme/2025", listing, "en").split("\n");
    expect(en.slice(4)).toEqual(["", `  imp5 reason: FORMAT_TRUNCATED: ${message}`, ""]);
    expect(renderImports("firm/acme/2025", [listing[1]!])).not.toContain("årsak");
  });

  it("explains a held import and how to accept its reasons, in the locale's words (codes and commands unchanged)", () => {
    const run: ImportRun = {
      ...importRun(ref, { importId: "imp3" }),
      status: "held",
      heldFor: ["CURRENCY_MISMATCH"],
      issues: [{ severity: "warning", code: "CURRENCY_MISMATCH", message: "the file's figures are in SEK" }],
    };
    const command =
      "saldo activate --tenant firm --client acme --engagement 2025 --import imp3 --accept CURRENCY_MISMATCH";
    expect(renderHeld(run, ref)).toBe(
      `  holdt tilbake for: CURRENCY_MISMATCH\n  - CURRENCY_MISMATCH: the file's figures are in SEK\n  for å aktivere den likevel: ${command}\n`,
    );
    expect(renderHeld(run, ref, "en")).toBe(
      `  held for: CURRENCY_MISMATCH\n  - CURRENCY_MISMATCH: the file's figures are in SEK\n  to activate it anyway: ${command}\n`,
    );
  });
});

describe("issues the source plan makes irrelevant to the figures (Issue.unusedByPlan)", () => {
  const unbalanced = {
    severity: "error" as const,
    code: "OPENING_NOT_BALANCED",
    message: "the opening balances sum to -893760.36, not 0.00",
    unusedByPlan: { column: "opening" as const, openingFrom: "prior" as const },
  };

  it("counts them apart from the errors, and names the opening role", () => {
    const run: ImportRun = {
      ...importRun(ref, { importId: "imp9" }),
      status: "succeeded",
      role: "opening",
      counts: { ...counts, issues: { error: 1, warning: 0, info: 0 } },
      issues: [unbalanced],
    };
    expect(renderImportEnded(run, ended(run))).toBe(
      "import imp9 fullført: 1\u00a0234 kontoer, 1 bilag, 12\u00a0345 linjer\n  rolle: inngående balanse\n" +
        "  avvik: 0 feil, 0 advarsler, 0 til informasjon, 1 gjelder ikke tallene\n",
    );
    expect(renderImportEnded(run, ended(run), "en")).toContain(
      "  role: opening balance\n  issues: 0 errors, 0 warnings, 0 info, 1 not affecting the figures\n",
    );
  });

  it("shows them in the report as not affecting the figures, with where the figures come from instead", () => {
    const summary: LedgerSummary = {
      header: { format: "tripletex", formatVersion: "v2", encoding: "json", company: {}, currency: "NOK" },
      rows: [],
      totals: { opening: 0n, movement: 0n, closing: 0n },
      transactions: { count: 0, lines: 0, totalDebit: 0n, totalCredit: 0n },
      parties: { customers: 0, suppliers: 0 },
      issues: [unbalanced, { severity: "error", code: "CLOSING_MISMATCH", message: "…" }],
    };
    const text = renderSummary(summary, "tripletex");
    expect(text).toContain("Avvik: 1 feil, 0 advarsler, 0 til informasjon, 1 gjelder ikke tallene");
    expect(text).toContain(
      "  MERK     OPENING_NOT_BALANCED: the opening balances sum to -893760.36, not 0.00 " +
        "(gjelder ikke tallene: inngående balanse hentes fra forrige oppdrag)",
    );
    expect(text).toContain("  FEIL     CLOSING_MISMATCH: …\n");
    expect(renderSummary(summary, "tripletex", "en")).toContain(
      "(does not affect the figures: the opening balance comes from the prior engagement)",
    );
    // The JSON keeps the code and marks it.
    expect(toIssueJson(unbalanced)).toMatchObject({
      severity: "error",
      code: "OPENING_NOT_BALANCED",
      affectsFigures: false,
      unusedByPlan: { column: "opening", openingFrom: "prior" },
    });
    expect(toIssueJson({ severity: "error", code: "CLOSING_MISMATCH", message: "…" })).not.toHaveProperty(
      "affectsFigures",
    );
  });
});
