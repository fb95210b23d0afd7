import type { ImportRecord } from "../ledger/records.ts";
import type { Issue, SourceLocation } from "../ledger/types.ts";
import { FieldTooLongError } from "./errors.ts";

/**
 * Maximum lengths (in characters) of what an import stores, per field. Every stored item must stay below DynamoDB's
 * 400 KB; these limits keep any one field far below it, whatever a file holds (a 450 KB company name made the import
 * item too large to save).
 *
 * - **Text for people** (names, descriptions) longer than its limit is cut, with a `FIELD_TRUNCATED` warning naming
 *   the field and where it is: the figures do not depend on it. The limits are well above what the formats allow
 *   (SAF-T Financial: 70 characters for names, 256 for descriptions — SAFmiddle2textType, SAFlongtextType).
 * - **Identifiers and codes** (account numbers, voucher ids, dimensions, currency, …) are never cut — a cut id could
 *   merge two accounts — so a longer one fails the import (`FIELD_TOO_LONG`, with the field and its position).
 */
export const FIELD_LIMITS = {
  /** Company, account and customer/supplier names; software name and version. */
  name: 500,
  /** Voucher and line descriptions. */
  description: 1_000,
  /** Account numbers, voucher and record ids, journals, customer/supplier ids, dimensions, codes, dates, amounts. */
  identifier: 200,
} as const;

/** Text fields cut at {@link FIELD_LIMITS}: which limit applies. */
type TextKind = "name" | "description";

/**
 * Applies {@link FIELD_LIMITS} to one record of a file being imported: returns the record with over-long text cut
 * and pushes a `FIELD_TRUNCATED` issue for each cut onto `issues`.
 *
 * @throws FieldTooLongError `FIELD_TOO_LONG` for an identifier or code over its limit
 */
export function limitFieldLengths(record: ImportRecord, fileName: string, issues: Issue[]): ImportRecord {
  const limiter = new RecordLimiter(fileName, issues);
  switch (record.type) {
    case "header": {
      const { header } = record;
      const company = { ...header.company };
      if (company.name !== undefined) company.name = limiter.text(company.name, "name", "header.company.name");
      limiter.identifier(company.orgNumber, "header.company.orgNumber");
      limiter.identifier(header.currency, "header.currency");
      limiter.identifier(header.formatVersion, "header.formatVersion");
      limiter.identifier(header.encoding, "header.encoding");
      const software = header.software
        ? {
            ...(header.software.name !== undefined
              ? { name: limiter.text(header.software.name, "name", "header.software.name") }
              : {}),
            ...(header.software.version !== undefined
              ? { version: limiter.text(header.software.version, "name", "header.software.version") }
              : {}),
          }
        : undefined;
      if (!limiter.changed) return record;
      return { type: "header", header: { ...header, company, ...(software ? { software } : {}) } };
    }
    case "account": {
      const { account } = record;
      limiter.at(account.location, { account: limiter.shown(account.id) });
      limiter.identifier(account.id, "account.id");
      for (const [name, value] of Object.entries(account.mapping)) limiter.identifier(value, `account.mapping.${name}`);
      const name = limiter.text(account.name, "name", "account.name");
      return limiter.changed ? { type: "account", account: { ...account, name } } : record;
    }
    case "party": {
      const { party } = record;
      limiter.at(party.location);
      limiter.identifier(party.id, `${party.kind}.id`);
      limiter.identifier(party.orgNumber, `${party.kind}.orgNumber`);
      for (const [index, balance] of party.balances.entries()) {
        limiter.identifier(balance.account, `${party.kind}.balances[${index}].account`);
      }
      const name = limiter.text(party.name, "name", `${party.kind}.name`);
      return limiter.changed ? { type: "party", party: { ...party, name } } : record;
    }
    case "transaction": {
      const { transaction } = record;
      limiter.at(transaction.location, { transactionId: limiter.shown(transaction.id) });
      limiter.identifier(transaction.id, "transaction.id");
      limiter.identifier(transaction.journal, "transaction.journal");
      limiter.identifier(transaction.date, "transaction.date");
      limiter.identifier(transaction.voucherType, "transaction.voucherType");
      limiter.identifier(transaction.entryDate, "transaction.entryDate");
      const description =
        transaction.description === undefined
          ? undefined
          : limiter.text(transaction.description, "description", "transaction.description");
      let lines = transaction.lines;
      for (const [index, line] of transaction.lines.entries()) {
        const path = `transaction.lines[${index}]`;
        limiter.identifier(line.account, `${path}.account`);
        limiter.identifier(line.recordId, `${path}.recordId`);
        limiter.identifier(line.taxCode, `${path}.taxCode`);
        limiter.identifier(line.customerId, `${path}.customerId`);
        limiter.identifier(line.supplierId, `${path}.supplierId`);
        limiter.identifier(line.date, `${path}.date`);
        limiter.identifier(line.quantity, `${path}.quantity`);
        if (line.currencyAmount) {
          limiter.identifier(line.currencyAmount.currency, `${path}.currencyAmount.currency`);
          limiter.identifier(line.currencyAmount.amount, `${path}.currencyAmount.amount`);
          limiter.identifier(line.currencyAmount.exchangeRate, `${path}.currencyAmount.exchangeRate`);
        }
        for (const [position, dimension] of (line.dimensions ?? []).entries()) {
          limiter.identifier(dimension.type, `${path}.dimensions[${position}].type`);
          limiter.identifier(dimension.id, `${path}.dimensions[${position}].id`);
        }
        if (line.description !== undefined && line.description.length > FIELD_LIMITS.description) {
          if (lines === transaction.lines) lines = [...transaction.lines];
          lines[index] = { ...line, description: limiter.text(line.description, "description", `${path}.description`) };
        }
      }
      if (!limiter.changed) return record;
      return {
        type: "transaction",
        transaction: { ...transaction, lines, ...(description === undefined ? {} : { description }) },
      };
    }
    default:
      return record;
  }
}

