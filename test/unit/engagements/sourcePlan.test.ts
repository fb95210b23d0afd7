import { describe, expect, it } from "vitest";
import { isConnected, movementSourceOf, resolveSourcePlan, slotOfImport } from "../../../lib/engagements/sourcePlan.ts";

const slot = (importId: string) => ({ importId, orderKey: "k" });

describe("resolveSourcePlan: the default plan", () => {
  it("opens from the prior closing when the client has one, whatever imports the engagement has", () => {
    const plan = resolveSourcePlan(
      { sources: { file: slot("F"), api: slot("A"), opening: slot("O") } },
      { hasPriorClosing: true, connected: true },
    );
    expect(plan).toEqual({
      opening: "prior",
      movement: "api",
      replace: true,
      chosenBy: { opening: "default", movement: "default", replace: "default" },
    });
  });

  it("opens from a file when there is no prior closing and the engagement has an opening-role or file import", () => {
    expect(
      resolveSourcePlan({ sources: { opening: slot("O") } }, { hasPriorClosing: false, connected: true }).opening,
    ).toBe("file");
    expect(
      resolveSourcePlan({ sources: { file: slot("F") } }, { hasPriorClosing: false, connected: false }).opening,
    ).toBe("file");
  });

  it("opens from the API when there is neither a prior closing nor a file, and the client is connected", () => {
    expect(resolveSourcePlan({}, { hasPriorClosing: false, connected: true }).opening).toBe("api");
    expect(
      resolveSourcePlan({ sources: { api: slot("A") } }, { hasPriorClosing: false, connected: false }).opening,
    ).toBe("api");
    expect(resolveSourcePlan({}, { hasPriorClosing: false, connected: false }).opening).toBe("file");
  });

  it("takes the movement from the API when connected, else from files, falling back to the slot that has an import", () => {
    expect(movementSourceOf(undefined, {}, true)).toBe("api");
    expect(movementSourceOf(undefined, {}, false)).toBe("file");
    expect(movementSourceOf(undefined, { file: slot("F") }, true)).toBe("file");
    expect(movementSourceOf(undefined, { api: slot("A") }, false)).toBe("api");
    expect(movementSourceOf(undefined, { file: slot("F"), api: slot("A") }, true)).toBe("api");
    expect(movementSourceOf(undefined, { file: slot("F"), api: slot("A") }, false)).toBe("file");
  });

  it("keeps what a person chose, even a source the engagement has no import for, and says so", () => {
    const plan = resolveSourcePlan(
      { sourcePlan: { opening: "none", movement: "api", replace: false }, sources: { file: slot("F") } },
      { hasPriorClosing: true, connected: false },
    );
    expect(plan).toEqual({
      opening: "none",
      movement: "api",
      replace: false,
      chosenBy: { opening: "explicit", movement: "explicit", replace: "explicit" },
    });
    expect(
      resolveSourcePlan({ sourcePlan: { opening: "file" } }, { hasPriorClosing: true, connected: true }).chosenBy,
    ).toEqual({ opening: "explicit", movement: "default", replace: "default" });
  });
});

describe("slots and connection", () => {
  it("puts an opening-role import in the opening slot, every other import in the slot of its source", () => {
    expect(slotOfImport({ role: "opening", source: { type: "file" } })).toBe("opening");
    expect(slotOfImport({ role: "figures", source: { type: "file" } })).toBe("file");
    expect(slotOfImport({ source: { type: "api" } })).toBe("api");
  });

  it("counts a client as connected when an integration is recorded for its own accounting system", () => {
    expect(isConnected({ accountingSystem: "tripletex", integrations: { tripletex: {} } })).toBe(true);
    expect(isConnected({ accountingSystem: "tripletex", integrations: { "poweroffice-go": {} } })).toBe(false);
    expect(isConnected({ accountingSystem: "other" })).toBe(false);
    expect(isConnected(undefined)).toBe(false);
  });
});
