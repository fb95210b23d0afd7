import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { InvalidKeyRefError, InvalidKeyValueError, KeyNotFoundError } from "../../../lib/secrets/errors.ts";
import type { KeyVault } from "../../../lib/secrets/ports.ts";
import { Secret } from "../../../lib/secrets/Secret.ts";
import type { KeyRef } from "../../../lib/secrets/types.ts";

/** A pinned clock the vault reads for `updatedAt`; tests move it forward. */
export class TestClock {
  #time = Date.parse("2026-03-01T09:00:00.000Z");
  readonly now = () => new Date(this.#time);
  advance(seconds: number): void {
    this.#time += seconds * 1000;
  }
}

const POWEROFFICE: KeyRef<"poweroffice-go"> = {
  tenantId: "acme-regnskap",
  clientId: "fjellbekk",
  system: "poweroffice-go",
};
const TRIPLETEX: KeyRef<"tripletex"> = { tenantId: "acme-regnskap", clientId: "fjellbekk", system: "tripletex" };
const CLIENT_KEY = "6f1c2a4e-9b0d-4c3e-8f7a-2d5b1e0c9a41";
const EMPLOYEE_TOKEN = "eyJ0b2tlbklkIjoxMjM0NTYsInRva2VuIjoiZTNiMGM0NDI5OGZjIn0=";

/**
 * The behaviour every KeyVault adapter must have, run against each adapter (SecretsManagerKeyVault at the SDK
 * boundary, EncryptedFileKeyVault on a temporary folder). `open` gives a fresh, empty vault using `clock.now`.
 */
export function describeKeyVaultContract(label: string, open: (clock: TestClock) => Promise<KeyVault>): void {
  describe(`KeyVault contract: ${label}`, () => {
    const fresh = async () => {
      const clock = new TestClock();
      return { clock, vault: await open(clock) };
    };

    it("reports a key that was never set as not set", async () => {
      const { vault } = await fresh();
      expect(await vault.status(POWEROFFICE)).toEqual({ set: false });
    });

    it("refuses to get a key that was never set with KeyNotFoundError", async () => {
      const { vault } = await fresh();
      await expect(vault.get(TRIPLETEX)).rejects.toBeInstanceOf(KeyNotFoundError);
    });

    it("gives back exactly the PowerOffice Go client key that was put", async () => {
      const { vault } = await fresh();
      await vault.put(POWEROFFICE, { clientKey: CLIENT_KEY });
      expect((await vault.get(POWEROFFICE)).reveal()).toEqual({ clientKey: CLIENT_KEY });
    });

    it("gives back exactly the Tripletex employee token that was put", async () => {
      const { vault } = await fresh();
      await vault.put(TRIPLETEX, { employeeToken: EMPLOYEE_TOKEN });
      expect((await vault.get(TRIPLETEX)).reveal()).toEqual({ employeeToken: EMPLOYEE_TOKEN });
    });

    it("returns the new status from put: masked to the last 4 characters, with the time it was stored", async () => {
      const { vault } = await fresh();
      expect(await vault.put(POWEROFFICE, { clientKey: CLIENT_KEY })).toEqual({
        set: true,
        masked: "••••9a41",
        updatedAt: "2026-03-01T09:00:00.000Z",
      });
    });

    it("reports a stored key as set, masked, with updatedAt and no lastUsedAt", async () => {
      const { vault } = await fresh();
      await vault.put(TRIPLETEX, { employeeToken: EMPLOYEE_TOKEN });
      expect(await vault.status(TRIPLETEX)).toEqual({
        set: true,
        masked: "••••In0=",
        updatedAt: "2026-03-01T09:00:00.000Z",
      });
    });

    it("records when a connector last used the key", async () => {
      const { vault } = await fresh();
      await vault.put(POWEROFFICE, { clientKey: CLIENT_KEY });
      await vault.markUsed(POWEROFFICE, new Date("2026-03-02T04:15:00.000Z"));
      expect(await vault.status(POWEROFFICE)).toMatchObject({ set: true, lastUsedAt: "2026-03-02T04:15:00.000Z" });
    });

    it("replaces the value on a second put and clears lastUsedAt", async () => {
      const { vault, clock } = await fresh();
      await vault.put(POWEROFFICE, { clientKey: CLIENT_KEY });
      await vault.markUsed(POWEROFFICE, new Date("2026-03-01T10:00:00.000Z"));
      clock.advance(3600);
      await vault.put(POWEROFFICE, { clientKey: "0000-1111-2222-3333-zzzz" });
      expect((await vault.get(POWEROFFICE)).reveal()).toEqual({ clientKey: "0000-1111-2222-3333-zzzz" });
      expect(await vault.status(POWEROFFICE)).toEqual({
        set: true,
        masked: "••••zzzz",
        updatedAt: "2026-03-01T10:00:00.000Z",
      });
    });

    it("ignores markUsed for a key that is not set, and does not make it set", async () => {
      const { vault } = await fresh();
      await vault.markUsed(TRIPLETEX, new Date("2026-03-02T04:15:00.000Z"));
      expect(await vault.status(TRIPLETEX)).toEqual({ set: false });
    });

    it("deletes a key: true, then not set, and get throws KeyNotFoundError", async () => {
      const { vault } = await fresh();
      await vault.put(TRIPLETEX, { employeeToken: EMPLOYEE_TOKEN });
      expect(await vault.delete(TRIPLETEX)).toBe(true);
      expect(await vault.status(TRIPLETEX)).toEqual({ set: false });
      await expect(vault.get(TRIPLETEX)).rejects.toBeInstanceOf(KeyNotFoundError);
    });

    it("answers false when deleting a key that is not set (twice in a row included)", async () => {
      const { vault } = await fresh();
      expect(await vault.delete(POWEROFFICE)).toBe(false);
      await vault.put(POWEROFFICE, { clientKey: CLIENT_KEY });
      expect(await vault.delete(POWEROFFICE)).toBe(true);
      expect(await vault.delete(POWEROFFICE)).toBe(false);
    });

    it("stores a key again after it was deleted", async () => {
      const { vault } = await fresh();
      await vault.put(POWEROFFICE, { clientKey: CLIENT_KEY });
      await vault.delete(POWEROFFICE);
      await vault.put(POWEROFFICE, { clientKey: "new-client-key-abcd" });
      expect((await vault.get(POWEROFFICE)).reveal()).toEqual({ clientKey: "new-client-key-abcd" });
      expect(await vault.status(POWEROFFICE)).toMatchObject({ set: true, masked: "••••abcd" });
    });

    it("does not bring back a deleted key when markUsed comes late", async () => {
      const { vault } = await fresh();
      await vault.put(TRIPLETEX, { employeeToken: EMPLOYEE_TOKEN });
      await vault.delete(TRIPLETEX);
      await vault.markUsed(TRIPLETEX, new Date("2026-03-02T04:15:00.000Z"));
      expect(await vault.status(TRIPLETEX)).toEqual({ set: false });
    });

    it("keeps one key per tenant, client and system apart", async () => {
      const { vault } = await fresh();
      await vault.put(POWEROFFICE, { clientKey: CLIENT_KEY });
      expect(await vault.status({ ...POWEROFFICE, tenantId: "other-firm" })).toEqual({ set: false });
      expect(await vault.status({ ...POWEROFFICE, clientId: "other-client" })).toEqual({ set: false });
      expect(await vault.status(TRIPLETEX)).toEqual({ set: false });
      await vault.put({ ...POWEROFFICE, tenantId: "other-firm" }, { clientKey: "other-firm-key-9999" });
      expect((await vault.get(POWEROFFICE)).reveal()).toEqual({ clientKey: CLIENT_KEY });
    });

    it("accepts a value wrapped in Secret", async () => {
      const { vault } = await fresh();
      await vault.put(TRIPLETEX, new Secret({ employeeToken: EMPLOYEE_TOKEN }));
      expect((await vault.get(TRIPLETEX)).reveal()).toEqual({ employeeToken: EMPLOYEE_TOKEN });
    });

    it("trims a key pasted with surrounding whitespace", async () => {
      const { vault } = await fresh();
      await vault.put(POWEROFFICE, { clientKey: `  ${CLIENT_KEY}\n` });
      expect((await vault.get(POWEROFFICE)).reveal()).toEqual({ clientKey: CLIENT_KEY });
    });

    it("shows no characters of a key shorter than 8 characters", async () => {
      const { vault } = await fresh();
      expect(await vault.put(POWEROFFICE, { clientKey: "abc1234" })).toMatchObject({ masked: "••••" });
      expect(await vault.status(POWEROFFICE)).toMatchObject({ set: true, masked: "••••" });
    });

    it("masks keys ending in punctuation and gives them back unchanged", async () => {
      const { vault } = await fresh();
      await vault.put(TRIPLETEX, { employeeToken: "token-with-odd-end!~#?" });
      expect(await vault.status(TRIPLETEX)).toMatchObject({ masked: "••••!~#?" });
      expect((await vault.get(TRIPLETEX)).reveal()).toEqual({ employeeToken: "token-with-odd-end!~#?" });
    });

    it("refuses a value of the other system's shape with InvalidKeyValueError naming the field", async () => {
      const { vault } = await fresh();
      const error = await vault
        .put(POWEROFFICE, { employeeToken: EMPLOYEE_TOKEN } as never)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidKeyValueError);
      expect((error as InvalidKeyValueError).context.fields).toEqual(
        expect.arrayContaining(["clientKey", "employeeToken"]),
      );
      expect(await vault.status(POWEROFFICE)).toEqual({ set: false });
    });

    it("refuses an empty key, a key with spaces and extra fields", async () => {
      const { vault } = await fresh();
      await expect(vault.put(POWEROFFICE, { clientKey: "" })).rejects.toBeInstanceOf(InvalidKeyValueError);
      await expect(vault.put(POWEROFFICE, { clientKey: "two words here" })).rejects.toBeInstanceOf(
        InvalidKeyValueError,
      );
      await expect(vault.put(POWEROFFICE, { clientKey: CLIENT_KEY, extra: "x" } as never)).rejects.toBeInstanceOf(
        InvalidKeyValueError,
      );
    });

    it("never quotes a refused value in the error, its message, JSON or inspection", async () => {
      const { vault } = await fresh();
      const leaked = "leaky secret value 7Hq9";
      const error = await vault.put(TRIPLETEX, { employeeToken: leaked }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidKeyValueError);
      for (const rendering of [String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })]) {
        expect(rendering).not.toContain("7Hq9");
      }
    });

