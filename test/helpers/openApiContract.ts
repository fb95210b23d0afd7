import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse as parseYaml } from "yaml";
import type { FakeExchange } from "../../lib/local/fakes/fakeServer.ts";
import { hasSharedSpecs, sharedSpecsDir } from "./fixtures.ts";

export { hasSharedSpecs, sharedSpecsDir };

/**
 * The contract check of the fake accounting-API servers: a JSON response body validated against the response schema
 * the vendor's OpenAPI 3.0 document gives for its path, method and status (`../shared/specs`, YAML or JSON), so the
 * fakes cannot drift from the real APIs.
 *
 * Built on Ajv 8 (the most used JSON Schema validator for JavaScript, maintained, compiled validators): the whole
 * document is added once as a schema and each response schema is compiled on first use as a `$ref` into it, so
 * `#/components/schemas/…` references resolve as the document wrote them. OpenAPI 3.0's schema dialect is JSON Schema
 * draft 5 plus a few keywords: Ajv understands `nullable` natively, ajv-formats checks `date`, `date-time`, `uuid`,
 * `int32`, `int64`, `double` …, and annotation keywords (`example`, `xml`, `discriminator` used as a hint) are
 * ignored (`strict: false`).
 */

/** The vendor documents (read at test time from `../shared/specs`, never copied). */
export const TRIPLETEX_OPENAPI = join(sharedSpecsDir, "tripletex-v2.openapi.json");
export const POWEROFFICE_GO_OPENAPI = join(sharedSpecsDir, "poweroffice-go-v2.openapi.yaml");

if (!hasSharedSpecs) {
  console.warn(
    `[saldo tests] ${sharedSpecsDir} not found: the contract tests of the fake accounting APIs are skipped.`,
  );
}

/** One response to check. `path` is the request path (`/company/123`) or its template (`/company/{id}`). */
export interface ContractResponse {
  method: string;
  path: string;
  status: number;
  /** The parsed JSON body; `undefined` for a response without body (204). */
  body: unknown;
  /** Default `application/json`. */
  contentType?: string;
}

export interface ContractFieldError {
  /** `values[0].account.number`, or `(body)`. */
  field: string;
  message: string;
}

export interface ContractResult {
  ok: boolean;
  /** `GET /ledger/posting` (the document's template). */
  endpoint: string;
  /** The response key of the document used: `200`, `2XX`, `default`. */
  responseKey?: string;
  errors: ContractFieldError[];
}

export interface OpenApiContractOptions {
  /** Prefix of the request paths that the document's paths leave out (`/v2` for both APIs' fakes). */
  basePath?: string;
  /**
   * The component schema error answers (4xx/5xx) follow where the document lists no response for that status: the
   * Tripletex document gives only `200` for most endpoints, while every error body is an `ApiError`; PowerOffice Go's
   * are `ProblemDetails`. Absent: an undocumented status is a failure.
   */
  errorSchema?: string;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const cache = new Map<string, Promise<OpenApiContract>>();

/** Loads (once per file and options) an OpenAPI 3.0 document, JSON or YAML. */
export function loadOpenApiContract(file: string, options: OpenApiContractOptions = {}): Promise<OpenApiContract> {
  const key = `${file}\u0000${options.basePath ?? ""}\u0000${options.errorSchema ?? ""}`;
  let contract = cache.get(key);
  if (!contract) {
    contract = readFile(file, "utf8").then((text) => {
      const document = (
        file.endsWith(".json") ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 })
      ) as OpenApiDocument;
      return new OpenApiContract(document, options, file);
    });
    cache.set(key, contract);
  }
  return contract;
}

export class OpenApiContract {
  readonly #document: OpenApiDocument;
  readonly #ajv: Ajv;
  readonly #basePath: string;
  readonly #errorSchema?: string;
  readonly #templates: { template: string; segments: string[] }[];
  readonly #validators = new Map<string, ValidateFunction>();
  readonly source: string;

