import { describe, expect, it } from "vitest";
import {
  contractResponsesOf,
  hasSharedSpecs,
  loadOpenApiContract,
  OpenApiContract,
  POWEROFFICE_GO_OPENAPI,
  TRIPLETEX_OPENAPI,
} from "../../helpers/openApiContract.ts";
import type { FakeExchange } from "../../../lib/local/fakes/fakeServer.ts";

/** A small OpenAPI 3.0 document with the features the vendors' documents use: refs, nullable, formats, 204, errors. */
const DOCUMENT = {
  openapi: "3.0.1",
  info: { title: "test", version: "1" },
  paths: {
    "/items": {
      get: {
        responses: {
          "200": {
            description: "ok",
            content: {
              "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Item" } } },
            },
          },
          "204": { description: "empty" },
        },
      },
    },
    "/items/{id}": {
      get: {
        responses: {
          "200": {
            description: "ok",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Item" } } },
          },
        },
      },
    },
    "/items/>special": {
      get: {
        responses: {
          "200": {
            description: "ok",
            content: {
              "application/json": {
                schema: { type: "object", required: ["special"], properties: { special: { type: "boolean" } } },
              },
            },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Item: {
        type: "object",
        required: ["Id"],
        properties: {
          Id: { type: "integer", format: "int64" },
          Amount: { type: "number", format: "double" },
          PostingDate: { type: "string", format: "date" },
          Changed: { type: "string", format: "date-time", nullable: true },
          Kind: { type: "string", enum: ["A", "B"] },
          Key: { type: "string", format: "uuid" },
        },
      },
      Problem: { type: "object", properties: { title: { type: "string" }, status: { type: "integer" } } },
    },
  },
};

describe("OpenApiContract", () => {
  const contract = new OpenApiContract(DOCUMENT as never, { basePath: "/v2", errorSchema: "Problem" });

  it("accepts a body that matches the schema of its path, method and status", () => {
    const result = contract.validateResponse({
      method: "GET",
      path: "/v2/items?from=0",
      status: 200,
      body: [{ Id: 1, Amount: 12.5, PostingDate: "2025-01-31", Changed: null, Kind: "A" }],
    });
    expect(result).toEqual({ ok: true, endpoint: "GET /items", responseKey: "200", errors: [] });
  });

  it("names the endpoint and each field that does not match", () => {
    const result = contract.validateResponse({
      method: "GET",
      path: "/v2/items/17",
      status: 200,
      body: {
        Amount: "12.50",
        PostingDate: "31.01.2025",
        Changed: "2025-01-31T10:00:00",
        Kind: "C",
        Key: "not-a-uuid",
      },
    });
    expect(result.ok).toBe(false);
    expect(result.endpoint).toBe("GET /items/{id}");
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { field: "Id", message: "is required" },
        { field: "Amount", message: "must be number" },
        { field: "PostingDate", message: 'must match format "date"' },
        { field: "Changed", message: 'must match format "date-time"' },
        { field: "Kind", message: 'must be equal to one of the allowed values: "A", "B"' },
        { field: "Key", message: 'must match format "uuid"' },
      ]),
    );
    expect(() =>
      contract.assertResponse({ method: "GET", path: "/v2/items/17", status: 200, body: [{ Id: "x" }] }),
    ).toThrow(
      "GET /items/{id} 200 does not match the vendor's OpenAPI document (response 200): (body): must be object",
    );
    expect(
      contract.validateResponse({ method: "GET", path: "/items", status: 200, body: [{ Id: 1 }, { Id: 2.5 }] }).errors,
    ).toEqual([
      { field: "[1].Id", message: "must be integer" },
      { field: "[1].Id", message: 'must match format "int64"' },
    ]);
  });

  it("prefers literal path segments and knows the document's special characters", () => {
    expect(contract.templateFor("GET", "/v2/items/>special")).toBe("/items/>special");
    expect(contract.templateFor("GET", "/v2/items/42")).toBe("/items/{id}");
    expect(contract.validateResponse({ method: "GET", path: "/items/>special", status: 200, body: {} }).errors).toEqual(
      [{ field: "special", message: "is required" }],
    );
  });

  it("accepts a 204 without body, and refuses a body-less 200 where a body is documented", () => {
    expect(contract.validateResponse({ method: "GET", path: "/v2/items", status: 204, body: undefined }).ok).toBe(true);
    expect(
      contract.validateResponse({ method: "GET", path: "/v2/items", status: 200, body: undefined }).errors,
    ).toEqual([{ field: "(body)", message: "no body, where the document gives application/json" }]);
  });

  it("refuses what the document does not have: a path, a method, a status", () => {
    expect(
      contract.validateResponse({ method: "GET", path: "/v2/other", status: 200, body: {} }).errors[0]!.message,
    ).toBe("the document has no GET /other");
    expect(contract.validateResponse({ method: "DELETE", path: "/v2/items/1", status: 200, body: {} }).ok).toBe(false);
    const noErrorSchema = new OpenApiContract(DOCUMENT as never);
    expect(
      noErrorSchema.validateResponse({ method: "GET", path: "/items", status: 201, body: {} }).errors[0]!.message,
    ).toBe("the document gives no response 201 (it has 200, 204)");
  });

  it("checks undocumented error answers against the error schema", () => {
    expect(
      contract.validateResponse({
        method: "GET",
        path: "/v2/items",
        status: 429,
        body: { title: "Too many requests", status: 429 },
      }),
    ).toMatchObject({ ok: true, responseKey: "(Problem)" });
    expect(
      contract.validateResponse({ method: "GET", path: "/v2/items", status: 500, body: { status: "500" } }).errors,
    ).toEqual([{ field: "status", message: "must be integer" }]);
  });

  it("takes a fake server's exchanges, leaving out broken-on-purpose answers", () => {
    const exchange = (fields: Partial<FakeExchange>): FakeExchange => ({
      method: "GET",
      path: "/items/1",
      route: "/items/{id}",
      query: new URLSearchParams(),
      status: 200,
      at: 0,
      ...fields,
    });
    const responses = contractResponsesOf([
      exchange({ json: { Id: 1 } }),
      exchange({ fault: "malformed-json" }),
      exchange({ fault: "transform", json: { x: 1 } }),
      exchange({ fault: "status", status: 503, json: { title: "down" } }),
      exchange({ fault: "hang", status: 0 }),
      exchange({ route: undefined, path: "/unknown", status: 404 }),
    ]);
    expect(responses).toEqual([
      { method: "GET", path: "/items/{id}", status: 200, body: { Id: 1 } },
      { method: "GET", path: "/items/{id}", status: 503, body: { title: "down" } },
    ]);
    expect(contract.validateAll(responses)).toEqual([]);
  });
});