    it("refuses references with ids that are not valid ids or an unknown system, in every method", async () => {
      const { vault } = await fresh();
      const bad: KeyRef[] = [
        { ...POWEROFFICE, tenantId: "../other" },
        { ...POWEROFFICE, clientId: "a/b" },
        { ...POWEROFFICE, tenantId: "" },
        { ...POWEROFFICE, system: "fiken" as never },
      ];
      for (const ref of bad) {
        await expect(vault.put(ref, { clientKey: CLIENT_KEY } as never)).rejects.toBeInstanceOf(InvalidKeyRefError);
        await expect(vault.get(ref)).rejects.toBeInstanceOf(InvalidKeyRefError);
        await expect(vault.status(ref)).rejects.toBeInstanceOf(InvalidKeyRefError);
        await expect(vault.markUsed(ref, new Date())).rejects.toBeInstanceOf(InvalidKeyRefError);
        await expect(vault.delete(ref)).rejects.toBeInstanceOf(InvalidKeyRefError);
      }
    });

    it("wraps the value it gives back so JSON, String and inspection show no secret", async () => {
      const { vault } = await fresh();
      await vault.put(POWEROFFICE, { clientKey: CLIENT_KEY });
      const secret = await vault.get(POWEROFFICE);
      for (const rendering of [
        JSON.stringify({ secret }),
        String(secret),
        `${secret}`,
        inspect({ secret }, { depth: 10, showHidden: true }),
      ]) {
        expect(rendering).not.toContain("9a41");
      }
    });
  });
}
