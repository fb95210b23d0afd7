import type { Account, SourceLocation } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import type { ImportRecord } from "../../ledger/records.ts";
import type { SieLine } from "./SieLine.ts";
import { at, fieldLocation, reportIncomplete, type SieFindings } from "./sieFindings.ts";
import { isNumericAccount } from "./sieFieldValues.ts";

/** Chart and balance figures of one account, gathered before the account record is passed on. */
interface AccountDraft {
  id: string;
  name?: string;
  /** Declared by #KONTO, or given a figure by #IB/#UB/#RES; #KTYP/#SRU alone do not make an account. */
  emit: boolean;
  declared: boolean;
  accountType?: string;
  sru?: string;
  /** Year-0 and year −1 balances (SIE 4B #IB/#UB/#RES årsnr 0 and −1). */
  ib0?: Ore;
  ub0?: Ore;
  res0?: Ore;
  ibPrior?: Ore;
  ubPrior?: Ore;
  resPrior?: Ore;
  /** Balances whose record was there but unreadable: they are not taken as an omitted zero (§5.17). */
  unreadable?: Set<BalanceKey>;
  location: SourceLocation;
}

/** Which figure a balance record gives: year 0 or year −1 (prior) of #IB, #UB or #RES. */
export type BalanceKey = "ib0" | "ub0" | "res0" | "ibPrior" | "ubPrior" | "resPrior";

/**
 * The chart of accounts and the account balances of a SIE file: #KONTO, #KTYP and #SRU (group 3) and #IB, #UB and
 * #RES (group 4, SIE 4B §5.12–5.13). One account's figures are spread over several records, in any order among the
 * vouchers, so the chart is held (bounded by its size) and the account records are passed on at the end.
 */
export class SieChart {
  /** A balance record was read (a #SIETYP 4 file with balances is 4E, without them 4I). */
  sawBalances = false;
  private accounts = new Map<string, AccountDraft>();
  /** Chart records (#KONTO, #KTYP, #SRU) after the first #VER: applied, and noted once at the end. */
  private lateChartRecords = 0;
  private lateChartFirst: { label: string; account: string; location: SourceLocation } | undefined;
  private readonly nonNumericReported = new Set<string>();
  private extraSruCodes: string[] = [];

  constructor(private readonly findings: SieFindings) {}

  /** #KONTO nr name, #KTYP nr type, #SRU nr code; `afterVouchers` when a #VER came before it. */
  chartRecord(line: SieLine, property: "name" | "accountType" | "sru", afterVouchers: boolean): void {
    // The account number through the value cache, as on #TRANS rows: a consumer keying a map by account then
    // mostly gets the very string it stored, whose comparison is cheapest.
    const id = line.cachedString(0);
    const value = line.string(1);
    if (id === undefined || id === "") {
      reportIncomplete(this.findings, line, "an account number");
      return;
    }
    if (property !== "name" && (value === undefined || value === "")) {
      reportIncomplete(this.findings, line, property === "sru" ? "an SRU code" : "an account type");
      return;
    }
    if (afterVouchers) {
      // The chart (group 3) belongs before the balances and vouchers (group 4, SIE 4B §5.12). The accounts are
      // only passed on at the end, so the record is still applied; the order is noted once.
      this.lateChartRecords++;
      this.lateChartFirst ??= { label: line.label, account: id, location: at(line) };
    }
    this.checkAccountId(id, line, 0);
    const draft = this.draft(id, at(line));
    if (property === "name") {
      if (draft.declared) {
        this.findings(
          "warning",
          "SIE_DUPLICATE_ACCOUNT",
          `#KONTO ${id} is declared again; the first name is kept`,
          at(line),
          { account: id },
        );
        return;
      }
      draft.declared = true;
      draft.emit = true;
      draft.name = value ?? "";
      draft.location = at(line);
    } else if (property === "accountType") {
      draft.accountType ??= value!.toUpperCase();
    } else if (draft.sru === undefined) {
      draft.sru = value;
    } else if (draft.sru !== value) {
      // Exporters write two SRU codes for one account when the code depends on the balance's sign
      // (CC2-foretaget.SE: #SRU 6072 7513 and 7653). Noted once per file (see reportExtraSruCodes).
      this.extraSruCodes.push(`${id}: ${draft.sru} kept, ${value} not`);
    }
  }

  /**
   * #IB / #UB / #RES årsnr konto saldo [kvantitet]. Year 0 gives the account's opening/closing, year −1 its prior
   * figures; other years are not needed. An object list after the account (not in SIE 4B, written by some
   * programs) makes it an object balance like #OIB/#OUB, which is not an account total, unless it is empty.
   */
  balance(line: SieLine, current: BalanceKey, prior: BalanceKey): void {
    this.sawBalances = true;
    const year = line.string(0);
    const id = line.cachedString(1); // as in chartRecord
    if (year === undefined || id === undefined || id === "") {
      reportIncomplete(this.findings, line, "a year index and an account number");
      return;
    }
    if (year !== "0" && year !== "-1") {
      if (!/^-?\d+$/.test(year)) {
        this.findings(
          "warning",
          "SIE_INVALID_YEAR_INDEX",
          `${line.label} year index "${year}" is not a number; record skipped`,
          fieldLocation(line, 0),
        );
      }
      return;
    }
    let amountIndex = 2;
    if (line.isObjectList(2)) {
      if (line.objectListLength(2) > 0) return;
      amountIndex = 3;
    }
    const key = year === "0" ? current : prior;
    const raw = line.string(amountIndex);
    const amount = line.amount(amountIndex);
    this.checkAccountId(id, line, 1);
    const draft = this.draft(id, at(line));
    draft.emit = true;
    if (amount === undefined) {
      (draft.unreadable ??= new Set()).add(key);
      this.findings(
        "error",
        "SIE_INVALID_AMOUNT",
        raw === undefined
          ? `${line.label} ${year} ${id} has no amount; the balance is missing`
          : `${line.label} ${year} ${id} amount "${raw}" is not a SIE amount (SIE 4B §5.9); the balance is missing`,
        fieldLocation(line, amountIndex),
        { account: id },
      );
      return;
    }
    if (draft[key] !== undefined) {
      if (draft[key] !== amount) {
        this.findings(
          "warning",
          "SIE_DUPLICATE_BALANCE",
          `${line.label} ${year} ${id} is given twice; the first amount is kept`,
          at(line),
          { account: id, amount },
        );
      }
      return;
    }
    draft[key] = amount;
  }

