import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { Principal } from "../../../lib/auth/types.ts";

/**
 * An API Gateway HTTP API (payload 2.0) event. The JWT authorizer's verified claims are present on authenticated
 * routes only (API Gateway turns every claim into a string; arrays become `[a b]`).
 */
export type HttpApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2["requestContext"] & {
    authorizer?: { jwt?: { claims: Record<string, string | number | boolean | string[]>; scopes: string[] | null } };
  };
};

export type HttpApiResult = APIGatewayProxyStructuredResultV2;

/** What the shared middlewares add to Lambda's context for the handler. */
export interface ApiContext extends Context {
  /** API Gateway's request id (also the `x-request-id` answer header and a key of every log line). */
  apiRequestId: string;
  principal?: Principal;
  /** The path parameters, query and body, parsed with the route's schemas. */
  input: { path: unknown; query: unknown; body: unknown };
}

/** What a handler returns: a status and a JSON body; the middlewares serialise it. */
export interface HttpResult<TBody = unknown> {
  status: number;
  body?: TBody;
  headers?: Record<string, string>;
}

/**
 * What a handler returns for a representation other than JSON (an export chosen by content negotiation): the bytes or
 * text as they are sent, with their media type. Binary bodies travel base64-encoded, as Lambda requires.
 */
export interface RawHttpResult {
  status: number;
  representation: { contentType: string; body: string | Uint8Array };
  headers?: Record<string, string>;
}
