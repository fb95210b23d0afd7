import { describe, expect, it } from "vitest";
import { renderReconciliationText } from "../../../lib/cli/reconcileCommand.ts";
import type { ReconciliationJson } from "../../../lib/reconcile/reconciliationJson.ts";

const WRONG_IB: ReconciliationJson = {
  status: "differences",
  count: 1,
  total: "893760.36",
  missing: [],
  computedAt: "2026-12-04T20:36:00.000Z",
  differences: [
    {
      code: "OPENING_API_DIFFERS",
      account: "2050",
      name: "Annen egenkapital",
      amount: "893760.36",
      sources: [
        {
          kind: "api",
          importId: "01API",
          engagementId: null,
          system: "tripletex",
          format: "tripletex",
          figure: "-6217.54",
        },
        { kind: "prior", importId: "01PRIOR", engagementId: "2024", system: null, format: null, figure: "-899977.90" },
      ],
      hint: "RESULT_NOT_MOVED_TO_EQUITY",
      message: "…",
    },
  ],
};

describe("saldo reconcile's text", () => {
  it("says the status, how many and how much in Norwegian figures, and each difference with its hint in words", () => {
    const text = renderReconciliationText(WRONG_IB, "demo/havbris/2025", "nb");
    const lines = text.split("\n");
    // The time as the machine's clock shows it (TZ): 04.12.2026 21:36 in Oslo, 05.12.2026 10:36 on Kiritimati.
    const at = new Date(WRONG_IB.computedAt);
    const two = (value: number) => String(value).padStart(2, "0");
    const local = `${two(at.getDate())}.${two(at.getMonth() + 1)}.${at.getFullYear()} ${two(at.getHours())}:${two(at.getMinutes())}`;
    expect(lines[0]!.replace(/\s/g, " ")).toBe(
      `Avstemming av demo/havbris/2025: avvik (1 avvik, 893 760,36 i alt) — beregnet ${local}`,
    );
    expect(text).toMatch(/Kode\s+Konto\s+Kontonavn\s+Beløp\s+Sammenlignet\s+Mulig forklaring/);
    const row = lines.find((line) => line.startsWith("OPENING_API_DIFFERS"))!;
    expect(row).toContain("2050");
    expect(row.replace(/\s/g, " ")).toContain("893 760,36");
    expect(row.replace(/\s/g, " ")).toContain("tripletex 01API: −6 217,54 / forrige oppdrags UB 2024: −899 977,90");
    expect(row).toContain("fjorårets resultat er ikke overført til egenkapitalen");
  });

  it("in English with --locale en, and names a missing source", () => {
    const text = renderReconciliationText(
      {
        ...WRONG_IB,
        status: "incomplete",
        count: 1,
        total: "0.00",
        missing: [{ part: "opening", kind: "prior" }],
        differences: [
          {
            code: "SOURCE_MISSING",
            account: null,
            name: null,
            amount: null,
            sources: [{ kind: "prior", importId: null, engagementId: null, system: null, format: null, figure: null }],
            hint: null,
            message: "…",
          },
        ],
      },
      "t/c/e",
      "en",
    );
    expect(text).toContain("Reconciliation of t/c/e: incomplete (1 difference, 0.00 in all)");
    expect(text).toContain("source missing: the opening balance should come from prior engagement's closing");
    expect(text).toMatch(/^SOURCE_MISSING/m);
  });
});
