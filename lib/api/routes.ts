import type { z } from "zod";
import {
  TransactionLinesQuerySchema,
  TransactionLinesPageSchema,
  TrialBalanceViewSchema,
  ImportComparisonSchema,
  ImportActivationSchema,
} from "../imports/importViews.ts";
import { ImportListQuerySchema, ImportListSchema, ImportReportSchema } from "../imports/importReports.ts";
import { ReconciliationPageJsonSchema } from "../reconcile/reconciliationJson.ts";
import { ReconciliationQuerySchema } from "../imports/engagementReconciliation.ts";
import { SourcePlanViewSchema } from "../imports/sourcePlanView.ts";
import {
  ActivateImportRequestSchema,
  ClientListSchema,
  ClientPathSchema,
  ClientSchema,
  CompareQuerySchema,
  CreateClientRequestSchema,
  CreateEngagementRequestSchema,
  EngagementListSchema,
  EngagementPathSchema,
  EngagementSchema,
  HealthSchema,
  ImportPathSchema,
  IntegrationKeyRequestSchema,
  IntegrationPathSchema,
  IntegrationStatusSchema,
  IntegrationCompaniesSchema,
  BindCompanyRequestSchema,
  SyncAcceptedSchema,
  SourcePlanRequestSchema,
  OpenApiDocumentSchema,
  UpdateClientRequestSchema,
  UploadRequestSchema,
  UploadTicketSchema,
} from "./schemas.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Error statuses a route may answer besides those every route of its kind has (see {@link problemStatusesOf}). */
export type ExtraProblemStatus = 406 | 409 | 413 | 422;

/** A representation a route answers besides its JSON, chosen by `Accept` (see functions/http/shared/negotiate.ts). */
export interface AlternativeRepresentation {
  mediaType: string;
  description: string;
  /** Extra answer headers it carries (name → description). */
  headers?: Record<string, string>;
}

/**
 * One route of the API, as data: the HTTP side (method, path with `{param}` segments), the schemas every part of the
 * request is parsed with, the success answer, and the Lambda handler serving it (`<module path>.<export>`, relative
 * to the project root, as infra/ and the local stack name it). The OpenAPI document, the local API and
 * infra/config.ts's API_ROUTES are all derived from or checked against this table.
 */
export interface ApiRoute<
  TPath extends z.ZodType = z.ZodType,
  TQuery extends z.ZodType = z.ZodType,
  TBody extends z.ZodType = z.ZodType,
  TResponse extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: HttpMethod;
  path: string;
  summary: string;
  tag: "clients" | "engagements" | "uploads" | "imports" | "figures" | "integrations" | "meta";
  /** Behind the JWT authorizer (every route but /health and /openapi.json). */
  authenticated: boolean;
  pathParams?: TPath;
  query?: TQuery;
  body?: TBody;
  response: {
    status: 200 | 201 | 202 | 204;
    description: string;
    /** Headers of the success answer (name → description), e.g. `location`. */
    headers?: Record<string, string>;
    schema?: TResponse;
    /** Name of the response schema in the document's components. */
    name?: string;
    /** Other media types of the same resource (exports), chosen by `Accept`. */
    alternatives?: readonly AlternativeRepresentation[];
  };
  extraProblems?: readonly ExtraProblemStatus[];
  handler: string;
}

function route<TPath extends z.ZodType, TQuery extends z.ZodType, TBody extends z.ZodType, TResponse extends z.ZodType>(
  definition: ApiRoute<TPath, TQuery, TBody, TResponse>,
): ApiRoute<TPath, TQuery, TBody, TResponse> {
  return definition;
}

const XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const API_XLSX_MAX_LINES_TEXT = "50 000";
const EXPORT_HEADERS = {
  "content-disposition": "`attachment` with the file name, e.g. `saldobalanse-<client>-<engagement>.csv`",
  "content-language": "`nb` or `en`: the language of the header row",
};

const CLIENT = "/clients/{clientId}";
const ENGAGEMENT = `${CLIENT}/engagements/{engagementId}`;
const IMPORT = `${ENGAGEMENT}/imports/{importId}`;
const INTEGRATION = `${CLIENT}/integrations/{system}`;

