import type { EngagementStore } from "../../lib/engagements/ports.ts";
import type { EngagementRef } from "../../lib/engagements/types.ts";
import { importFile } from "../../lib/imports/importFile.ts";
import type { ImportStore } from "../../lib/imports/ports.ts";
import { syncFromApi } from "../../lib/imports/syncFromApi.ts";
import { UPLOAD_METADATA_KEYS } from "../../lib/imports/uploadOptions.ts";
import { seedClient } from "../../lib/local/seedClient.ts";
import type { Transaction } from "../../lib/ledger/types.ts";
import type { KeyVault } from "../../lib/secrets/ports.ts";
import type { MemoryFileSource } from "./memoryFileSource.ts";
import { ScriptedConnector, type ScriptedBooks } from "./scriptedConnector.ts";

/*
 * A client with three year-end engagements, 2023 → 2024 → 2025, whose figures come from different sources (issue
 * #10's chain): 2023 from a SIE file; 2024's opening from last year's trial balance uploaded with the opening role
 * (its plan chooses `file`), its movement from the Tripletex API (whose own opening is wrong); 2025 by the default
 * plan — the opening carried over from 2024's closing, the movement from the API. For the in-memory stores (unit
 * tests) and DynamoDB Local (integration tests) alike.
 */

export interface ChainScenarioDeps {
  engagementStore: EngagementStore;
  importStore: ImportStore;
  files: MemoryFileSource;
  keys: KeyVault;
  connector: ScriptedConnector;
  now?: () => Date;
}

export type ChainYear = 2023 | 2024 | 2025;

/** A SIE 4 trial balance of one fiscal year: per account `[opening, closing]` in øre (#IB/#UB, or #RES for 3–8). */
export function sieYear(year: number, balances: Record<string, [bigint, bigint]>): Uint8Array {
  const decimal = (ore: bigint) =>
    `${ore < 0n ? "-" : ""}${(ore < 0n ? -ore : ore) / 100n}.${String((ore < 0n ? -ore : ore) % 100n).padStart(2, "0")}`;
  const lines = ["#FLAGGA 0", "#SIETYP 4", '#FNAMN "Fjordkanten AS"', `#RAR 0 ${year}0101 ${year}1231`];
  for (const [account, [opening, closing]] of Object.entries(balances)) {
    lines.push(`#KONTO ${account} "Konto ${account}"`);
    if (/^[12]/.test(account)) {
      lines.push(`#IB 0 ${account} ${decimal(opening)}`);
      lines.push(`#UB 0 ${account} ${decimal(closing)}`);
    } else {
      lines.push(`#RES 0 ${account} ${decimal(closing)}`);
    }
  }
  return new TextEncoder().encode(lines.join("\r\n") + "\r\n");
}

/** 2023 as its SIE file states it: the year's result 500,00 moved to equity (8800 against 2050). */
export const FIGURES_2023: Record<string, [bigint, bigint]> = {
  "1920": [100_000n, 150_000n],
  "2050": [-100_000n, -150_000n],
  "3000": [0n, -50_000n],
  "8800": [0n, 50_000n],
};

/**
 * Last year's (2023's) trial balance uploaded to 2024 with the opening role: a corrected 2023 — 1920 closed at
 * 1 400,00, not the 1 500,00 of 2023's own file — so an opening from the file differs from one from the prior.
 */
export const OPENING_FILE_2024: Record<string, [bigint, bigint]> = {
  "1920": [100_000n, 140_000n],
  "2050": [-100_000n, -140_000n],
  "3000": [0n, -40_000n],
  "8800": [0n, 40_000n],
};

function posting(id: string, date: string, lines: Array<[string, bigint]>): Transaction {
  return {
    id,
    journal: "1",
    date,
    description: `Bilag ${id}`,
    lines: lines.map(([account, amount]) => ({ account, amount })),
  };
}

/**
 * 2024 as the API reports it: a sale (1920 +1 250,00 against 3000 and VAT) and the year-end allocation of the result
 * (8800 against 2050) — with an opening the API gets wrong (1920 at 1 000,00), which the plan does not use.
 */
export function apiBooks2024(): ScriptedBooks {
  return {
    company: { id: "77", name: "Fjordkanten AS" },
    accounts: [
      { id: "1920", name: "Bankinnskudd", opening: 100_000n, closing: 225_000n },
      { id: "2050", name: "Annen egenkapital", opening: -100_000n, closing: -200_000n },
      { id: "2700", name: "Utgående merverdiavgift", opening: 0n, closing: -25_000n },
      { id: "3000", name: "Salgsinntekt", opening: 0n, closing: -100_000n },
      { id: "8800", name: "Årsresultat", opening: 0n, closing: 100_000n },
    ],
    transactions: [
      posting("24-1", "2024-03-14", [
        ["1920", 125_000n],
        ["3000", -100_000n],
        ["2700", -25_000n],
      ]),
      posting("24-2", "2024-12-31", [
        ["8800", 100_000n],
        ["2050", -100_000n],
      ]),
    ],
    digest: "2024-v1",
  };
}