  constructor(document: OpenApiDocument, options: OpenApiContractOptions = {}, source = "(document)") {
    if (!/^3\.0\./.test(document.openapi ?? ""))
      throw new Error(`${source}: not an OpenAPI 3.0 document (openapi: ${document.openapi})`);
    this.#document = document;
    this.source = source;
    this.#basePath = (options.basePath ?? "").replace(/\/+$/, "");
    this.#errorSchema = options.errorSchema;
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema(document as object, "openapi");
    this.#templates = Object.keys(document.paths)
      .map((template) => ({ template, segments: template.split("/").filter(Boolean) }))
      // Literal segments win over parameters (`/ledger/posting/openPost` before `/ledger/posting/{id}`).
      .sort((a, b) => literalCount(b.segments) - literalCount(a.segments));
  }

  /** The document's path template for a request path (base path removed), or undefined when it has none. */
  templateFor(method: string, path: string): string | undefined {
    const relative = this.#stripBase(path);
    if (this.#document.paths[relative]?.[method.toLowerCase()]) return relative;
    const segments = relative.split("/").filter(Boolean);
    for (const { template, segments: want } of this.#templates) {
      if (want.length !== segments.length || !this.#document.paths[template]?.[method.toLowerCase()]) continue;
      if (want.every((segment, index) => /^\{[^}]+\}$/.test(segment) || segment === segments[index])) return template;
    }
    return undefined;
  }

  /** Validates one response against the document. */
  validateResponse(response: ContractResponse): ContractResult {
    const method = response.method.toUpperCase();
    const template = this.templateFor(method, response.path);
    const endpoint = `${method} ${template ?? this.#stripBase(response.path)}`;
    if (!template)
      return { ok: false, endpoint, errors: [{ field: "(path)", message: `the document has no ${endpoint}` }] };
    const responses = this.#document.paths[template]![method.toLowerCase()]!.responses ?? {};
    const status = String(response.status);
    const responseKey = [status, `${status[0]}XX`, `${status[0]}xx`, "default"].find((key) => key in responses);
    if (!responseKey && response.status >= 400 && this.#errorSchema) {
      const errorKey = `(${this.#errorSchema})`;
      if (response.body === undefined) return { ok: true, endpoint, responseKey: errorKey, errors: [] };
      const validate = this.#componentValidator(this.#errorSchema);
      if (validate(response.body)) return { ok: true, endpoint, responseKey: errorKey, errors: [] };
      return { ok: false, endpoint, responseKey: errorKey, errors: (validate.errors ?? []).map(fieldError) };
    }
    if (!responseKey) {
      return {
        ok: false,
        endpoint,
        errors: [
          {
            field: "(status)",
            message: `the document gives no response ${status} (it has ${Object.keys(responses).join(", ")})`,
          },
        ],
      };
    }
    const content = responses[responseKey]!.content;
    if (response.body === undefined) {
      if (!content || Object.keys(content).length === 0 || response.status === 204)
        return { ok: true, endpoint, responseKey, errors: [] };
      return {
        ok: false,
        endpoint,
        responseKey,
        errors: [{ field: "(body)", message: `no body, where the document gives ${Object.keys(content).join(", ")}` }],
      };
    }
    if (!content)
      return {
        ok: false,
        endpoint,
        responseKey,
        errors: [{ field: "(body)", message: `a body, where the document's ${responseKey} response has none` }],
      };
    const contentType = (response.contentType ?? "application/json").split(";")[0]!.trim().toLowerCase();
    const mediaKey =
      Object.keys(content).find((key) => key.split(";")[0]!.trim().toLowerCase() === contentType) ??
      (contentType.endsWith("json") ? Object.keys(content).find((key) => key.includes("json")) : undefined);
    if (!mediaKey)
      return {
        ok: false,
        endpoint,
        responseKey,
        errors: [
          {
            field: "(content-type)",
            message: `${contentType} not in the document (${Object.keys(content).join(", ")})`,
          },
        ],
      };
    if (content[mediaKey]!.schema === undefined) return { ok: true, endpoint, responseKey, errors: [] };
    const validate = this.#validator(template, method, responseKey, mediaKey);
    if (validate(response.body)) return { ok: true, endpoint, responseKey, errors: [] };
    return { ok: false, endpoint, responseKey, errors: (validate.errors ?? []).map(fieldError) };
  }

  /** Throws an error naming the endpoint, the status and each field that does not match. */
  assertResponse(response: ContractResponse): void {
    const result = this.validateResponse(response);
    if (!result.ok) throw new Error(describeContractFailure(result, response.status));
  }

  /**
   * Validates many responses (e.g. every exchange a fake server logged in a test) and gives a message per failure,
   * empty when all match. Exchanges without a JSON body and with status 204 are checked as empty responses.
   */
  validateAll(responses: Iterable<ContractResponse>): string[] {
    const failures: string[] = [];
    for (const response of responses) {
      const result = this.validateResponse(response);
      if (!result.ok) failures.push(describeContractFailure(result, response.status));
    }
    return failures;
  }

  #stripBase(path: string): string {
    const withoutQuery = path.split("?")[0]!;
    if (this.#basePath && (withoutQuery === this.#basePath || withoutQuery.startsWith(`${this.#basePath}/`))) {
      return withoutQuery.slice(this.#basePath.length) || "/";
    }
    return withoutQuery;
  }

  #componentValidator(name: string): ValidateFunction {
    const pointer = `components/schemas/${escapePointer(name)}`;
    let validate = this.#validators.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `openapi#/${pointer}` });
      this.#validators.set(pointer, validate);
    }
    return validate;
  }

  #validator(template: string, method: string, responseKey: string, mediaKey: string): ValidateFunction {
    const pointer = ["paths", template, method.toLowerCase(), "responses", responseKey, "content", mediaKey, "schema"]
      .map(escapePointer)
      .join("/");
    let validate = this.#validators.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `openapi#/${pointer}` });
      this.#validators.set(pointer, validate);
    }
    return validate;
  }
}