/** Every route of the API, by operation id. */
export const ROUTES = {
  createClient: route({
    operationId: "createClient",
    method: "POST",
    path: "/clients",
    summary: "Create a client (the id is generated)",
    tag: "clients",
    authenticated: true,
    body: CreateClientRequestSchema,
    response: { status: 201, description: "The client", schema: ClientSchema, name: "Client" },
    extraProblems: [409],
    handler: "functions/http/clients/createClient.handler",
  }),
  listClients: route({
    operationId: "listClients",
    method: "GET",
    path: "/clients",
    summary: "List the tenant's clients (deleted ones are hidden)",
    tag: "clients",
    authenticated: true,
    response: { status: 200, description: "The clients, by name", schema: ClientListSchema, name: "ClientList" },
    handler: "functions/http/clients/listClients.handler",
  }),
  getClient: route({
    operationId: "getClient",
    method: "GET",
    path: CLIENT,
    summary: "Get a client",
    tag: "clients",
    authenticated: true,
    pathParams: ClientPathSchema,
    response: { status: 200, description: "The client", schema: ClientSchema, name: "Client" },
    handler: "functions/http/clients/getClient.handler",
  }),
  updateClient: route({
    operationId: "updateClient",
    method: "PATCH",
    path: CLIENT,
    summary: "Change a client's name, organisation number, accounting system or refresh interval",
    tag: "clients",
    authenticated: true,
    pathParams: ClientPathSchema,
    body: UpdateClientRequestSchema,
    response: { status: 200, description: "The changed client", schema: ClientSchema, name: "Client" },
    extraProblems: [409],
    handler: "functions/http/clients/updateClient.handler",
  }),
  deleteClient: route({
    operationId: "deleteClient",
    method: "DELETE",
    path: CLIENT,
    summary: "Delete a client (soft: kept but hidden; its integration keys are removed)",
    tag: "clients",
    authenticated: true,
    pathParams: ClientPathSchema,
    response: { status: 204, description: "Deleted" },
    handler: "functions/http/clients/deleteClient.handler",
  }),
  createEngagement: route({
    operationId: "createEngagement",
    method: "POST",
    path: `${CLIENT}/engagements`,
    summary: "Create a year-end or period-end engagement (the id is generated)",
    tag: "engagements",
    authenticated: true,
    pathParams: ClientPathSchema,
    body: CreateEngagementRequestSchema,
    response: { status: 201, description: "The engagement", schema: EngagementSchema, name: "Engagement" },
    extraProblems: [409],
    handler: "functions/http/engagements/createEngagement.handler",
  }),
  listEngagements: route({
    operationId: "listEngagements",
    method: "GET",
    path: `${CLIENT}/engagements`,
    summary: "List a client's engagements, newest period first",
    tag: "engagements",
    authenticated: true,
    pathParams: ClientPathSchema,
    response: { status: 200, description: "The engagements", schema: EngagementListSchema, name: "EngagementList" },
    handler: "functions/http/engagements/listEngagements.handler",
  }),
  getEngagement: route({
    operationId: "getEngagement",
    method: "GET",
    path: ENGAGEMENT,
    summary: "Get an engagement",
    tag: "engagements",
    authenticated: true,
    pathParams: EngagementPathSchema,
    response: { status: 200, description: "The engagement", schema: EngagementSchema, name: "Engagement" },
    handler: "functions/http/engagements/getEngagement.handler",
  }),
  getSourcePlan: route({
    operationId: "getSourcePlan",
    method: "GET",
    path: `${ENGAGEMENT}/source-plan`,
    summary:
      "The engagement's source plan: where the opening balances and the movement come from, who chose each part, " +
      "and the import each part uses",
    tag: "engagements",
    authenticated: true,
    pathParams: EngagementPathSchema,
    response: { status: 200, description: "The source plan", schema: SourcePlanViewSchema, name: "SourcePlan" },
    handler: "functions/http/engagements/getSourcePlan.handler",
  }),
  putSourcePlan: route({
    operationId: "putSourcePlan",
    method: "PUT",
    path: `${ENGAGEMENT}/source-plan`,
    summary:
      "Choose the engagement's source plan (parts left out go back to the default); the movement import switches " +
      "in the same write",
    tag: "engagements",
    authenticated: true,
    pathParams: EngagementPathSchema,
    body: SourcePlanRequestSchema,
    response: {
      status: 200,
      description: "The source plan as now resolved",
      schema: SourcePlanViewSchema,
      name: "SourcePlan",
    },
    handler: "functions/http/engagements/putSourcePlan.handler",
  }),
  closeEngagement: route({
    operationId: "closeEngagement",
    method: "POST",
    path: `${ENGAGEMENT}/close`,
    summary: "Close an engagement: the schedule no longer refreshes it (its figures stay; a manual sync still works)",
    tag: "engagements",
    authenticated: true,
    pathParams: EngagementPathSchema,
    response: { status: 200, description: "The closed engagement", schema: EngagementSchema, name: "Engagement" },
    handler: "functions/http/engagements/closeEngagement.handler",
  }),
  reopenEngagement: route({
    operationId: "reopenEngagement",
    method: "POST",
    path: `${ENGAGEMENT}/reopen`,
    summary: "Reopen a closed engagement: the schedule refreshes it again",
    tag: "engagements",
    authenticated: true,
    pathParams: EngagementPathSchema,
    response: { status: 200, description: "The reopened engagement", schema: EngagementSchema, name: "Engagement" },
    handler: "functions/http/engagements/reopenEngagement.handler",
  }),
  requestUpload: route({
    operationId: "requestUpload",
    method: "POST",
    path: `${ENGAGEMENT}/uploads`,
    summary: "Get a presigned URL to PUT a file to; the upload then starts an import",
    tag: "uploads",
    authenticated: true,
    pathParams: EngagementPathSchema,
    body: UploadRequestSchema,
    response: { status: 201, description: "Where and how to upload", schema: UploadTicketSchema, name: "UploadTicket" },
    extraProblems: [413],
    handler: "functions/http/uploads/requestUpload.handler",
  }),
  listImports: route({
    operationId: "listImports",
    method: "GET",
    path: `${ENGAGEMENT}/imports`,
    summary: "List the engagement's imports (versions), newest first",
    tag: "imports",
    authenticated: true,
    pathParams: EngagementPathSchema,
    query: ImportListQuerySchema,
    response: {
      status: 200,
      description: "One page of the imports (`limit` 1–200, default 50; `nextCursor` null on the last page)",
      schema: ImportListSchema,
      name: "ImportList",
    },
    handler: "functions/http/imports/listImports.handler",
  }),
  getImport: route({
    operationId: "getImport",
    method: "GET",
    path: IMPORT,
    summary: "Get an import with its full validation report",
    tag: "imports",
    authenticated: true,
    pathParams: ImportPathSchema,
    response: {
      status: 200,
      description: "The import and its report",
      schema: ImportReportSchema,
      name: "ImportReport",
    },
    handler: "functions/http/imports/getImport.handler",
  }),
  compareImports: route({
    operationId: "compareImports",
    method: "GET",
    path: `${IMPORT}/compare`,
    summary: "Accounts whose figures differ between two imports, before (`with`) and after (`importId`)",
    tag: "imports",
    authenticated: true,
    pathParams: ImportPathSchema,
    query: CompareQuerySchema,
    response: { status: 200, description: "The differences", schema: ImportComparisonSchema, name: "ImportComparison" },
    extraProblems: [409],
    handler: "functions/http/imports/compareImports.handler",
  }),
  activateImport: route({
    operationId: "activateImport",
    method: "POST",
    path: `${IMPORT}/activate`,
    summary:
      "Make an import the engagement's active version: an earlier one again, or a held one accepting its reasons " +
      '(`{"accept": [codes]}`)',
    tag: "imports",
    authenticated: true,
    pathParams: ImportPathSchema,
    body: ActivateImportRequestSchema,
    response: { status: 200, description: "The activation", schema: ImportActivationSchema, name: "ImportActivation" },
    extraProblems: [409],
    handler: "functions/http/imports/activateImport.handler",
  }),
  requestSync: route({
    operationId: "requestSync",
    method: "POST",
    path: `${ENGAGEMENT}/sync`,
    summary:
      "Sync the engagement's period from the client's accounting system (PowerOffice Go, Tripletex): queued as an " +
      "import, followed at the import resource",
    tag: "imports",
    authenticated: true,
    pathParams: EngagementPathSchema,
    response: {
      status: 202,
      description: "Queued: the import id and its resource (status `queued`, then `running`, then its outcome)",
      schema: SyncAcceptedSchema,
      name: "SyncAccepted",
      headers: { location: "The import resource, `…/imports/{importId}`" },
    },
    extraProblems: [409],
    handler: "functions/http/imports/requestSync.handler",
  }),
  getTrialBalance: route({
    operationId: "getTrialBalance",
    method: "GET",
    path: `${ENGAGEMENT}/trial-balance`,
    summary: "The active version's trial balance (the `saldo inspect --json` shape, with provenance and prior closing)",
    tag: "figures",
    authenticated: true,
    pathParams: EngagementPathSchema,
    response: {
      status: 200,
      description: "The trial balance",
      schema: TrialBalanceViewSchema,
      name: "TrialBalance",
      alternatives: [
        {
          mediaType: "text/csv",
          description:
            "The trial balance as CSV for spreadsheets: UTF-8 with BOM, `;`, decimal comma, CRLF, header row in the language of Accept-Language (nb or en)",
          headers: EXPORT_HEADERS,
        },
        {
          mediaType: XLSX_MEDIA_TYPE,
          description: "The trial balance as an XLSX workbook (numeric cells, a SUM total row)",
          headers: EXPORT_HEADERS,
        },
      ],
    },
    extraProblems: [406, 409, 422],
    handler: "functions/http/figures/getTrialBalance.handler",
  }),
  listTransactions: route({
    operationId: "listTransactions",
    method: "GET",
    path: `${ENGAGEMENT}/transactions`,
    summary: "The active version's transaction lines, one item per line, filtered and paged",
    tag: "figures",
    authenticated: true,
    pathParams: EngagementPathSchema,
    query: TransactionLinesQuerySchema,
    response: {
      status: 200,
      description: "One page of lines",
      schema: TransactionLinesPageSchema,
      name: "TransactionLinesPage",
      alternatives: [
        {
          mediaType: "text/csv",
          description:
            "One page of lines as CSV (same dialect as the trial balance). The first page (no cursor) starts with the BOM and the header row, later pages hold records only, so the pages appended in order are one file",
          headers: { ...EXPORT_HEADERS, "x-next-cursor": "The cursor of the next page; absent on the last page" },
        },
        {
          mediaType: XLSX_MEDIA_TYPE,
          description: `Every filtered line as one XLSX workbook (no cursor; at most ${API_XLSX_MAX_LINES_TEXT} lines, else 422 EXPORT_TOO_LARGE)`,
          headers: EXPORT_HEADERS,
        },
      ],
    },
    extraProblems: [406, 409, 422],
    handler: "functions/http/figures/listTransactions.handler",
  }),
  getReconciliation: route({
    operationId: "getReconciliation",
    method: "GET",
    path: `${ENGAGEMENT}/reconciliation`,
    summary:
      "The engagement's reconciliation across years and sources: status and each difference with its code, account, " +
      "amount, the figures compared and a hint",
    tag: "figures",
    authenticated: true,
    pathParams: EngagementPathSchema,
    query: ReconciliationQuerySchema,
    response: {
      status: 200,
      description:
        "The reconciliation (computed again when the engagement's sources changed since it was stored) with one page " +
        "of its differences (`limit`, default 500, at most 1 000) and `nextCursor` (null on the last page); `count` " +
        "and `total` cover every difference",
      schema: ReconciliationPageJsonSchema,
      name: "Reconciliation",
    },
    handler: "functions/http/figures/getReconciliation.handler",
  }),
  putIntegrationKey: route({
    operationId: "putIntegrationKey",
    method: "PUT",
    path: INTEGRATION,
    summary: "Store the client's key for an accounting system (never returned), check it and record the connection",
    tag: "integrations",
    authenticated: true,
    pathParams: IntegrationPathSchema,
    body: IntegrationKeyRequestSchema,
    response: {
      status: 200,
      description: "The key's status",
      schema: IntegrationStatusSchema,
      name: "IntegrationStatus",
    },
    handler: "functions/http/integrations/putIntegrationKey.handler",
  }),
  getIntegrationKey: route({
    operationId: "getIntegrationKey",
    method: "GET",
    path: INTEGRATION,
    summary:
      "Whether a key is set (masked to its last 4 characters), when set and last used, the bound company and the " +
      "connection as last seen",
    tag: "integrations",
    authenticated: true,
    pathParams: IntegrationPathSchema,
    response: {
      status: 200,
      description: "The key's status",
      schema: IntegrationStatusSchema,
      name: "IntegrationStatus",
    },
    handler: "functions/http/integrations/getIntegrationKey.handler",
  }),
  checkIntegration: route({
    operationId: "checkIntegration",
    method: "POST",
    path: `${INTEGRATION}/check`,
    summary: "Check the stored key live with the accounting system and record the connection's status",
    tag: "integrations",
    authenticated: true,
    pathParams: IntegrationPathSchema,
    response: {
      status: 200,
      description: "The key's status and the connection as just checked",
      schema: IntegrationStatusSchema,
      name: "IntegrationStatus",
    },
    extraProblems: [409],
    handler: "functions/http/integrations/checkIntegration.handler",
  }),
  listTripletexCompanies: route({
    operationId: "listTripletexCompanies",
    method: "GET",
    path: `${CLIENT}/integrations/tripletex/companies`,
    summary: "The companies the client's Tripletex key may log into (an accountant key: its client companies)",
    tag: "integrations",
    authenticated: true,
    pathParams: ClientPathSchema,
    response: {
      status: 200,
      description: "The companies, and the one bound to the client",
      schema: IntegrationCompaniesSchema,
      name: "IntegrationCompanies",
    },
    extraProblems: [409],
    handler: "functions/http/integrations/listTripletexCompanies.handler",
  }),
  bindTripletexCompany: route({
    operationId: "bindTripletexCompany",
    method: "PUT",
    path: `${CLIENT}/integrations/tripletex/company`,
    summary:
      "Bind the client to one of the companies its Tripletex key may log into (null: the key's own company), then " +
      "check the connection",
    tag: "integrations",
    authenticated: true,
    pathParams: ClientPathSchema,
    body: BindCompanyRequestSchema,
    response: {
      status: 200,
      description: "The integration as bound and checked",
      schema: IntegrationStatusSchema,
      name: "IntegrationStatus",
    },
    extraProblems: [409],
    handler: "functions/http/integrations/bindTripletexCompany.handler",
  }),
  deleteIntegrationKey: route({
    operationId: "deleteIntegrationKey",
    method: "DELETE",
    path: INTEGRATION,
    summary: "Remove the client's key for an accounting system",
    tag: "integrations",
    authenticated: true,
    pathParams: IntegrationPathSchema,
    response: { status: 204, description: "Removed (or none was set)" },
    handler: "functions/http/integrations/deleteIntegrationKey.handler",
  }),
  getOpenApiDocument: route({
    operationId: "getOpenApiDocument",
    method: "GET",
    path: "/openapi.json",
    summary: "This document",
    tag: "meta",
    authenticated: false,
    response: {
      status: 200,
      description: "The OpenAPI 3.1 document",
      schema: OpenApiDocumentSchema,
      name: "OpenApiDocument",
    },
    handler: "functions/http/meta/getOpenApiDocument.handler",
  }),
  getHealth: route({
    operationId: "getHealth",
    method: "GET",
    path: "/health",
    summary: "Liveness",
    tag: "meta",
    authenticated: false,
    response: { status: 200, description: "Up", schema: HealthSchema, name: "Health" },
    handler: "functions/http/meta/getHealth.handler",
  }),
};

/** The route table as a list, in the order above. */
export const API_ROUTES: readonly ApiRoute[] = Object.values(ROUTES);

/** Error statuses a route answers: validation 400, auth 401, unknown ids 404, throttling 429, its extras, and 500. */
export function problemStatusesOf(route: ApiRoute): number[] {
  const statuses = new Set<number>();
  if (route.pathParams || route.query || route.body) statuses.add(400);
  if (route.authenticated) statuses.add(401);
  if (route.pathParams) statuses.add(404);
  for (const status of route.extraProblems ?? []) statuses.add(status);
  if (route.authenticated) statuses.add(429);
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}
