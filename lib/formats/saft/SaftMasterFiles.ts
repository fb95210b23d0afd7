import type { Account, Party, PartyBalance, SourceLocation } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import type { ImportRecord } from "../../ledger/records.ts";
import { SaftElement as E } from "./saftElements.ts";
import { net } from "./SaftLineDraft.ts";
import type { SaftClueName } from "./SaftVersionEvidence.ts";

/** Opening/Closing Debit/Credit balances of an account, a party or a party's BalanceAccount. */
interface BalanceFields {
  openingDebit?: Ore;
  openingCredit?: Ore;
  closingDebit?: Ore;
  closingCredit?: Ore;
  /** A balance was present but unreadable (an issue was reported; do not also report it missing). */
  invalid: boolean;
}

/** A `GeneralLedgerAccounts/Account` being read. */
export interface AccountFields extends BalanceFields {
  id?: string;
  name?: string;
  standardAccountId?: string;
  groupingCategory?: string;
  groupingCode?: string;
  accountType?: string;
  location: SourceLocation;
}

/** A `Customers/Customer` or `Suppliers/Supplier` being read. */
export interface PartyFields extends BalanceFields {
  kind: "customer" | "supplier";
  id?: string;
  name?: string;
  orgNumber?: string;
  account?: string;
  balances: PartyBalance[];
  location: SourceLocation;
}

/** A party's `BalanceAccount` (SAF-T 1.30+) being read. */
export interface BalanceAccountFields extends BalanceFields {
  account?: string;
}

/** What reading the master files needs from the record builder. */
export interface SaftMasterFilesContext {
  /** Parses an amount leaf; reports an issue and returns `undefined` when it cannot. */
  amount(text: string, field: string, account?: string): Ore | undefined;
  /** Reports a problem found in the master files. */
  problem(
    severity: "error" | "warning",
    code: string,
    message: string,
    location: SourceLocation,
    account?: string,
  ): void;
  /** Passes a record on. */
  emit(record: ImportRecord): void;
  /** Notes a clue to the schema version once (at the current element). */
  clue(name: SaftClueName): void;
  /** Notes a clue to the schema version at `location`, however often it is seen. */
  see(name: SaftClueName, location: SourceLocation): void;
}

/**
 * The master files of a SAF-T Financial file (SAF-T Financial NO XSD, MasterFiles): the general-ledger accounts
 * with their opening and closing balances, and the customers and suppliers with theirs. One account or party is
 * held at a time and passed on at its end tag.
 */
export class SaftMasterFiles {
  private account: AccountFields | undefined;
  private party: PartyFields | undefined;
  private balanceAccount: BalanceAccountFields | undefined;

  constructor(private readonly context: SaftMasterFilesContext) {}

  startAccount(location: SourceLocation): void {
    this.account = { invalid: false, location };
  }

  startParty(kind: "customer" | "supplier", location: SourceLocation): void {
    this.party = { kind, balances: [], invalid: false, location };
  }

  startBalanceAccount(): void {
    this.balanceAccount = { invalid: false };
  }

  /** A leaf of `Account`. */
  accountLeaf(code: number, text: string): void {
    const account = this.account!;
    switch (code) {
      case E.AccountID:
        account.id = text;
        return;
      case E.AccountDescription:
        account.name = text;
        return;
      case E.StandardAccountID:
        account.standardAccountId = text;
        return;
      case E.GroupingCategory:
        account.groupingCategory = text;
        return;
      case E.GroupingCode:
        account.groupingCode = text;
        return;
      case E.AccountType:
        account.accountType = text;
        return;
    }
    this.balance(account, code, text, account.id);
  }

  /** A leaf of `Customer`/`Supplier` (SAF-T 1.20 puts AccountID and the balances here). */
  partyLeaf(code: number, text: string): void {
    const party = this.party!;
    switch (code) {
      case E.CustomerID:
      case E.SupplierID:
        party.id = text;
        return;
      case E.Name:
        party.name = text;
        return;
      case E.RegistrationNumber:
        party.orgNumber = text;
        return;
      case E.AccountID:
        party.account = text;
        return;
    }
    this.balance(party, code, text, party.account);
  }

  /** A leaf of a party's `BalanceAccount`. */
  balanceAccountLeaf(code: number, text: string): void {
    const balanceAccount = this.balanceAccount!;
    if (code === E.AccountID) balanceAccount.account = text;
    else this.balance(balanceAccount, code, text, balanceAccount.account);
  }