/** `GET /ledger/posting 200 does not match the vendor's OpenAPI document: values[0].amount must be number; …` */
export function describeContractFailure(result: ContractResult, status: number): string {
  const shown = result.errors
    .slice(0, 8)
    .map((error) => `${error.field}: ${error.message}`)
    .join("; ");
  const more = result.errors.length > 8 ? `; and ${result.errors.length - 8} more` : "";
  return `${result.endpoint} ${status} does not match the vendor's OpenAPI document${result.responseKey ? ` (response ${result.responseKey})` : ""}: ${shown}${more}`;
}

function fieldError(error: ErrorObject): ContractFieldError {
  let field = pointerToField(error.instancePath);
  let message = error.message ?? error.keyword;
  if (error.keyword === "required" && typeof error.params.missingProperty === "string") {
    field = field === "(body)" ? error.params.missingProperty : `${field}.${error.params.missingProperty}`;
    message = "is required";
  } else if (error.keyword === "additionalProperties" && typeof error.params.additionalProperty === "string") {
    field = field === "(body)" ? error.params.additionalProperty : `${field}.${error.params.additionalProperty}`;
    message = "is not in the document's schema (additionalProperties: false)";
  } else if (error.keyword === "enum") {
    message = `${message}: ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
  }
  return { field, message };
}

/** `/values/0/amount` → `values[0].amount`. */
function pointerToField(pointer: string): string {
  if (pointer === "") return "(body)";
  let field = "";
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^\d+$/.test(segment)) field += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) field += field === "" ? segment : `.${segment}`;
    else field += `[${JSON.stringify(segment)}]`;
  }
  return field;
}

function escapePointer(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));
}

function literalCount(segments: string[]): number {
  return segments.filter((segment) => !/^\{[^}]+\}$/.test(segment)).length;
}

/**
 * The responses a fake server logged, as contract responses: every answer with a JSON body or none, leaving out the
 * ones a test broke on purpose (malformed JSON, dropped connections, hangs, transformed shapes) and requests no route
 * matched.
 */
export function contractResponsesOf(exchanges: Iterable<FakeExchange>): ContractResponse[] {
  const responses: ContractResponse[] = [];
  for (const exchange of exchanges) {
    if (exchange.fault && exchange.fault !== "delay" && exchange.fault !== "status") continue;
    if (exchange.route === undefined && exchange.fault === undefined) continue;
    if (exchange.status === 0) continue;
    responses.push({
      method: exchange.method,
      path: exchange.route ?? exchange.path,
      status: exchange.status,
      body: exchange.json,
    });
  }
  return responses;
}
