import { describe, expect, it } from "vitest";
import { labelsFor, type FigureSourceText } from "../../../lib/presentation/labels.ts";

/*
 * The words of the source plan's text (saldo trial-balance, saldo source-plan, saldo sync): every source kind, plan
 * choice and role in bokmål by default and in English with --locale en; the JSON keeps the codes.
 */

const priorComposed: FigureSourceText = {
  kind: "prior",
  importId: "SYNC24",
  engagementId: "2024",
  system: "tripletex",
  column: "closing",
  missing: false,
  priorClosing: {
    closing: "composed",
    opening: { kind: "file", importId: "IB24", column: "closing", missing: false },
    movement: { kind: "api", importId: "SYNC24", system: "tripletex", missing: false },
    statedAt: null,
  },
};

describe("the source plan's words", () => {
  const nb = labelsFor("nb");
  const en = labelsFor("en");

  it("names the prior engagement's composed closing and what it came from, in Norwegian", () => {
    expect(nb.sourcePlanPart("opening", "prior", false, nb.figureSource(priorComposed))).toBe(
      "Inngående balanse (IB): forrige oppdrags UB (standard) — UB i oppdrag 2024, beregnet " +
        "(IB fra fil, import IB24 (fjorårets UB); bevegelse fra API (tripletex), import SYNC24)",
    );
    expect(en.sourcePlanPart("opening", "prior", false, en.figureSource(priorComposed))).toBe(
      "Opening balance (IB): prior engagement's closing (default) — closing of engagement 2024, computed " +
        "(opening from file, import IB24 (last year's closing); movement from API (tripletex), import SYNC24)",
    );
  });

  it("says where the chain stopped, and a closing taken as its import states it", () => {
    const bounded = {
      ...priorComposed,
      priorClosing: { ...priorComposed.priorClosing!, statedAt: { engagementId: "2015", importId: "F15" } },
    };
    expect(nb.figureSource(bounded)).toContain("lenger bak: UB i oppdrag 2015 slik import F15 oppgir den");
    expect(
      nb.figureSource({
        ...priorComposed,
        priorClosing: { ...priorComposed.priorClosing!, closing: "stated", opening: null },
      }),
    ).toBe("UB i oppdrag 2024 slik import SYNC24 oppgir den");
  });

  it("has a Norwegian word for every kind, choice and role, and no English code left in the text", () => {
    const kinds = ["prior", "file", "api", "none"];
    const nbText = [
      ...kinds.map((kind) => nb.sourcePlanPart("opening", kind, true, "")),
      nb.sourcePlanPart("replace", "yes", false, ""),
      nb.sourcePlanPart("replace", "no", true, ""),
      ...kinds.map((kind) => nb.figureSource({ kind, missing: true })),
      nb.figureSource({ kind: "none" }),
      nb.figureSource({ kind: "file", importId: "F1", column: "opening" }),
      nb.importRole("opening"),
      nb.importRole("figures"),
    ];
    expect(nbText).toEqual([
      "Inngående balanse (IB): forrige oppdrags UB (valgt)",
      "Inngående balanse (IB): fil (valgt)",
      "Inngående balanse (IB): API (valgt)",
      "Inngående balanse (IB): ingen (valgt)",
      "Nyere import erstatter: ja (standard)",
      "Nyere import erstatter: nei (valgt)",
      "forrige oppdrags UB: mangler (ingen import ennå)",
      "fil: mangler (ingen import ennå)",
      "API: mangler (ingen import ennå)",
      "ingen: mangler (ingen import ennå)",
      "ingen (0)",
      "fil, import F1 (IB)",
      "inngående balanse",
      "tall",
    ]);
    for (const text of nbText) expect(text).not.toMatch(/\b(prior|file|none|yes|no|default|missing|engagement)\b/);
    expect(en.sourcePlanPart("replace", "no", false, "")).toBe("Newer import replaces: no (default)");
    expect(en.importRole("opening")).toBe("opening balance");
  });
});
