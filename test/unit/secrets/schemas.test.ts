import { describe, expect, it } from "vitest";
import { IntegrationKeySchemas, KeyStatusSchema } from "../../../lib/secrets/schemas.ts";

describe("integration key schemas", () => {
  it("accepts a PowerOffice Go client key and trims it", () => {
    expect(IntegrationKeySchemas["poweroffice-go"].parse({ clientKey: " abc-123 \n" })).toEqual({
      clientKey: "abc-123",
    });
  });

  it("accepts a Tripletex employee token", () => {
    expect(IntegrationKeySchemas.tripletex.parse({ employeeToken: "eyJ0b2tlbiI6MX0=" })).toEqual({
      employeeToken: "eyJ0b2tlbiI6MX0=",
    });
  });

  it("refuses a field of the other system", () => {
    expect(IntegrationKeySchemas.tripletex.safeParse({ clientKey: "abc" }).success).toBe(false);
  });

  it("refuses control characters, spaces inside and non-ASCII", () => {
    for (const clientKey of ["ab\u0000cd", "ab cd", "abcæ"]) {
      expect(IntegrationKeySchemas["poweroffice-go"].safeParse({ clientKey }).success).toBe(false);
    }
  });

  it("refuses a key longer than 4096 characters", () => {
    expect(IntegrationKeySchemas["poweroffice-go"].safeParse({ clientKey: "k".repeat(4097) }).success).toBe(false);
  });

  it("describes a status with optional masked/updatedAt/lastUsedAt", () => {
    expect(KeyStatusSchema.parse({ set: false })).toEqual({ set: false });
    expect(
      KeyStatusSchema.safeParse({ set: true, masked: "••••abcd", updatedAt: "2026-03-01T09:00:00.000Z" }).success,
    ).toBe(true);
  });
});
