import { Logger } from "@aws-lambda-powertools/logger";
import { afterEach, describe, expect, it } from "vitest";
import { ROUTES } from "../../../../../lib/api/routes.ts";
import { StoreUnavailableError } from "../../../../../lib/store/errors.ts";
import { httpHandler } from "../../../../../functions/http/shared/httpHandler.ts";
import type { HttpApiEvent } from "../../../../../functions/http/shared/types.ts";
import { lambdaContext } from "../../../../helpers/lambdaContext.ts";
import { captureProcessOutput } from "../../../../helpers/processOutput.ts";

// Powertools writes log lines to stdout, errors to stderr: capture both.
const logged = captureProcessOutput();
afterEach(() => {
  logged.length = 0;
});

const logger = new Logger({ serviceName: "saldo-api-test", logLevel: "DEBUG" });

/** An API Gateway HTTP API event as the JWT authorizer passes it (claims verified, every value a string). */
function event(overrides: Partial<HttpApiEvent> & { claims?: Record<string, string> | null } = {}): HttpApiEvent {
  const { claims, ...rest } = overrides;
  return {
    version: "2.0",
    routeKey: "GET /clients/{clientId}",
    rawPath: "/clients/acme",
    rawQueryString: "",
    headers: {},
    pathParameters: { clientId: "acme" },
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example",
      domainPrefix: "api",
      http: { method: "GET", path: "/clients/acme", protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
      requestId: "apigw-request-1",
      routeKey: "GET /clients/{clientId}",
      stage: "$default",
      time: "15/Jan/2026:10:00:00 +0000",
      timeEpoch: 0,
      ...(claims === null
        ? {}
        : {
            authorizer: {
              jwt: { claims: claims ?? { sub: "user-1", "saldo:tenant": "firm", exp: "1900000000" }, scopes: null },
            },
          }),
    },
    ...rest,
  } as HttpApiEvent;
}

describe("the shared middlewares (cloud path: claims from API Gateway's JWT authorizer)", () => {
  it("takes the tenant from the verified claims and the path from the event, and answers JSON with the request id", async () => {
    const handler = httpHandler(
      ROUTES.getClient,
      { logger, tenantClaim: "saldo:tenant" },
      async ({ principal, path }) => ({
        status: 200,
        body: {
          clientId: path.clientId,
          orgNumber: null,
          name: principal.tenantId,
          accountingSystem: "other" as const,
          createdAt: "x",
          updatedAt: "x",
          csvLayout: null,
          refresh: { interval: "nightly" as const },
        },
      }),
    );
    const answer = await handler(event(), lambdaContext());
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({ "content-type": "application/json", "x-request-id": "apigw-request-1" });
    expect(JSON.parse(answer.body!)).toMatchObject({ clientId: "acme", name: "firm" });
    const lines = logged.map((line) => JSON.parse(line));
    expect(lines.find((line) => line.message === "request handled")).toMatchObject({
      requestId: "apigw-request-1",
      tenantId: "firm",
      status: 200,
    });
  });

  it("without claims (a route deployed without the authorizer) answers 401", async () => {
    const handler = httpHandler(ROUTES.getClient, { logger, tenantClaim: "saldo:tenant" }, async () => {
      throw new Error("must not run");
    });
    const answer = await handler(event({ claims: null }), lambdaContext());
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body!)).toMatchObject({ code: "AUTH_MISSING_TOKEN", requestId: "apigw-request-1" });
  });

  it("claims without the tenant claim answer 401 AUTH_NO_TENANT", async () => {
    const handler = httpHandler(ROUTES.getClient, { logger, tenantClaim: "saldo:tenant" }, async () => {
      throw new Error("must not run");
    });
    const answer = await handler(event({ claims: { sub: "user-1" } }), lambdaContext());
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body!).code).toBe("AUTH_NO_TENANT");
  });

  it("an unexpected error is a 500 whose body says nothing of it; the logs have it under the request id", async () => {
    const handler = httpHandler(ROUTES.getClient, { logger, tenantClaim: "saldo:tenant" }, async () => {
      throw new TypeError("cannot read properties of undefined (reading 'secretInternalField') at /var/task/lib/x.ts");
    });
    const answer = await handler(event(), lambdaContext());
    expect(answer.statusCode).toBe(500);
    expect(answer.headers).toMatchObject({
      "content-type": "application/problem+json",
      "x-request-id": "apigw-request-1",
    });
    const problem = JSON.parse(answer.body!);
    expect(problem).toEqual({
      type: "urn:saldo:problem:internal-error",
      title: "Internal server error",
      status: 500,
      detail: "An unexpected error occurred. Quote the request id when you report it.",
      code: "INTERNAL_ERROR",
      requestId: "apigw-request-1",
    });
    expect(answer.body).not.toMatch(/secretInternalField|TypeError|var\/task/);
    const error = logged.map((line) => JSON.parse(line)).find((line) => line.level === "ERROR");
    expect(error).toMatchObject({ requestId: "apigw-request-1", code: "INTERNAL_ERROR" });
    expect(JSON.stringify(error)).toContain("secretInternalField");
  });

  it("a store outage is a 503 with Retry-After and no SDK detail", async () => {
    const handler = httpHandler(ROUTES.getClient, { logger, tenantClaim: "saldo:tenant" }, async () => {
      throw new StoreUnavailableError(
        "DynamoDB GetItem is unavailable (ThrottlingException): Rate exceeded for table saldo-prod",
      );
    });
    const answer = await handler(event(), lambdaContext());
    expect(answer.statusCode).toBe(503);
    expect(answer.headers).toMatchObject({ "retry-after": "5" });
    expect(answer.body).not.toContain("saldo-prod");
  });

  it("validation failures of path and body are reported together", async () => {
    const handler = httpHandler(ROUTES.updateClient, { logger, tenantClaim: "saldo:tenant" }, async () => {
      throw new Error("must not run");
    });
    const answer = await handler(
      event({ pathParameters: { clientId: ".." }, body: JSON.stringify({ orgNumber: "123" }) }),
      lambdaContext(),
    );
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body!).errors.map((error: { path: string }) => error.path)).toEqual([
      "path.clientId",
      "body.orgNumber",
    ]);
  });

  it("GET /health answers without claims", async () => {
    const { createHandler } = await import("../../../../../functions/http/meta/getHealth.ts");
    const { readEnv } = await import("../../../../../functions/shared/environment.ts");
    const handler = createHandler(readEnv({ SALDO_TABLE_NAME: "saldo-test" }));
    const answer = await handler(event({ claims: null, pathParameters: undefined }), lambdaContext());
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body!)).toEqual({ status: "ok" });
  });
});
