/**
 * Generates large, valid and consistent SIE 4E files for the benchmark (and for tests that need size):
 * `#FORMAT PC8` with CP437 bytes (or UTF-8 on request), a chart with Swedish names (å, ä, ö), #IB/#UB/#RES that agree with the
 * vouchers (IB + Σ #TRANS = UB per balance account, Σ #TRANS = RES per result account), and balanced vouchers.
 *
 * It streams: the vouchers are produced twice from the same seed, first only to total the balances (which the
 * file states before the vouchers, SIE 4B §5.12), then to write them. Amounts are integer øre as bigint.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import iconv from "iconv-lite";
import { formatOre, type Ore } from "../lib/money/ore.ts";

export interface GenerateSieOptions {
  vouchers: number;
  /** #TRANS rows per voucher (at least 2); default 3. */
  linesPerVoucher?: number;
  /** Accounts in the chart (at least 10); default 200. */
  accounts?: number;
  seed?: number;
  /**
   * Byte encoding: `cp437` (default) is what `#FORMAT PC8` declares (SIE 4B §5.8) and the slow path of the
   * decoding stage; `utf-8` is what many newer exporters write under the same tag.
   */
  encoding?: "cp437" | "utf-8";
  /**
   * Every `auditTrailEvery`-th voucher was changed after it was entered: it carries a removed row (`#BTRANS`) and
   * an added one (`#RTRANS`, repeated as the `#TRANS` that counts, SIE 4B #RTRANS). 0 (default): none.
   */
  auditTrailEvery?: number;
}

/** mulberry32: a small deterministic PRNG, so the same seed gives the same file. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ChartAccount {
  id: string;
  name: string;
  /** SIE #KTYP: T asset, S liability/equity, K cost, I income. */
  type: "T" | "S" | "K" | "I";
}

const NAMES: Record<ChartAccount["type"], string[]> = {
  T: ["Kassa", "Bankkonto", "Kundfordringar", "Förutbetalda kostnader", "Inventarier", "Lager av råvaror"],
  S: ["Leverantörsskulder", "Utgående moms", "Ingående moms", "Skatteskulder", "Upplupna löner", "Eget kapital"],
  I: ["Försäljning varor", "Försäljning tjänster", "Övriga rörelseintäkter", "Ränteintäkter"],
  K: [
    "Inköp varor",
    "Lokalhyra",
    "Förbrukningsinventarier",
    "Löner tjänstemän",
    "Arbetsgivaravgifter",
    "Bankkostnader",
  ],
};

function chartOf(count: number): ChartAccount[] {
  const chart: ChartAccount[] = [];
  const types: ChartAccount["type"][] = ["T", "S", "I", "K"];
  const base = { T: 1000, S: 2000, I: 3000, K: 4000 };
  for (let i = 0; i < count; i++) {
    const type = types[i % 4]!;
    const index = Math.floor(i / 4);
    const id = String(base[type] + (type === "K" ? index * 4 : index * 3) + 10);
    const names = NAMES[type];
    chart.push({ id, name: `${names[index % names.length]} ${index + 1}`, type });
  }
  return chart;
}

const TEXTS = [
  "Försäljning kassa",
  "Leverantörsfaktura",
  "Hyra lokal",
  "Löneutbetalning",
  "Bankavgift",
  "Kundinbetalning",
];

function isoDay(dayOfYear: number): string {
  const date = new Date(Date.UTC(2024, 0, 1 + dayOfYear));
  return date.toISOString().slice(0, 10).replaceAll("-", "");
}

/**
 * Produces the vouchers one by one. With `movements`, adds each row's amount to its account; with `asText`,
 * yields each voucher as SIE text (else yields an empty string per voucher, for the totalling pass).
 */