describe.skipIf(!hasSharedSpecs)("the vendor documents (../shared/specs)", () => {
  it("Tripletex (JSON): a posting list, the session endpoints, ApiError for errors", async () => {
    const tripletex = await loadOpenApiContract(TRIPLETEX_OPENAPI, { basePath: "/v2", errorSchema: "ApiError" });
    const posting = {
      id: 1,
      version: 0,
      date: "2025-01-31",
      description: "Faktura 1001",
      account: { id: 11, number: 1500, name: "Kundefordringer" },
      amount: 1250.5,
      row: 1,
      voucher: { id: 3, number: 1 },
    };
    expect(
      tripletex.validateResponse({
        method: "GET",
        path: "/v2/ledger/posting",
        status: 200,
        body: { fullResultSize: 1, from: 0, count: 1, versionDigest: "abc", values: [posting] },
      }).ok,
    ).toBe(true);
    const wrong = tripletex.validateResponse({
      method: "GET",
      path: "/v2/ledger/posting",
      status: 200,
      body: { values: [{ ...posting, amount: "1250.50" }] },
    });
    expect(wrong.errors).toEqual([{ field: "values[0].amount", message: "must be number" }]);
    expect(tripletex.templateFor("GET", "/v2/token/session/>whoAmI")).toBe("/token/session/>whoAmI");
    expect(tripletex.templateFor("PUT", "/v2/token/session/:create")).toBe("/token/session/:create");
    expect(
      tripletex.validateResponse({
        method: "GET",
        path: "/v2/balanceSheet",
        status: 422,
        body: { status: 422, code: 23000, message: "Too many rows", validationMessages: [] },
      }).ok,
    ).toBe(true);
  });

  it("PowerOffice Go (YAML): account transactions, the 204 empty list, ProblemDetails", async () => {
    const powerOffice = await loadOpenApiContract(POWEROFFICE_GO_OPENAPI, { basePath: "/v2" });
    const transaction = {
      Id: 1,
      AccountNo: 1920,
      Amount: 1250.5,
      PostingDate: "2025-01-31",
      VoucherNo: 12,
      LastChangedDateTimeOffset: "2025-02-01T08:00:00+01:00",
    };
    expect(
      powerOffice.validateResponse({ method: "GET", path: "/v2/AccountTransactions", status: 200, body: [transaction] })
        .ok,
    ).toBe(true);
    expect(
      powerOffice.validateResponse({ method: "GET", path: "/v2/AccountTransactions", status: 204, body: undefined }).ok,
    ).toBe(true);
    expect(
      powerOffice.validateResponse({
        method: "GET",
        path: "/v2/AccountTransactions",
        status: 200,
        body: [{ ...transaction, VoucherNo: "12" }],
      }).errors,
    ).toEqual([{ field: "[0].VoucherNo", message: "must be integer" }]);
    expect(
      powerOffice.validateResponse({
        method: "GET",
        path: "/v2/AccountTransactions",
        status: 404,
        body: { title: "Object(s) not found", detail: "x" },
      }).ok,
    ).toBe(true);
  });
});
