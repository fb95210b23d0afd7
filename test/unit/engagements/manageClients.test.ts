import { describe, expect, it } from "vitest";
import {
  EngagementConflictError,
  ClientNotFoundError,
  EngagementNotFoundError,
  InvalidEngagementInputError,
} from "../../../lib/engagements/errors.ts";
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  updateClient,
} from "../../../lib/engagements/manageClients.ts";
import { isValidOrgNumber, normalizeOrgNumber } from "../../../lib/ids/orgNumber.ts";
import {
  createEngagement,
  engagementPeriod,
  getEngagement,
  listEngagements,
} from "../../../lib/engagements/manageEngagements.ts";
import { createInMemoryStores } from "../../../lib/store/createInMemoryStores.ts";
import type { KeyRef } from "../../../lib/secrets/types.ts";

const now = () => new Date("2026-01-15T10:00:00.000Z");
let counter = 0;
const newId = () => `ID${String(++counter).padStart(4, "0")}`;

function setup() {
  const stores = createInMemoryStores();
  const deleted: KeyRef[] = [];
  const keys = { delete: async (ref: KeyRef) => (deleted.push(ref), true) };
  return { stores, keys, deleted, deps: { ...stores, now, newId } };
}

describe("organisation numbers (9 digits, mod 11 with weights 3,2,7,6,5,4,3,2)", () => {
  it("accepts organisation numbers whose check digit matches", () => {
    // Brønnøysundregistrene 974760673 and the demo company 923609016 (3·9+2·2+7·3+6·6+5·0+4·9+3·0+2·1 = 126,
    // 126 mod 11 = 5, 11 − 5 = 6); 000000000: sum 0, 11 − 0 = 11 → check digit 0.
    for (const number of ["974760673", "923609016", "000000000"]) expect(isValidOrgNumber(number)).toBe(true);
  });

  it("refuses a wrong check digit, other lengths and non-digits", () => {
    for (const number of ["974760672", "97476067", "9747606730", "97476067a", " 974760673"])
      expect(isValidOrgNumber(number)).toBe(false);
  });

  it("refuses every number of a prefix whose check digit would be 10", () => {
    // 40000000: 3·4 = 12, 12 mod 11 = 1, 11 − 1 = 10: no valid organisation number starts so.
    for (let digit = 0; digit <= 9; digit++) expect(isValidOrgNumber(`40000000${digit}`)).toBe(false);
  });
});

describe("organisation numbers as people write them", () => {
  it("normalises spaces, dots, dashes and the VAT register's NO … MVA to the 9 digits", () => {
    for (const written of [
      "923609016",
      "923 609 016",
      "923.609.016",
      "923-609-016",
      "NO 923 609 016 MVA",
      "no923609016mva",
      "923\u00a0609\u00a0016",
      " 923609016 ",
    ]) {
      expect(normalizeOrgNumber(written)).toBe("923609016");
    }
  });

  it("refuses what is not 9 digits with a valid check digit after that", () => {
    for (const written of [
      "923 609 017",
      "92360901",
      "5566778899",
      "556677-8899",
      "SE 923609016",
      "923609016 AS",
      "",
      "NO MVA",
    ]) {
      expect(normalizeOrgNumber(written)).toBeUndefined();
    }
  });
});