function* eachVoucher(
  options: Required<GenerateSieOptions>,
  chart: ChartAccount[],
  movements: Map<string, Ore> | undefined,
  asText: boolean,
): Generator<string> {
  const next = random(options.seed ^ 0x5eed);
  for (let v = 1; v <= options.vouchers; v++) {
    const date = isoDay(Math.floor(next() * 366));
    const text = TEXTS[Math.floor(next() * TEXTS.length)]!;
    let rows = asText ? `#VER A ${v} ${date} "${text} ${v}" ${date}\n{\n` : "";
    let sum = 0n;
    for (let l = 0; l < options.linesPerVoucher; l++) {
      const account = chart[Math.floor(next() * chart.length)]!;
      const last = l === options.linesPerVoucher - 1;
      const amount: Ore = last ? -sum : BigInt(Math.floor(next() * 2_000_000) - 1_000_000);
      const withObject = next() < 0.25;
      sum += amount;
      if (movements) movements.set(account.id, (movements.get(account.id) ?? 0n) + amount);
      if (asText) {
        const objects = withObject ? `{1 "${100 + (v % 7)}"}` : "{}";
        const row = `#TRANS ${account.id} ${objects} ${formatOre(amount)} ${date} "${text}"`;
        if (last && options.auditTrailEvery > 0 && v % options.auditTrailEvery === 0) {
          // The row was moved from another account: the old row removed, the new one added (and repeated as #TRANS).
          const other = chart[(chart.indexOf(account) + 1) % chart.length]!;
          rows += `\t#BTRANS ${other.id} ${objects} ${formatOre(amount)} ${date} "${text}" "" "saldo"\n`;
          rows += `\t#RTRANS ${account.id} ${objects} ${formatOre(amount)} ${date} "${text}" "" "saldo"\n`;
        }
        rows += `\t${row}\n`;
      }
    }
    yield asText ? rows + "}\n" : "";
  }
}

/**
 * Streams a SIE 4E file in chunks of about 64 KiB (CP437 unless `encoding` says otherwise). With
 * `vouchers: 350_000` and 3 rows each it holds 1.05 M #TRANS rows (about 76 MB).
 */
export async function* generateSie(options: GenerateSieOptions): AsyncGenerator<Uint8Array> {
  const settings: Required<GenerateSieOptions> = {
    vouchers: options.vouchers,
    linesPerVoucher: Math.max(2, options.linesPerVoucher ?? 3),
    accounts: Math.max(10, options.accounts ?? 200),
    seed: options.seed ?? 1,
    encoding: options.encoding ?? "cp437",
    auditTrailEvery: options.auditTrailEvery ?? 0,
  };
  const chart = chartOf(settings.accounts);
  const next = random(settings.seed);

  // Opening balances for balance accounts, summing to zero (the last balance account takes the difference).
  const opening = new Map<string, Ore>();
  const balanceAccounts = chart.filter((account) => account.type === "T" || account.type === "S");
  let openingSum = 0n;
  for (const account of balanceAccounts.slice(0, -1)) {
    const amount = BigInt(Math.floor(next() * 100_000_000) - 50_000_000);
    opening.set(account.id, amount);
    openingSum += amount;
  }
  opening.set(balanceAccounts.at(-1)!.id, -openingSum);

  // First pass: only the totals per account, for the #UB/#RES records that precede the vouchers.
  const movements = new Map<string, Ore>();
  for (const _ of eachVoucher(settings, chart, movements, false)) continue;

  const CHUNK_CHARACTERS = 64 * 1024;
  let parts: string[] = [];
  let length = 0;
  const take = (): Uint8Array => {
    const bytes = iconv.encode(parts.join(""), settings.encoding);
    parts = [];
    length = 0;
    return bytes;
  };

  parts.push(
    [
      "#FLAGGA 0",
      "#FORMAT PC8",
      "#SIETYP 4",
      '#PROGRAM "saldo generateSie" 1.0',
      "#GEN 20250115",
      '#FNAMN "Genererat Övningsbolag AB"',
      "#ORGNR 556677-8899",
      "#RAR 0 20240101 20241231",
      "#RAR -1 20230101 20231231",
      "#KPTYP BAS2014",
      "#VALUTA SEK",
      "",
    ].join("\n"),
  );
  for (const account of chart)
    parts.push(`#KONTO ${account.id} "${account.name}"\n#KTYP ${account.id} ${account.type}\n`);
  for (const account of chart) {
    const movement = movements.get(account.id) ?? 0n;
    if (account.type === "T" || account.type === "S") {
      const ib = opening.get(account.id) ?? 0n;
      parts.push(`#IB 0 ${account.id} ${formatOre(ib)}\n#UB 0 ${account.id} ${formatOre(ib + movement)}\n`);
    } else {
      parts.push(`#RES 0 ${account.id} ${formatOre(movement)}\n`);
    }
  }
  yield take();

  for (const voucher of eachVoucher(settings, chart, undefined, true)) {
    parts.push(voucher);
    length += voucher.length;
    if (length >= CHUNK_CHARACTERS) yield take();
  }
  if (parts.length > 0) yield take();
}

/** Writes a generated SIE file to `path`. */
export async function writeSieFile(path: string, options: GenerateSieOptions): Promise<void> {
  await pipeline(Readable.from(generateSie(options)), createWriteStream(path));
}
