import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

/** Shapes of the API, generated from the committed openapi.json (`npm run web:types`): never written by hand. */
export type Schemas = components["schemas"];
export type Client = Schemas["Client"];
export type Engagement = Schemas["Engagement"];
export type ImportSummary = Schemas["ImportList"]["items"][number];
export type ImportReport = Schemas["ImportReport"];
export type TrialBalance = Schemas["TrialBalance"];
export type TrialBalanceAccount = TrialBalance["accounts"][number];
export type TransactionLine = Schemas["TransactionLinesPage"]["items"][number];
export type IntegrationStatus = Schemas["IntegrationStatus"];
export type Problem = Schemas["Problem"];
export type AcceptCode = Schemas["ActivateImportRequest"]["accept"][number];
export type IntegrationSystem = "poweroffice-go" | "tripletex";

/** An RFC 9457 problem the API answered, or a failure to reach it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly problem?: Problem,
  ) {
    super(detail);
  }
}

export type Api = ReturnType<typeof createApi>;

export function createApi(
  baseUrl: string,
  token: () => string | undefined,
  onUnauthorized: (code: string | undefined) => void,
) {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const value = token();
      if (value) request.headers.set("authorization", `Bearer ${value}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) {
        // The problem's code (AUTH_EXPIRED, AUTH_INVALID_TOKEN, …) says why; read from a copy, the caller reads the body.
        void response
          .clone()
          .json()
          .then(
            (body: { code?: unknown }) => onUnauthorized(typeof body.code === "string" ? body.code : undefined),
            () => onUnauthorized(undefined),
          );
      }
      return response;
    },
  };
  client.use(auth);
  return { client, baseUrl, token };
}

/** The data of an openapi-fetch result, or its problem as an ApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) throw problemError(result.response, result.error);
  return result.data;
}

export function problemError(response: Response, body: unknown): ApiError {
  const problem = body as Partial<Problem> | undefined;
  if (problem && typeof problem === "object" && typeof problem.code === "string") {
    return new ApiError(
      response.status,
      problem.code,
      problem.detail ?? problem.title ?? problem.code,
      problem as Problem,
    );
  }
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || `HTTP ${response.status}`);
}

/** Runs a call; network failures (no answer at all) become an ApiError too. */
export async function call<T>(
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Exclude<T, string>> {
  let result;
  try {
    result = await request();
  } catch (error) {
    throw new ApiError(0, "NETWORK", error instanceof Error ? error.message : String(error));
  }
  const data = unwrap(result);
  // The figures routes also answer CSV (a string) by content negotiation; the console asks for JSON here.
  if (typeof data === "string")
    throw new ApiError(result.response.status, "NOT_JSON", "the API answered text, not JSON");
  return data as Exclude<T, string>;
}

/** Downloads an export of a figures route (the API's CSV/XLSX content negotiation) and saves it as a file. */
export async function downloadExport(
  api: Api,
  path: string,
  accept: string,
  language: string,
  fallbackName: string,
): Promise<void> {
  const response = await fetch(`${api.baseUrl}${path}`, {
    headers: { accept, "accept-language": language, authorization: `Bearer ${api.token() ?? ""}` },
  });
  if (!response.ok) throw problemError(response, await response.json().catch(() => undefined));
  const disposition = response.headers.get("content-disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
