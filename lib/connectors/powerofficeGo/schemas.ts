import { z } from "zod";
import { JsonAmountSchema } from "../amounts.ts";

/**
 * zod schemas of the PowerOffice Go API v2 responses saldo reads (vendor OpenAPI document
 * `../shared/specs/poweroffice-go-v2.openapi.yaml`, components/schemas). Objects are not strict: the API adds fields
 * over time and a new field must not break a sync; a field saldo uses that changes type or disappears fails loudly
 * (the HTTP client names the endpoint and the field path). Lists are bare PascalCase arrays; an empty list is a 204
 * without a body (handled by the HTTP client, never parsed here).
 */

/** ISO date `YYYY-MM-DD` (the spec's `format: date`). */
const IsoDateSchema = z.iso.date();

/**
 * PowerOffice's `date-time` values come as `2021-09-30 08:03:00.123456+00:00` (space, microseconds, offset) as well as
 * ISO `T`: any string that starts with a date and a time and that `Date` can read, kept as sent (it is fed back
 * verbatim into `…DateTimeOffsetGreaterThan` filters, where the microseconds matter).
 */
export const PowerOfficeTimestampSchema = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/,
    "a date-time (YYYY-MM-DD hh:mm:ss±hh:mm)",
  );

/** `POST /OAuth/Token` (client credentials; not in the v2 document, which covers the resource API only). */
export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  /** Seconds the token is valid (600 in the spec example, 20 min in the guides). */
  expires_in: z.coerce.number().int().positive(),
  token_type: z.string().optional(),
});

/** `GET /ClientIntegrationInformation` (ClientIntegrationInformationDto). */
export const ClientIntegrationInformationSchema = z.object({
  ClientId: z.string().nullish(),
  ClientName: z.string().nullish(),
  ValidPrivileges: z.array(z.string()).nullish(),
  InvalidPrivileges: z.array(z.string()).nullish(),
  ActiveClientSubscriptions: z.array(z.string()).nullish(),
});
export type ClientIntegrationInformation = z.infer<typeof ClientIntegrationInformationSchema>;

/** `GET /OrganizationSettings` (OrganizationSettingDto): the client's name and organisation number. */
export const OrganizationSettingsSchema = z.object({
  Name: z.string().nullish(),
  LegalName: z.string().nullish(),
  OrganizationNumber: z.string().nullish(),
  LastChangedDateTimeOffset: PowerOfficeTimestampSchema.nullish(),
});

export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** `GET /FinancialSettings` (FinancialSettingsDto). */
export const FinancialSettingsSchema = z.object({
  ConversionDate: IsoDateSchema.nullish(),
  CurrencyCode: z.string().nullish(),
  /** Null on a client that never set it: the calendar year (December). */
  FinancialYearEndMonth: z.enum(MONTHS).nullish(),
  LastChangedDateTimeOffset: PowerOfficeTimestampSchema.nullish(),
});

/** GeneralLedgerAccountType of the spec. */
export const GeneralLedgerAccountTypeSchema = z.enum(["Asset", "Liability", "Equity", "Income", "Expense"]);

/** `GET /GeneralLedgerAccounts` (array of GeneralLedgerAccountDto). */
export const GeneralLedgerAccountSchema = z.object({
  Id: z.number().int(),
  AccountNo: z.number().int(),
  Name: z.string().nullish(),
  IsActive: z.boolean().nullish(),
  GeneralLedgerAccountType: GeneralLedgerAccountTypeSchema.nullish(),
  VatCode: z.string().nullish(),
  CurrencyCode: z.string().nullish(),
  LastChangedDateTimeOffset: PowerOfficeTimestampSchema.nullish(),
});
export type GeneralLedgerAccount = z.infer<typeof GeneralLedgerAccountSchema>;
export const GeneralLedgerAccountListSchema = z.array(GeneralLedgerAccountSchema);

/** `GET /TrialBalance` (array of TrialBalanceLineDto): the balance at the end of `date`, client currency. */
export const TrialBalanceLineSchema = z.object({
  AccountId: z.number().int().nullish(),
  AccountNo: z.number().int(),
  AccountName: z.string().nullish(),
  /** Balance at the end of the day, client currency, øre. */
  Balance: JsonAmountSchema,
});
export const TrialBalanceListSchema = z.array(TrialBalanceLineSchema);

/** `GET /AccountTransactions` (array of AccountTransactionDto): one posted amount on one account. */
export const AccountTransactionSchema = z.object({
  Id: z.number().int(),
  AccountNo: z.number().int(),
  /** Client currency (NOK), debit positive. */
  Amount: JsonAmountSchema,
  /** In `CurrencyCode`; the spec allows more decimals than øre (rates), so kept as the number sent. */
  CurrencyAmount: z.number().nullish(),
  CurrencyCode: z.string().nullish(),
  PostingDate: IsoDateSchema,
  VoucherDate: IsoDateSchema.nullish(),
  VoucherNo: z.number().int(),
  VoucherId: z.string().min(1),
  VoucherType: z.string().nullish(),
  Description: z.string().nullish(),
  VoucherDescription: z.string().nullish(),
  VatCode: z.string().nullish(),
  CustomerAccountNo: z.number().int().nullish(),
  SupplierAccountNo: z.number().int().nullish(),
  EmployeeAccountNo: z.number().int().nullish(),
  DepartmentCode: z.string().nullish(),
  ProjectCode: z.string().nullish(),
  Dim1Code: z.string().nullish(),
  Dim2Code: z.string().nullish(),
  Dim3Code: z.string().nullish(),
  IsReversed: z.boolean().nullish(),
  ReversedVoucherNo: z.number().int().nullish(),
  CorrectionOfVoucherNo: z.number().int().nullish(),
  CreatedDateTimeOffset: PowerOfficeTimestampSchema.nullish(),
  LastChangedDateTimeOffset: PowerOfficeTimestampSchema.nullish(),
});
export const AccountTransactionListSchema = z.array(AccountTransactionSchema);

/**
 * RFC 7807 ProblemDetails. PowerOffice sends `Title`/`Detail` as well as `title`/`detail` (apis.md pitfalls): the keys
 * are read case-insensitively by {@link readProblemDetails}.
 */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
}

/** Reads a ProblemDetails body whatever its key casing; anything else gives an empty object. */
export function readProblemDetails(body: unknown): ProblemDetails {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return {};
  const out: ProblemDetails = {};
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (
      (lower === "type" || lower === "title" || lower === "detail" || lower === "instance") &&
      typeof value === "string"
    ) {
      out[lower] = value;
    } else if (lower === "status" && typeof value === "number") {
      out.status = value;
    }
  }
  return out;
}