/** The checks of one record: where it is, what was cut. */
class RecordLimiter {
  changed = false;
  private location: SourceLocation | undefined;
  private refs: Pick<Issue, "account" | "transactionId"> = {};

  constructor(
    private readonly fileName: string,
    private readonly issues: Issue[],
  ) {}

  at(location: SourceLocation | undefined, refs: Pick<Issue, "account" | "transactionId"> = {}): void {
    this.location = location;
    this.refs = Object.fromEntries(Object.entries(refs).filter(([, value]) => value !== undefined));
  }

  /** An id as an issue may quote it: itself when within its limit (else it is about to fail the import anyway). */
  shown(id: string): string | undefined {
    return id.length <= FIELD_LIMITS.identifier ? id : undefined;
  }

  text(value: string, kind: TextKind, field: string): string {
    const limit = FIELD_LIMITS[kind];
    if (value.length <= limit) return value;
    this.changed = true;
    this.issues.push({
      severity: "warning",
      code: "FIELD_TRUNCATED",
      message:
        `${this.where()}${field} is ${value.length} characters long, more than the ${limit} saldo keeps: ` +
        `cut to its first ${limit}`,
      field,
      ...this.refs,
      ...(this.location ? { location: this.location } : {}),
    });
    return cutAt(value, limit);
  }

  identifier(value: string | undefined, field: string): void {
    if (value === undefined || value.length <= FIELD_LIMITS.identifier) return;
    throw new FieldTooLongError(
      `${this.where()}${field} is ${value.length} characters long; identifiers and codes may have at most ` +
        `${FIELD_LIMITS.identifier} (they are never cut)`,
      { field, length: value.length, limit: FIELD_LIMITS.identifier, fileName: this.fileName, location: this.location },
    );
  }

  private where(): string {
    return this.location ? `${this.fileName}:${this.location.line}:${this.location.column}: ` : `${this.fileName}: `;
  }
}

/** The first `limit` UTF-16 units of `value`, not splitting a surrogate pair. */
function cutAt(value: string, limit: number): string {
  const code = value.charCodeAt(limit - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit);
}