  finishAccount(): void {
    const fields = this.account!;
    const context = this.context;
    this.account = undefined;
    if (fields.standardAccountId !== undefined) context.clue("standardAccount");
    else {
      context.see("accountWithoutStandard", fields.location);
      if (fields.groupingCategory !== undefined) context.see("groupingWithoutStandard", fields.location);
    }
    if (!fields.id) {
      context.problem("error", "SAFT_ACCOUNT_MISSING_ID", "an Account without AccountID was left out", fields.location);
      return;
    }
    const account: Account = { id: fields.id, name: fields.name ?? "", mapping: {}, location: fields.location };
    if (fields.standardAccountId !== undefined) account.mapping.standardAccountId = fields.standardAccountId;
    if (fields.groupingCategory !== undefined) account.mapping.groupingCategory = fields.groupingCategory;
    if (fields.groupingCode !== undefined) account.mapping.groupingCode = fields.groupingCode;
    if (fields.accountType !== undefined) account.mapping.accountType = fields.accountType;
    const opening = net(fields.openingDebit, fields.openingCredit);
    const closing = net(fields.closingDebit, fields.closingCredit);
    if (opening !== undefined) account.opening = opening;
    if (closing !== undefined) account.closing = closing;
    if ((opening === undefined || closing === undefined) && !fields.invalid) {
      context.problem(
        "warning",
        "SAFT_ACCOUNT_MISSING_BALANCE",
        `account ${fields.id} states no ${opening === undefined ? "opening" : "closing"} balance (the XSD requires Opening/Closing Debit or Credit Balance)`,
        fields.location,
        fields.id,
      );
    }
    context.emit({ type: "account", account });
  }

  finishBalanceAccount(): void {
    const fields = this.balanceAccount!;
    this.balanceAccount = undefined;
    if (fields.invalid) this.party!.invalid = true;
    this.party!.balances.push(partyBalance(fields.account, fields));
  }

  finishParty(): void {
    const fields = this.party!;
    this.party = undefined;
    // SAF-T 1.20: AccountID and the balances sit directly in Customer/Supplier.
    const direct =
      fields.account !== undefined ||
      fields.openingDebit !== undefined ||
      fields.openingCredit !== undefined ||
      fields.closingDebit !== undefined ||
      fields.closingCredit !== undefined;
    if (direct) fields.balances.unshift(partyBalance(fields.account, fields));
    if (!fields.id) {
      this.context.problem(
        "error",
        "SAFT_PARTY_MISSING_ID",
        `a ${fields.kind === "customer" ? "Customer without CustomerID" : "Supplier without SupplierID"} was left out`,
        fields.location,
      );
      return;
    }
    const party: Party = {
      kind: fields.kind,
      id: fields.id,
      name: fields.name ?? "",
      balances: fields.balances,
      location: fields.location,
    };
    if (fields.orgNumber !== undefined) party.orgNumber = fields.orgNumber;
    this.context.emit({ type: "party", party });
  }

  /** Opening/Closing Debit/Credit balances (SAF-T 1.7: opening = OpeningDebit − OpeningCredit; negatives accepted). */
  private balance(target: BalanceFields, code: number, text: string, account: string | undefined): void {
    const field =
      code === E.OpeningDebitBalance
        ? "OpeningDebitBalance"
        : code === E.OpeningCreditBalance
          ? "OpeningCreditBalance"
          : code === E.ClosingDebitBalance
            ? "ClosingDebitBalance"
            : "ClosingCreditBalance";
    const amount = this.context.amount(text, field, account);
    if (amount === undefined) {
      target.invalid = true;
      return;
    }
    if (code === E.OpeningDebitBalance) target.openingDebit = amount;
    else if (code === E.OpeningCreditBalance) target.openingCredit = amount;
    else if (code === E.ClosingDebitBalance) target.closingDebit = amount;
    else target.closingCredit = amount;
  }
}

function partyBalance(account: string | undefined, fields: BalanceFields): PartyBalance {
  const balance: PartyBalance = {};
  if (account !== undefined) balance.account = account;
  const opening = net(fields.openingDebit, fields.openingCredit);
  const closing = net(fields.closingDebit, fields.closingCredit);
  if (opening !== undefined) balance.opening = opening;
  if (closing !== undefined) balance.closing = closing;
  return balance;
}
