import { describe, expect, it } from "vitest";
import { API_ROUTES as INFRA_ROUTES, API_PERMISSIONS, apiStageConfig, secretPrefix } from "../../../infra/config.ts";
import { API_ROUTES } from "../../../lib/api/routes.ts";

describe("infra/config.ts API_ROUTES (plain data, as infra/ may not import lib/)", () => {
  it("deploys exactly the routes of lib/api's table, with the same handlers and authentication", () => {
    const deployed = INFRA_ROUTES.map(({ method, path, handler, authenticated }) => ({
      method,
      path,
      handler,
      authenticated,
    }));
    const table = API_ROUTES.map(({ method, path, handler, authenticated }) => ({
      method,
      path,
      handler,
      authenticated,
    }));
    expect(deployed).toEqual(table);
  });

  it("gives read-only routes no write action, and only writes of integration keys Secrets Manager write actions", () => {
    // Listing a Tripletex key's companies reads the key to ask Tripletex (and records that use): no table write.
    const readOnly = new Set(["tableRead", "secretsRead", "secretsUse", "platformKeys"]);
    for (const route of INFRA_ROUTES) {
      if (route.method === "GET") {
        expect(route.access.filter((access) => !readOnly.has(access))).toEqual([]);
      }
    }
    expect(API_PERMISSIONS.tableRead.some((action) => /Put|Update|Delete|Write/.test(action))).toBe(false);
    expect(INFRA_ROUTES.filter((route) => route.access.includes("secretsWrite")).map((route) => route.method)).toEqual([
      "PUT",
    ]);
    // A key's value is read only where a connection is checked live with the accounting system.
    expect(
      INFRA_ROUTES.filter((route) => route.access.includes("secretsUse")).map(
        (route) => `${route.method} ${route.path}`,
      ),
    ).toEqual([
      "PUT /clients/{clientId}/integrations/{system}",
      "POST /clients/{clientId}/integrations/{system}/check",
      "GET /clients/{clientId}/integrations/tripletex/companies",
      "PUT /clients/{clientId}/integrations/tripletex/company",
    ]);
    expect(
      Object.entries(API_PERMISSIONS)
        .filter(([, actions]) => (actions as readonly string[]).includes("secretsmanager:GetSecretValue"))
        .map(([access]) => access),
    ).toEqual(["secretsUse", "platformKeys"]);
    expect(Object.values(API_PERMISSIONS).flat()).not.toContain("s3:GetObject");
  });

  it("names each stage's secrets under saldo/{stage}/ and falls back to the default stage settings", () => {
    expect(secretPrefix("production")).toBe("saldo/production");
    expect(apiStageConfig("some-dev-stage")).toEqual(apiStageConfig("default"));
    expect(apiStageConfig("production").audience).toBe("saldo-api");
  });
});