/**
 * 2025 as the API reports it: the opening 2024 really closed at (the opening-role file + the API's 2024 postings),
 * and one sale of 500,00.
 */
export function apiBooks2025(): ScriptedBooks {
  return {
    company: { id: "77", name: "Fjordkanten AS" },
    accounts: [
      { id: "1920", name: "Bankinnskudd", opening: 265_000n, closing: 315_000n },
      { id: "2050", name: "Annen egenkapital", opening: -240_000n, closing: -240_000n },
      { id: "2700", name: "Utgående merverdiavgift", opening: -25_000n, closing: -25_000n },
      { id: "3000", name: "Salgsinntekt", opening: 0n, closing: -50_000n },
    ],
    transactions: [
      posting("25-1", "2025-05-02", [
        ["1920", 50_000n],
        ["3000", -50_000n],
      ]),
    ],
    digest: "2025-v1",
  };
}

/** The chain scenario on some stores: the client, its engagements, its connection, and the steps. */
export class ChainScenario {
  readonly refs: Record<ChainYear, EngagementRef>;
  #uploads = 0;

  constructor(
    readonly deps: ChainScenarioDeps,
    readonly tenantId: string,
    readonly clientId = "fjordkanten",
  ) {
    const ref = (year: ChainYear) => ({ tenantId, clientId, engagementId: String(year) });
    this.refs = { 2023: ref(2023), 2024: ref(2024), 2025: ref(2025) };
  }

  /** The client (Tripletex, connected: key stored and connection recorded) and its three year-end engagements. */
  async seed(): Promise<void> {
    const { engagementStore, keys } = this.deps;
    const at = "2026-01-02T08:00:00.000Z";
    const client = { tenantId: this.tenantId, clientId: this.clientId };
    await seedClient(
      { engagementStore, now: () => new Date(at) },
      { ...client, name: "Fjordkanten AS", accountingSystem: "tripletex" },
      ([2023, 2024, 2025] as const).map((fiscalYear) => ({
        engagementId: this.refs[fiscalYear].engagementId,
        kind: "year-end",
        fiscalYear,
      })),
    );
    await keys.put({ ...client, system: "tripletex" }, { employeeToken: "demo-tripletex-ok" });
    await engagementStore.recordIntegration(client, "tripletex", { connection: { status: "ok", checkedAt: at } });
  }

  /** Uploads a file into the year's engagement (as the S3 drop does), with the opening role when asked. */
  async upload(year: ChainYear | EngagementRef, fileName: string, bytes: Uint8Array, role?: "opening") {
    const ref = typeof year === "number" ? this.refs[year] : year;
    const key = `uploads/${ref.tenantId}/${ref.clientId}/${ref.engagementId}/${fileName}`;
    this.deps.files.objects.set(key, bytes);
    if (role) this.deps.files.metadata.set(key, { [UPLOAD_METADATA_KEYS.role]: role });
    this.#uploads++;
    const result = await importFile(
      { ...this.deps, retentionSeconds: 3600, heartbeatSeconds: 0.5 },
      {
        bucket: "saldo-uploads",
        key,
        eventTime: new Date(Date.UTC(2026, 0, 3, 0, 0, this.#uploads)).toISOString(),
        sequencer: String(this.#uploads).padStart(4, "0"),
        trigger: { kind: "s3-event" },
      },
    );
    if (result.outcome !== "imported" || result.activation.outcome !== "activated") {
      throw new Error(`upload ${fileName} to ${year} was not activated: ${JSON.stringify(result)}`);
    }
    return result.run;
  }

  /** Syncs the year's engagement from the scripted API serving `books`. */
  async sync(year: ChainYear, books: ScriptedBooks) {
    this.deps.connector.books = books;
    const result = await syncFromApi(
      {
        ...this.deps,
        connectors: { tripletex: this.deps.connector },
        retentionSeconds: 3600,
        heartbeatSeconds: 0.5,
      },
      { ref: this.refs[year], trigger: { kind: "cli", by: "test" } },
    );
    if (result.outcome !== "imported" || result.activation.outcome !== "activated") {
      throw new Error(`sync of ${year} was not activated: ${JSON.stringify(result)}`);
    }
    return result.run;
  }
}
