import { z } from "zod";
import { ProblemSchema } from "./problem.ts";
import { API_ROUTES, problemStatusesOf, type ApiRoute } from "./routes.ts";

type JsonSchema = Record<string, unknown>;

/** What the document says about itself. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

export const DEFAULT_OPENAPI_INFO: OpenApiInfo = {
  title: "saldo API",
  version: "1.0.0",
  description:
    "Clients, engagements, uploads, imports, trial balances and transactions of an accounting firm (the tenant of " +
    "the bearer token). Amounts are decimal strings with two decimals. Errors are RFC 9457 problem+json with a " +
    "stable `code`; every answer carries an `x-request-id` header.",
};

const PROBLEM_TITLES: Record<number, string> = {
  400: "The path, query or body is invalid (`errors` lists the fields)",
  401: "No bearer token, or an invalid or expired one",
  404: "No such resource for this tenant (another tenant's ids are not found either)",
  406: "None of the representations in Accept can be given (the detail lists those that can)",
  409: "The resource's state does not allow this",
  413: "Too large",
  422: "The answer cannot be given in the form asked for (the detail says which works)",
  429: "Too many requests (see Retry-After)",
  500: "Unexpected error (details only in the logs, under the request id)",
};

const COMPONENT_PREFIX = "#/components/schemas/";

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and its zod schemas (zod's JSON Schema
 * 2020-12 output, the dialect of OpenAPI 3.1). Request bodies and parameters are described as the API accepts them
 * (zod `input`), responses as it produces them (`output`). Deterministic: the committed openapi.json must equal it.
 */
export function buildOpenApiDocument(
  routes: readonly ApiRoute[] = API_ROUTES,
  info: OpenApiInfo = DEFAULT_OPENAPI_INFO,
): JsonSchema {
  const requests = z.registry<{ id: string }>();
  const responses = z.registry<{ id: string }>();
  responses.add(ProblemSchema, { id: "Problem" });
  for (const route of routes) {
    if (route.body) requests.add(route.body, { id: requestBodyName(route) });
    if (route.response.schema) responses.add(route.response.schema, { id: responseName(route) });
  }
  const components = {
    ...componentsOf(requests, "input"),
    ...componentsOf(responses, "output"),
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: "3.1.0",
    info: { ...info },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An access token of the configured OpenID Connect issuer; its tenant claim names the tenant.",
        },
      },
      schemas: sortKeys(components),
    },
  };
}

function operationOf(route: ApiRoute): Record<string, unknown> {
  const parameters = [...parametersOf(route.pathParams, "path"), ...parametersOf(route.query, "query")];
  const responses: Record<string, unknown> = {
    [String(route.response.status)]: route.response.schema
      ? {
          description: route.response.description,
          content: {
            "application/json": { schema: { $ref: `${COMPONENT_PREFIX}${responseName(route)}` } },
            ...Object.fromEntries(
              (route.response.alternatives ?? []).map((alternative) => [
                alternative.mediaType,
                {
                  schema: alternative.mediaType.startsWith("text/")
                    ? { type: "string", description: alternative.description }
                    : { type: "string", contentMediaType: alternative.mediaType, description: alternative.description },
                },
              ]),
            ),
          },
          ...(route.response.headers
            ? {
                headers: Object.fromEntries(
                  Object.entries(route.response.headers).map(([name, description]) => [
                    name,
                    { description, schema: { type: "string" } },
                  ]),
                ),
              }
            : {}),
          ...(route.response.alternatives?.some((alternative) => alternative.headers)
            ? {
                headers: Object.fromEntries(
                  route.response.alternatives
                    .flatMap((alternative) => Object.entries(alternative.headers ?? {}))
                    .map(([name, description]) => [
                      name,
                      { description: `With a non-JSON representation: ${description}`, schema: { type: "string" } },
                    ]),
                ),
              }
            : {}),
        }
      : { description: route.response.description },
  };
  for (const status of problemStatusesOf(route)) {
    responses[String(status)] = {
      description: PROBLEM_TITLES[status] ?? "Error",
      content: { "application/problem+json": { schema: { $ref: `${COMPONENT_PREFIX}Problem` } } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.authenticated ? {} : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            // A body schema that accepts no body (activate's optional `accept`) makes the body optional.
            required: !route.body.safeParse(undefined).success,
            content: { "application/json": { schema: { $ref: `${COMPONENT_PREFIX}${requestBodyName(route)}` } } },
          },
        }
      : {}),
    responses,
  };
}

/** One parameter object per property of an object schema (its JSON Schema, as the API accepts it). */
function parametersOf(schema: z.ZodType | undefined, where: "path" | "query"): Record<string, unknown>[] {
  if (!schema) return [];
  const json = clean(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: propertySchema,
    };
  });
}

function componentsOf(
  registry: z.core.$ZodRegistry<{ id: string }>,
  io: "input" | "output",
): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    unrepresentable: "any",
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, clean(schema)]));
}

/** Drops `$schema` and `$id` (OpenAPI names components by their key) from a generated schema. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function requestBodyName(route: ApiRoute): string {
  return `${pascal(route.operationId)}Request`;
}

function responseName(route: ApiRoute): string {
  return route.response.name ?? `${pascal(route.operationId)}Response`;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The document as committed in openapi.json: two-space JSON with a final newline. */
export function renderOpenApiDocument(document: JsonSchema = buildOpenApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