describe("client use cases", () => {
  it("stores the organisation number in its one form, so decorated duplicates are duplicates", async () => {
    const { deps } = setup();
    const client = await createClient(deps, {
      tenantId: "t",
      orgNumber: "NO 923 609 016 MVA",
      name: " Fjellbekk ",
      accountingSystem: "other",
    });
    expect(client).toMatchObject({ orgNumber: "923609016", name: "Fjellbekk" });
    await expect(
      createClient(deps, { tenantId: "t", orgNumber: "923.609.016", name: "Again", accountingSystem: "other" }),
    ).rejects.toMatchObject({
      code: "ORG_NUMBER_TAKEN",
      message: `client "${client.clientId}" already has organisation number 923609016`,
    });
  });

  it("moves the number with an update and frees it on delete", async () => {
    const { deps, stores, keys } = setup();
    const a = await createClient(deps, { tenantId: "t", orgNumber: "923609016", name: "A", accountingSystem: "other" });
    await updateClient(deps, { tenantId: "t", clientId: a.clientId }, { orgNumber: "974 760 673" });
    expect(await getClient(deps, { tenantId: "t", clientId: a.clientId })).toMatchObject({ orgNumber: "974760673" });
    const b = await createClient(deps, { tenantId: "t", orgNumber: "923609016", name: "B", accountingSystem: "other" });
    await expect(
      updateClient(deps, { tenantId: "t", clientId: b.clientId }, { orgNumber: "974760673" }),
    ).rejects.toMatchObject({
      code: "ORG_NUMBER_TAKEN",
    });
    await deleteClient({ ...stores, keys, now }, { tenantId: "t", clientId: a.clientId });
    await expect(
      updateClient(deps, { tenantId: "t", clientId: b.clientId }, { orgNumber: "974760673" }),
    ).resolves.toMatchObject({
      orgNumber: "974760673",
    });
  });

  it("creates a client under a chosen id once, and never again under a deleted client's id", async () => {
    const { deps, stores, keys } = setup();
    const chosen = await createClient(deps, {
      tenantId: "t",
      clientId: "acme",
      name: "Acme AS",
      accountingSystem: "other",
    });
    expect(chosen).toMatchObject({ clientId: "acme", name: "Acme AS" });
    expect(chosen.orgNumber).toBeUndefined();
    await expect(
      createClient(deps, { tenantId: "t", clientId: "acme", name: "Acme AS", accountingSystem: "other" }),
    ).rejects.toMatchObject({
      code: "ID_TAKEN",
      message: 'a client with id "acme" already exists',
    });
    await deleteClient({ ...stores, keys, now }, { tenantId: "t", clientId: "acme" });
    await expect(
      createClient(deps, { tenantId: "t", clientId: "acme", name: "Acme AS", accountingSystem: "other" }),
    ).rejects.toMatchObject({
      code: "ID_TAKEN",
      message: 'client "acme" was deleted; its id cannot be used for a new client',
    });
    await expect(
      createClient(deps, { tenantId: "t", clientId: "../x", name: "X", accountingSystem: "other" }),
    ).rejects.toBeInstanceOf(InvalidEngagementInputError);
  });

  it("creates a client with a generated id and timestamps", async () => {
    const { deps } = setup();
    const client = await createClient(deps, {
      tenantId: "t",
      orgNumber: "923609016",
      name: "Fjellbekk",
      accountingSystem: "other",
    });
    expect(client).toMatchObject({
      tenantId: "t",
      clientId: expect.stringMatching(/^ID\d{4}$/),
      createdAt: now().toISOString(),
    });
    expect(await getClient(deps, { tenantId: "t", clientId: client.clientId })).toEqual(client);
  });

  it("refuses a second live client with the same organisation number of the same tenant only", async () => {
    const { deps } = setup();
    await createClient(deps, { tenantId: "t", orgNumber: "923609016", name: "A", accountingSystem: "other" });
    await expect(
      createClient(deps, { tenantId: "t", orgNumber: "923609016", name: "B", accountingSystem: "other" }),
    ).rejects.toBeInstanceOf(EngagementConflictError);
    await expect(
      createClient(deps, { tenantId: "u", orgNumber: "923609016", name: "B", accountingSystem: "other" }),
    ).resolves.toMatchObject({
      tenantId: "u",
      orgNumber: "923609016",
      name: "B",
    });
  });

  it("refuses an invalid organisation number even when called without the API's schema", async () => {
    const { deps } = setup();
    await expect(
      createClient(deps, { tenantId: "t", orgNumber: "923609017", name: "A", accountingSystem: "other" }),
    ).rejects.toBeInstanceOf(InvalidEngagementInputError);
  });

  it("lists by name, updates, and soft-deletes (removing the client's integration keys)", async () => {
    const { deps, keys, deleted, stores } = setup();
    const b = await createClient(deps, {
      tenantId: "t",
      orgNumber: "923609016",
      name: "Beta",
      accountingSystem: "other",
    });
    const a = await createClient(deps, {
      tenantId: "t",
      orgNumber: "974760673",
      name: "Alfa",
      accountingSystem: "tripletex",
    });
    expect((await listClients(deps, "t")).map((client) => client.name)).toEqual(["Alfa", "Beta"]);
    const updated = await updateClient(deps, { tenantId: "t", clientId: b.clientId }, { name: "Beta AS" });
    expect(updated).toMatchObject({ name: "Beta AS", orgNumber: "923609016" });
    await deleteClient({ ...stores, keys, now }, { tenantId: "t", clientId: a.clientId });
    expect(deleted.map((ref) => ref.system).sort()).toEqual(["poweroffice-go", "tripletex"]);
    expect((await listClients(deps, "t")).map((client) => client.name)).toEqual(["Beta AS"]);
    await expect(getClient(deps, { tenantId: "t", clientId: a.clientId })).rejects.toBeInstanceOf(ClientNotFoundError);
    expect((await stores.engagementStore.getClient({ tenantId: "t", clientId: a.clientId }))?.deletedAt).toBe(
      now().toISOString(),
    );
  });

  it("does not find another tenant's client", async () => {
    const { deps } = setup();
    const client = await createClient(deps, {
      tenantId: "t",
      orgNumber: "923609016",
      name: "A",
      accountingSystem: "other",
    });
    await expect(getClient(deps, { tenantId: "other", clientId: client.clientId })).rejects.toBeInstanceOf(
      ClientNotFoundError,
    );
  });
});

