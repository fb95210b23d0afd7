import { z } from "zod";
import { JsonAmountSchema } from "../amounts.ts";

/**
 * zod schemas of the Tripletex API 2.0 responses saldo reads (OpenAPI document `tripletex-v2.openapi.json`, API
 * 2.74). Only the fields the connector asks for (through `fields=`) and uses are declared; unknown keys are dropped,
 * so a new field never breaks a sync, while a missing or retyped field the mapping needs fails loudly, naming the
 * endpoint and the field path (the HTTP client reports the zod issue path).
 *
 * Tripletex writes an unset reference as `null` (or leaves it out when `fields` did not ask for it): every optional
 * reference is `nullish`.
 */

/** `yyyy-MM-dd`, as Tripletex writes every date. */
export const TripletexDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a yyyy-MM-dd date");

/** The list envelope of every `GET` list endpoint (`ListResponseXxx`). `fullResultSize` is deprecated and inexact. */
export function listResponseSchema<T extends z.ZodType>(item: T) {
  return z.object({
    fullResultSize: z.number().int().nullish(),
    from: z.number().int().nullish(),
    count: z.number().int().nullish(),
    /** Changes when the list (all pages of the query) changes: the refresh's change marker. */
    versionDigest: z.string().nullish(),
    values: z.array(item),
  });
}
/** The single-value envelope (`ResponseWrapperXxx`). */
export function valueResponseSchema<T extends z.ZodType>(item: T) {
  return z.object({ value: item });
}

/** `SessionToken` of `PUT /token/session/:create`. The token is a secret: never logged, never recorded. */
export const SessionTokenSchema = z.object({
  id: z.number().int().nullish(),
  token: z.string().min(1),
  expirationDate: TripletexDateSchema,
});

/** `Currency` (only the ISO code is used). */
const CurrencyRefSchema = z.object({ code: z.string().nullish() }).nullish();

/** `Company` (`GET /company/{id}`, and the `company` of `>whoAmI`). */
export const CompanySchema = z.object({
  id: z.number().int(),
  name: z.string().nullish(),
  organizationNumber: z.string().nullish(),
  startDate: z.string().nullish(),
  currency: CurrencyRefSchema,
});
export type TripletexCompany = z.infer<typeof CompanySchema>;

/** `LoggedInUserInfo` of `GET /token/session/>whoAmI`. */
export const LoggedInUserInfoSchema = z.object({
  employeeId: z.number().int().nullish(),
  companyId: z.number().int(),
  company: CompanySchema.nullish(),
  employee: z
    .object({ id: z.number().int().nullish(), firstName: z.string().nullish(), lastName: z.string().nullish() })
    .nullish(),
});

/** `Client` of `GET /company/>withLoginAccess`: a company an accountant key may log into (proxy login). */
export const ClientCompanySchema = z.object({
  id: z.number().int(),
  name: z.string().nullish(),
  displayName: z.string().nullish(),
  organizationNumber: z.string().nullish(),
});

/** `Account` of `GET /ledger/account`: the chart of accounts with its SAF-T codes. */
export const AccountSchema = z.object({
  id: z.number().int(),
  number: z.number().int(),
  name: z.string(),
  type: z.string().nullish(),
  ledgerType: z.string().nullish(),
  /** SAF-T 1.0 StandardAccountID. */
  saftCode: z.string().nullish(),
  /** SAF-T 1.3 GroupingCode. */
  groupingCode: z.string().nullish(),
  isInactive: z.boolean().nullish(),
});
export type TripletexAccount = z.infer<typeof AccountSchema>;

/** `BalanceSheetAccount` of `GET /balanceSheet` (saldobalanse): IB, change and UB of one account over the dates. */
export const BalanceSheetAccountSchema = z.object({
  account: z.object({ id: z.number().int().nullish(), number: z.number().int(), name: z.string().nullish() }),
  balanceIn: JsonAmountSchema,
  balanceChange: JsonAmountSchema,
  balanceOut: JsonAmountSchema,
});
export type TripletexBalanceSheetAccount = z.infer<typeof BalanceSheetAccountSchema>;

const NumberedRefSchema = z.object({ id: z.number().int().nullish() });

/** `Posting` of `GET /ledger/posting`: one line of a voucher. */
export const PostingSchema = z.object({
  id: z.number().int(),
  date: TripletexDateSchema,
  description: z.string().nullish(),
  /** NOK, debit positive: the figure balances are built from (not `amountGross`). */
  amount: JsonAmountSchema,
  amountCurrency: JsonAmountSchema.nullish(),
  currency: CurrencyRefSchema,
  row: z.number().int().nullish(),
  voucher: z.object({
    id: z.number().int(),
    number: z.number().int().nullish(),
    year: z.number().int().nullish(),
    description: z.string().nullish(),
    voucherType: z.object({ name: z.string().nullish() }).nullish(),
  }),
  account: z.object({ number: z.number().int() }),
  customer: NumberedRefSchema.extend({
    customerNumber: z.number().int().nullish(),
    name: z.string().nullish(),
  }).nullish(),
  supplier: NumberedRefSchema.extend({
    supplierNumber: z.number().int().nullish(),
    name: z.string().nullish(),
  }).nullish(),
  department: NumberedRefSchema.extend({
    departmentNumber: z.string().nullish(),
    name: z.string().nullish(),
  }).nullish(),
  project: NumberedRefSchema.extend({ number: z.string().nullish(), name: z.string().nullish() }).nullish(),
  vatType: NumberedRefSchema.extend({ number: z.string().nullish() }).nullish(),
  freeAccountingDimension1: NumberedRefSchema.extend({ number: z.string().nullish() }).nullish(),
  freeAccountingDimension2: NumberedRefSchema.extend({ number: z.string().nullish() }).nullish(),
  freeAccountingDimension3: NumberedRefSchema.extend({ number: z.string().nullish() }).nullish(),
});
export type TripletexPosting = z.infer<typeof PostingSchema>;

/** The `fields=` selections the connector sends, so responses carry exactly what the schemas above read. */
export const FIELDS = {
  company: "id,name,organizationNumber,startDate,currency(code)",
  whoAmI:
    "employeeId,companyId,company(id,name,organizationNumber,startDate,currency(code)),employee(id,firstName,lastName)",
  clients: "id,name,displayName,organizationNumber",
  account: "id,number,name,type,ledgerType,saftCode,groupingCode,isInactive",
  balanceSheet: "account(id,number,name),balanceIn,balanceChange,balanceOut",
  posting:
    "id,date,description,amount,amountCurrency,currency(code),row," +
    "voucher(id,number,year,description,voucherType(name)),account(number)," +
    "customer(id,customerNumber,name),supplier(id,supplierNumber,name)," +
    "department(id,departmentNumber,name),project(id,number,name),vatType(id,number)," +
    "freeAccountingDimension1(id,number),freeAccountingDimension2(id,number),freeAccountingDimension3(id,number)",
} as const;

/** Tripletex's error code for a query whose result exceeds 10 000 rows (422), whatever `count` is. */
export const RESULT_TOO_LARGE_CODE = 23000;
/** Rows a single query may return in total, across its pages. */
export const MAX_ROWS_PER_QUERY = 10_000;
