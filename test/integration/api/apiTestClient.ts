import { expect } from "vitest";
import { ClientSchema, EngagementSchema } from "../../../lib/api/schemas.ts";
import { openLocalIssuer, type LocalIssuer } from "../../../lib/auth/localIssuer.ts";
import type { EngagementRef } from "../../../lib/engagements/types.ts";
import type { TestStack } from "../stack/localStackFixture.ts";

/** An answer of the API: status, headers and the body (parsed when JSON). */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read answers by field
}

/** Calls the local stack's API over real HTTP, with tokens from the stack's own local issuer. */
export interface ApiTestClient {
  readonly baseUrl: string;
  readonly issuer: LocalIssuer;
  token(tenantId: string, options?: { expiresInSeconds?: number }): Promise<string>;
  call(
    method: string,
    path: string,
    options?: {
      tenant?: string;
      token?: string | null;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    },
  ): Promise<ApiAnswer>;
}

export async function apiTestClient(stack: TestStack): Promise<ApiTestClient> {
  const issuer = await openLocalIssuer({ dataDir: stack.dataDir });
  const tokens = new Map<string, string>();
  const token = async (tenantId: string, options: { expiresInSeconds?: number } = {}) =>
    issuer.issueToken({
      tenantId,
      ...(options.expiresInSeconds ? { expiresInSeconds: options.expiresInSeconds } : {}),
    });
  return {
    baseUrl: stack.stack.httpUrl,
    issuer,
    token,
    async call(method, path, options = {}) {
      let bearer = options.token;
      if (bearer === undefined && options.tenant !== undefined) {
        if (!tokens.has(options.tenant)) tokens.set(options.tenant, await token(options.tenant));
        bearer = tokens.get(options.tenant)!;
      }
      const headers: Record<string, string> = { ...options.headers };
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers["content-type"] = "application/json";
      }
      const response = await fetch(`${stack.stack.httpUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}

/**
 * Creates, over the API as the console and the CLI do, the client of the bundled sample (Fjellbekk Snekkeri AS) and a
 * period-end engagement of its period (2025-01-01 – 2025-03-31) in `tenant`; answers the engagement's path and ref.
 */
export async function createSampleEngagement(
  api: ApiTestClient,
  tenant: string,
): Promise<{ path: string; ref: EngagementRef }> {
  const client = await api.call("POST", "/clients", {
    tenant,
    body: { orgNumber: "923609016", name: "Fjellbekk Snekkeri AS", accountingSystem: "other" },
  });
  expect(client.status).toBe(201);
  const { clientId } = ClientSchema.parse(client.json);
  const engagement = await api.call("POST", `/clients/${clientId}/engagements`, {
    tenant,
    body: { kind: "period-end", periodStart: "2025-01-01", periodEnd: "2025-03-31" },
  });
  expect(engagement.status).toBe(201);
  const { engagementId } = EngagementSchema.parse(engagement.json);
  return {
    path: `/clients/${clientId}/engagements/${engagementId}`,
    ref: { tenantId: tenant, clientId, engagementId },
  };
}