describe("engagement use cases", () => {
  it("a year-end engagement covers 1 January – 31 December; a period-end one its dates", () => {
    expect(engagementPeriod({ kind: "year-end", fiscalYear: 2025 })).toEqual({
      fiscalYear: 2025,
      periodStart: "2025-01-01",
      periodEnd: "2025-12-31",
    });
    expect(engagementPeriod({ kind: "period-end", periodStart: "2025-04-01", periodEnd: "2025-06-30" })).toEqual({
      fiscalYear: 2025,
      periodStart: "2025-04-01",
      periodEnd: "2025-06-30",
    });
  });

  /** Stores with one client of tenant "t"; `ref` is the client. */
  const setupClient = async () => {
    const { deps } = setup();
    const client = await createClient(deps, {
      tenantId: "t",
      orgNumber: "923609016",
      name: "A",
      accountingSystem: "other",
    });
    return { deps, ref: { tenantId: "t", clientId: client.clientId } };
  };

  it("creates, lists newest period first, and refuses a duplicate period", async () => {
    const { deps, ref } = await setupClient();
    await createEngagement(deps, ref, { kind: "year-end", fiscalYear: 2024 });
    const q1 = await createEngagement(deps, ref, {
      kind: "period-end",
      periodStart: "2025-01-01",
      periodEnd: "2025-03-31",
    });
    expect((await listEngagements(deps, ref)).map((engagement) => engagement.periodStart)).toEqual([
      "2025-01-01",
      "2024-01-01",
    ]);
    await expect(createEngagement(deps, ref, { kind: "year-end", fiscalYear: 2024 })).rejects.toMatchObject({
      code: "ENGAGEMENT_EXISTS",
    });
    expect(await getEngagement(deps, { ...ref, engagementId: q1.engagementId })).toMatchObject({
      kind: "period-end",
      fiscalYear: 2025,
    });
    await expect(getEngagement(deps, { ...ref, engagementId: "nope" })).rejects.toBeInstanceOf(EngagementNotFoundError);
  });

  it("of two simultaneous creations of one period, creates one and refuses the other with ENGAGEMENT_EXISTS naming it", async () => {
    const { deps, ref } = await setupClient();
    // Both read the client's engagements before either writes: only the store's period marker can tell them apart.
    const outcomes = await Promise.allSettled([
      createEngagement(deps, ref, { kind: "year-end", fiscalYear: 2025 }),
      createEngagement(deps, ref, { kind: "year-end", fiscalYear: 2025 }),
    ]);
    const created = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    const refused = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      code: "ENGAGEMENT_EXISTS",
      context: { engagementId: created[0]!.engagementId },
    });
    expect(await listEngagements(deps, ref)).toHaveLength(1);
  });

  it("refuses a period that ends before it starts, and engagements of unknown clients", async () => {
    const { deps } = setup();
    await expect(
      createEngagement(deps, { tenantId: "t", clientId: "nope" }, { kind: "year-end", fiscalYear: 2025 }),
    ).rejects.toBeInstanceOf(ClientNotFoundError);
    const client = await createClient(deps, {
      tenantId: "t",
      orgNumber: "923609016",
      name: "A",
      accountingSystem: "other",
    });
    await expect(
      createEngagement(
        deps,
        { tenantId: "t", clientId: client.clientId },
        { kind: "period-end", periodStart: "2025-02-01", periodEnd: "2025-01-31" },
      ),
    ).rejects.toBeInstanceOf(InvalidEngagementInputError);
  });
});
