import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../../lib/api/openApiDocument.ts";
import { API_ROUTES } from "../../../lib/api/routes.ts";

const committedPath = resolve(import.meta.dirname, "..", "..", "..", "openapi.json");
const document = buildOpenApiDocument();
type Operation = {
  operationId: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
};
const paths = document.paths as Record<string, Record<string, Operation>>;

describe("the OpenAPI document", () => {
  it("the committed openapi.json equals the one generated from the route table (run `npm run openapi` when not)", async () => {
    const committed: unknown = JSON.parse(await readFile(committedPath, "utf8"));
    expect(committed).toEqual(document);
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("has every route of the table, and nothing else", () => {
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(API_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  it("names each operation after its route, and documents every path parameter", () => {
    for (const route of API_ROUTES) {
      const operation = paths[route.path]![route.method.toLowerCase()]!;
      expect(operation.operationId).toBe(route.operationId);
      const pathParameters = (operation.parameters ?? [])
        .filter((parameter) => parameter.in === "path")
        .map((parameter) => parameter.name);
      expect(pathParameters).toEqual([...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]));
    }
  });

  it("marks /health and /openapi.json as open and every other route as bearer-protected with 401 and 429", () => {
    for (const route of API_ROUTES) {
      const operation = paths[route.path]![route.method.toLowerCase()]!;
      if (route.authenticated) {
        expect(operation.security).toBeUndefined(); // the document-wide bearerAuth applies
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["401", "429", "500"]));
      } else {
        expect(operation.security).toEqual([]);
      }
    }
    expect(
      API_ROUTES.filter((route) => !route.authenticated)
        .map((route) => route.path)
        .sort(),
    ).toEqual(["/health", "/openapi.json"]);
  });

  it("describes amounts as decimal strings, never numbers", () => {
    const schemas = (document.components as { schemas: Record<string, { properties?: Record<string, unknown> }> })
      .schemas;
    const line = (
      schemas.TransactionLinesPage as { properties: { items: { items: { properties: { amount: unknown } } } } }
    ).properties.items.items.properties.amount;
    expect(line).toEqual({ type: "string", pattern: "^-?\\d+\\.\\d{2}$" });
  });

  it("describes an upload above 2 GiB as 413 and problems as application/problem+json", () => {
    const upload = paths["/clients/{clientId}/engagements/{engagementId}/uploads"]!.post!;
    expect(upload.responses["413"]).toEqual({
      description: expect.any(String),
      content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
    });
  });
});