  /** Notes an account number that is not numeric, once per number (vouchers' rows check theirs here too). */
  checkAccountId(id: string, line: SieLine, index: number): void {
    if (isNumericAccount(id) || this.nonNumericReported.has(id)) return;
    this.nonNumericReported.add(id);
    this.findings(
      "warning",
      "SIE_NON_NUMERIC_ACCOUNT",
      `account number "${id}" is not numeric (SIE 4B #KONTO); it is kept as written`,
      fieldLocation(line, index),
      {
        account: id,
      },
    );
  }

  /** The second SRU codes given to accounts, noted once (`SIE_DUPLICATE_SRU`). */
  reportExtraSruCodes(): void {
    if (this.extraSruCodes.length === 0) return;
    const examples = this.extraSruCodes.slice(0, 5).join("; ");
    this.findings(
      "info",
      "SIE_DUPLICATE_SRU",
      `${this.extraSruCodes.length} #SRU records give an account a second SRU code; the first code is kept (${examples}${this.extraSruCodes.length > 5 ? "; …" : ""})`,
      undefined,
    );
    this.extraSruCodes = [];
  }

  /** The chart records read after the first #VER, noted once (`SIE_RECORD_AFTER_VOUCHERS`). */
  reportLateChartRecords(): void {
    const first = this.lateChartFirst;
    if (first === undefined) return;
    this.findings(
      "warning",
      "SIE_RECORD_AFTER_VOUCHERS",
      `${this.lateChartRecords} chart record(s) (#KONTO, #KTYP, #SRU) come after the first #VER, where SIE 4B §5.12 ` +
        `puts the chart before the balances and vouchers (first: ${first.label} ${first.account}); they were applied`,
      first.location,
      { account: first.account },
    );
    this.lateChartFirst = undefined;
  }

  /** Passes the account records on (at the end of the file, when every figure is known) and lets the chart go. */
  passOnAccounts(output: ImportRecord[]): void {
    for (const draft of this.accounts.values()) {
      if (!draft.emit) continue;
      output.push({ type: "account", account: this.toAccount(draft) });
    }
    this.accounts = new Map();
  }

  private draft(id: string, location: SourceLocation): AccountDraft {
    let draft = this.accounts.get(id);
    if (!draft) {
      draft = { id, emit: false, declared: false, location };
      this.accounts.set(id, draft);
    }
    return draft;
  }

  /**
   * Turns a draft into an account record. SIE 4B §5.17 lets an exporter leave out zero balances, so for an account
   * with figures for a year, a missing side of that year is 0: a result account has #RES and no #IB (opening 0); a
   * balance account may lack #IB (new company) or #UB. Closing is #UB, else #RES. An account with no figures for a
   * year gets none, and a balance whose record was there but unreadable stays undefined (never a made-up 0).
   */
  private toAccount(draft: AccountDraft): Account {
    const mapping: Account["mapping"] = {};
    if (draft.sru !== undefined) mapping.sru = draft.sru;
    if (draft.accountType !== undefined) mapping.accountType = draft.accountType;
    const account: Account = { id: draft.id, name: draft.name ?? "", mapping, location: draft.location };
    const stated = (key: BalanceKey): boolean => draft[key] !== undefined;
    const omitted = (key: BalanceKey): Ore | undefined => (draft.unreadable?.has(key) ? undefined : 0n);
    if (stated("ib0") || stated("ub0") || stated("res0")) {
      account.opening = draft.ib0 ?? omitted("ib0");
      account.closing =
        draft.ub0 ?? draft.res0 ?? (draft.unreadable?.has("ub0") || draft.unreadable?.has("res0") ? undefined : 0n);
      if (draft.ub0 === undefined && draft.res0 === undefined && account.closing !== undefined)
        account.impliedClosing = true;
      if (draft.ub0 !== undefined && draft.res0 !== undefined && draft.ub0 !== draft.res0) {
        this.findings(
          "warning",
          "SIE_UB_RES_CONFLICT",
          `account ${draft.id} has both #UB 0 and #RES 0 with different amounts; #UB is used as the closing balance`,
          draft.location,
          { account: draft.id, amount: draft.res0 - draft.ub0 },
        );
      }
    }
    if (stated("ibPrior") || stated("ubPrior") || stated("resPrior")) {
      const prior: NonNullable<Account["prior"]> = {};
      const opening = draft.ibPrior ?? omitted("ibPrior");
      const closing =
        draft.ubPrior ??
        draft.resPrior ??
        (draft.unreadable?.has("ubPrior") || draft.unreadable?.has("resPrior") ? undefined : 0n);
      if (opening !== undefined) prior.opening = opening;
      if (closing !== undefined) prior.closing = closing;
      account.prior = prior;
    }
    return account;
  }
}
