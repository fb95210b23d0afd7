import type { Period } from "../../ledger/types.ts";
import type { Ore } from "../../money/ore.ts";
import type { IntegrationSystem } from "../../secrets/types.ts";
import { hashSeed, SeededRandom } from "./seededRandom.ts";

/**
 * The demo books both fake servers (Tripletex, PowerOffice Go) serve: deterministic company books as plain data,
 * independent of any API, so each fake only maps them to its own JSON. Every company has fiscal years 2024 and 2025
 * (calendar years), a Norwegian chart of accounts (NS 4102) with SAF-T standard account ids and RF-1167 grouping codes,
 * VAT codes (SAF-T standard tax codes), customers and suppliers, departments and projects, and a few hundred vouchers a
 * year (sales with VAT, purchases, salaries, rent, bank, VAT settlements), each balanced to the øre, amounts with øre.
 * 2024 opens with a conversion balance (`openingBalances` at `conversionDate`); the 2024 result is allocated on
 * 2024-12-31 (8960 against 2050 for a profit, 2080 against 8960 for a loss), so 2025 opens with 2024's balance-sheet
 * closing and the result accounts at zero. 2025 is the year being closed: its result is not allocated.
 *
 * Balances follow one convention everywhere: balance-sheet accounts (1xxx–2xxx) run from the conversion; result
 * accounts (3xxx–8xxx) run from the start of the fiscal year of the date asked about.
 */

/** The fixed demo keys of the local stack and the fakes. */
export const DEMO_KEYS = [
  "demo-poweroffice-ok",
  "demo-tripletex-ok",
  "demo-tripletex-wrong-ib",
  "demo-tripletex-accountant",
] as const;
export type DemoKey = (typeof DEMO_KEYS)[number];

/** What a demo key is and which companies it reaches. */
export interface DemoKeyInfo {
  key: DemoKey;
  system: IntegrationSystem;
  /** `client`: a PowerOffice Go client key; `employee`: a Tripletex employee token; `accountant`: a Tripletex accountant's. */
  role: "client" | "employee" | "accountant";
  /** The company the key belongs to (Tripletex username `0`; the PowerOffice Go client). */
  ownCompany: DemoCompanySlug;
  /** The companies the key may act for (an accountant key: its clients; otherwise its own company). */
  reaches: readonly DemoCompanySlug[];
}

export type DemoCompanySlug = "fjordlys" | "nordvik" | "havbris" | "tindesol" | "skarvik";

export const DEMO_KEY_INFO: Readonly<Record<DemoKey, DemoKeyInfo>> = {
  "demo-poweroffice-ok": {
    key: "demo-poweroffice-ok",
    system: "poweroffice-go",
    role: "client",
    ownCompany: "fjordlys",
    reaches: ["fjordlys"],
  },
  "demo-tripletex-ok": {
    key: "demo-tripletex-ok",
    system: "tripletex",
    role: "employee",
    ownCompany: "nordvik",
    reaches: ["nordvik"],
  },
  "demo-tripletex-wrong-ib": {
    key: "demo-tripletex-wrong-ib",
    system: "tripletex",
    role: "employee",
    ownCompany: "havbris",
    reaches: ["havbris"],
  },
  "demo-tripletex-accountant": {
    key: "demo-tripletex-accountant",
    system: "tripletex",
    role: "accountant",
    ownCompany: "tindesol",
    reaches: ["nordvik", "skarvik"],
  },
};

/** A company as the books know it. `id` is the system's own id: a Tripletex company id, a PowerOffice Go ClientId. */
export interface DemoCompany {
  slug: string;
  system: IntegrationSystem;
  /** Tripletex: a positive integer as text; PowerOffice Go: a GUID. */
  id: string;
  name: string;
  /** 9 digits with a valid mod-11 check digit. */
  orgNumber: string;
  currency: "NOK";
  address: { street: string; postalCode: string; city: string };
}

export type DemoAccountKind = "asset" | "equity" | "liability" | "income" | "expense";

/** An account of the chart (NS 4102 numbering). */
export interface DemoAccount {
  number: string;
  name: string;
  kind: DemoAccountKind;
  /** 1xxx–2xxx. */
  isBalanceAccount: boolean;
  /** SAF-T StandardAccountID (the NS 4102 standard account). */
  standardAccountId: string;
  /** SAF-T GroupingCategory / GroupingCode (næringsspesifikasjon RF-1167 post). */
  groupingCategory: string;
  groupingCode: string;
  /** The VAT code the account suggests, when it has one. */
  vatCode?: string;
}

/** A VAT code (SAF-T standard tax code) with its rate in percent. */
export interface DemoVatCode {
  code: string;
  name: string;
  /** Percent, e.g. 25. */
  rate: number;
  direction: "output" | "input" | "none";
}

export interface DemoParty {
  /** Customer/supplier number (reskontro), e.g. `10001` / `20001`. */
  id: string;
  name: string;
  orgNumber?: string;
}

export interface DemoDimensionValue {
  id: string;
  name: string;
}

/** One posting line. Amount in øre, debit positive. */
export interface DemoPosting {
  /** Unique in the company's books. */
  id: number;
  /** Line number within the voucher, from 1. */
  row: number;
  account: string;
  amount: Ore;
  description: string;
  vatCode?: string;
  customerId?: string;
  supplierId?: string;
  departmentId?: string;
  projectId?: string;
}

export type DemoVoucherKind =
  | "sale"
  | "customer-payment"
  | "purchase"
  | "supplier-payment"
  | "salary"
  | "rent"
  | "bank-fee"
  | "interest"
  | "vat-settlement"
  | "vat-payment"
  | "tax-payment"
  | "depreciation"
  | "result-allocation";

/** A voucher: balanced (its postings sum to 0 øre). */
export interface DemoVoucher {
  /** Unique in the company's books. */
  id: number;
  /** Voucher number, from 1 in each fiscal year. */
  number: number;
  year: number;
  date: string;
  description: string;
  kind: DemoVoucherKind;
  /** ISO timestamp of registration (the day after `date`, within office hours, UTC). */
  createdAt: string;
  postings: readonly DemoPosting[];
}

/** A posting with its voucher, as listed by posting-level endpoints. */
export interface DemoPostingRow extends DemoPosting {
  voucher: DemoVoucher;
  date: string;
}

/** One account's figures over a period: opening (balance before it), movement, closing. */
export interface DemoTrialBalanceRow {
  account: DemoAccount;
  opening: Ore;
  movement: Ore;
  closing: Ore;
}

/**
 * A correction the API applies to the opening balances it reports, which the postings do not show (the known field
 * problem of `demo-tripletex-wrong-ib`): from `from` on, the reported balance of `account` is off by `amount`.
 */
export interface ReportedOpeningAdjustment {
  from: string;
  account: string;
  amount: Ore;
  note: string;
}

/** Books a fake serves: demo books, or synthetic volume books (see `syntheticBooks.ts`). */
export interface LedgerBooks {
  company: DemoCompany;
  fiscalYears: readonly Period[];
  /** Balances before this date are {@link LedgerBooks.openingBalances} (the conversion). */
  conversionDate: string;
  /** Balance-sheet accounts at the conversion; sums to 0. */
  openingBalances: ReadonlyMap<string, Ore>;
  accounts: readonly DemoAccount[];
  vatCodes: readonly DemoVatCode[];
  customers: readonly DemoParty[];
  suppliers: readonly DemoParty[];
  departments: readonly DemoDimensionValue[];
  projects: readonly DemoDimensionValue[];
  /** Empty except for the wrong-IB company. */
  reportedOpeningAdjustments: readonly ReportedOpeningAdjustment[];
  /** Vouchers dated within the inclusive window (all when absent), by date then number; lazily. */
  vouchers(window?: Period): Iterable<DemoVoucher>;
  /** Posting lines dated within the inclusive window, in voucher order; `offset`/`limit` page through them cheaply. */
  postings(window: Period, page?: { offset?: number; limit?: number }): Iterable<DemoPostingRow>;
  /** Posting lines dated within the inclusive window, without producing them. */
  postingCount(window: Period): number;
  /** True balance per account at the end of `date` (every account of the chart, zeros included). */
  balancesAt(date: string): Map<string, Ore>;
  /** True balance per account just before `date` (result accounts: since the fiscal year of `date` began). */
  balancesBefore(date: string): Map<string, Ore>;
  /** True opening, movement, closing per account for an inclusive period within one fiscal year. */
  trialBalance(period: Period): DemoTrialBalanceRow[];
}

/** The demo company books, by slug (built once, on first use). */
export function demoCompanyBooks(slug: DemoCompanySlug): LedgerBooks {
  let books = cache.get(slug);
  if (!books) {
    books = buildDemoBooks(COMPANY_SPECS[slug]);
    cache.set(slug, books);
  }
  return books;
}

/** The books of every company a key reaches, its own first when it reaches it. */
export function demoBooksForKey(key: DemoKey): LedgerBooks[] {
  const info = DEMO_KEY_INFO[key];
  return info.reaches.map((slug) => demoCompanyBooks(slug));
}

/** The demo company with a system id, for fakes that look a company up by id (undefined when none). */
export function demoCompanyById(system: IntegrationSystem, id: string): LedgerBooks | undefined {
  const slug = (Object.keys(COMPANY_SPECS) as DemoCompanySlug[]).find(
    (candidate) => COMPANY_SPECS[candidate].system === system && COMPANY_SPECS[candidate].id === id,
  );
  return slug ? demoCompanyBooks(slug) : undefined;
}

/** Every demo company's slug. */
export const DEMO_COMPANY_SLUGS: readonly DemoCompanySlug[] = ["fjordlys", "nordvik", "havbris", "tindesol", "skarvik"];

// ---------------------------------------------------------------------------------------------------------------------
// The chart of accounts, VAT codes and companies

const account = (number: string, name: string, kind: DemoAccountKind, vatCode?: string): DemoAccount => ({
  number,
  name,
  kind,
  isBalanceAccount: number < "3000",
  standardAccountId: number,
  groupingCategory: "RF-1167",
  groupingCode: number,
  ...(vatCode ? { vatCode } : {}),
});

/** NS 4102 accounts the demo books use (names as in the standard). */
export const DEMO_CHART: readonly DemoAccount[] = [
  account("1250", "Inventar", "asset"),
  account("1500", "Kundefordringer", "asset"),
  account("1920", "Bankinnskudd", "asset"),
  account("2000", "Aksjekapital", "equity"),
  account("2050", "Annen egenkapital", "equity"),
  account("2080", "Udekket tap", "equity"),
  account("2400", "Leverandørgjeld", "liability"),
  account("2600", "Forskuddstrekk", "liability"),
  account("2700", "Utgående merverdiavgift, høy sats", "liability"),
  account("2710", "Inngående merverdiavgift, høy sats", "liability"),
  account("2740", "Oppgjørskonto merverdiavgift", "liability"),
  account("2770", "Skyldig arbeidsgiveravgift", "liability"),
  account("2940", "Skyldige feriepenger", "liability"),
  account("3000", "Salgsinntekt, avgiftspliktig", "income", "3"),
  account("3100", "Salgsinntekt, avgiftsfri", "income", "5"),
  account("4000", "Innkjøp av råvarer og halvfabrikater", "expense", "1"),
  account("5000", "Lønn til ansatte", "expense"),
  account("5180", "Feriepenger", "expense"),
  account("5400", "Arbeidsgiveravgift", "expense"),
  account("6010", "Avskrivning på transportmidler, maskiner og inventar", "expense"),
  account("6300", "Leie lokale", "expense"),
  account("6540", "Inventar", "expense", "1"),
  account("6800", "Kontorrekvisita", "expense", "1"),
  account("6900", "Telefon", "expense", "1"),
  account("7140", "Reisekostnad, ikke oppgavepliktig", "expense", "1"),
  account("7770", "Bank- og kortgebyrer", "expense"),
  account("8040", "Renteinntekt", "income"),
  account("8150", "Rentekostnad", "expense"),
  account("8800", "Årsresultat", "equity"),
  account("8960", "Overføringer annen egenkapital", "equity"),
];

/** SAF-T standard tax codes the demo books use. */
export const DEMO_VAT_CODES: readonly DemoVatCode[] = [
  { code: "0", name: "Ingen avgiftsbehandling", rate: 0, direction: "none" },
  { code: "1", name: "Fradrag inngående avgift, høy sats", rate: 25, direction: "input" },
  { code: "3", name: "Utgående avgift, høy sats", rate: 25, direction: "output" },
  { code: "5", name: "Ingen utgående avgift (innenfor mva-loven)", rate: 0, direction: "output" },
];

interface CompanySpec {
  slug: DemoCompanySlug;
  system: IntegrationSystem;
  id: string;
  name: string;
  orgPrefix: string;
  address: DemoCompany["address"];
  /** Scales the sales (below 1: a loss-making year). */
  salesScale: number;
  employees: number;
  quirk?: "wrong-ib";
}

const COMPANY_SPECS: Readonly<Record<DemoCompanySlug, CompanySpec>> = {
  fjordlys: {
    slug: "fjordlys",
    system: "poweroffice-go",
    id: "7b0c5a1e-3f4d-4c8e-9a21-5d6e7f809a1b",
    name: "Fjordlys Elektro AS",
    orgPrefix: "91234567",
    address: { street: "Strandkaien 12", postalCode: "5013", city: "Bergen" },
    salesScale: 1.1,
    employees: 6,
  },
  nordvik: {
    slug: "nordvik",
    system: "tripletex",
    id: "1000101",
    name: "Nordvik Bygg AS",
    orgPrefix: "92345678",
    address: { street: "Industriveien 4", postalCode: "7080", city: "Heimdal" },
    salesScale: 1.25,
    employees: 8,
  },
  havbris: {
    slug: "havbris",
    system: "tripletex",
    id: "1000102",
    name: "Havbris Restaurant AS",
    orgPrefix: "93456789",
    address: { street: "Bryggen 7", postalCode: "8006", city: "Bodø" },
    salesScale: 1.0,
    employees: 7,
    quirk: "wrong-ib",
  },
  tindesol: {
    slug: "tindesol",
    system: "tripletex",
    id: "1000100",
    name: "Tindesol Regnskap AS",
    orgPrefix: "91122334",
    address: { street: "Storgata 21", postalCode: "0184", city: "Oslo" },
    salesScale: 0.9,
    employees: 4,
  },
  skarvik: {
    slug: "skarvik",
    system: "tripletex",
    id: "1000103",
    name: "Skarvik Transport AS",
    orgPrefix: "98765432",
    address: { street: "Havnegata 3", postalCode: "9008", city: "Tromsø" },
    salesScale: 0.66,
    employees: 5,
  },
};

const cache = new Map<DemoCompanySlug, LedgerBooks>();

const ORG_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];

/** The first valid organisation number at or above `prefix` (8 digits) + its mod-11 check digit. */
export function orgNumberFromPrefix(prefix: string): string {
  for (let candidate = Number(prefix); candidate < Number(prefix) + 100; candidate++) {
    const digits = String(candidate).padStart(8, "0");
    const sum = ORG_WEIGHTS.reduce((total, weight, index) => total + weight * Number(digits[index]), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return `${digits}${check === 11 ? 0 : check}`;
  }
  throw new RangeError(`no valid organisation number near ${prefix}`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Building the books

const FISCAL_YEARS: readonly Period[] = [
  { start: "2024-01-01", end: "2024-12-31" },
  { start: "2025-01-01", end: "2025-12-31" },
];

const CUSTOMER_NAMES = [
  "Aasen Eiendom AS",
  "Berg & Sønner AS",
  "Dahl Invest AS",
  "Eikeland Gård",
  "Fossum Borettslag",
  "Grønli Barnehage SA",
  "Holm Maskin AS",
  "Isaksen Tannlegekontor",
  "Johansen Frisør",
  "Kvalheim Hotell AS",
  "Lunde Skole",
  "Moen Sameie",
];
const SUPPLIER_NAMES = [
  "Elkjøp Bedrift AS",
  "Byggmakker Norge AS",
  "Telenor Norge AS",
  "Staples Norge AS",
  "Würth Norge AS",
  "Circle K Norge AS",
  "Posten Bring AS",
  "Visma Software AS",
];

interface VoucherDraft {
  date: string;
  description: string;
  kind: DemoVoucherKind;
  lines: Omit<DemoPosting, "id" | "row">[];
}

function buildDemoBooks(spec: CompanySpec): LedgerBooks {
  const random = new SeededRandom(hashSeed(`saldo-demo:${spec.slug}`));
  const company: DemoCompany = {
    slug: spec.slug,
    system: spec.system,
    id: spec.id,
    name: spec.name,
    orgNumber: orgNumberFromPrefix(spec.orgPrefix),
    currency: "NOK",
    address: spec.address,
  };
  const customers: DemoParty[] = CUSTOMER_NAMES.map((name, index) => ({ id: String(10001 + index), name }));
  const suppliers: DemoParty[] = SUPPLIER_NAMES.map((name, index) => ({ id: String(20001 + index), name }));
  const departments: DemoDimensionValue[] = [
    { id: "100", name: "Salg" },
    { id: "200", name: "Prosjekt" },
    { id: "300", name: "Administrasjon" },
  ];
  const projects: DemoDimensionValue[] = [
    { id: "P-101", name: "Rehabilitering Sentrum" },
    { id: "P-102", name: "Nybygg Øst" },
    { id: "P-103", name: "Service og vedlikehold" },
    { id: "P-104", name: "Rammeavtale kommune" },
  ];

  // Conversion balance at 2024-01-01 (balance-sheet accounts only); 2050 takes the difference so it sums to zero.
  const opening = new Map<string, Ore>([
    ["1250", random.ore(15_000_000n, 30_000_000n)],
    ["1500", random.ore(18_000_000n, 32_000_000n)],
    ["1920", random.ore(40_000_000n, 90_000_000n)],
    ["2000", -3_000_000n],
    ["2400", -random.ore(9_000_000n, 16_000_000n)],
    ["2600", -random.ore(4_000_000n, 6_000_000n)],
    ["2740", -random.ore(3_000_000n, 7_000_000n)],
    ["2770", -random.ore(2_500_000n, 4_000_000n)],
    ["2940", -random.ore(6_000_000n, 9_000_000n)],
  ]);
  let openingSum = 0n;
  for (const amount of opening.values()) openingSum += amount;
  opening.set("2050", -openingSum);

  const drafts: VoucherDraft[] = [];
  const add = (draft: VoucherDraft) => drafts.push(draft);

  // Settling the conversion's open items in January–June 2024.
  add({
    date: "2024-01-19",
    description: "Innbetaling kundefordringer fra konvertering",
    kind: "customer-payment",
    lines: pair("1920", "1500", opening.get("1500")!, "Innbetaling kundefordringer"),
  });
  add({
    date: "2024-01-22",
    description: "Betaling leverandørgjeld fra konvertering",
    kind: "supplier-payment",
    lines: pair("2400", "1920", -opening.get("2400")!, "Betaling leverandørgjeld"),
  });
  add({
    date: "2024-01-15",
    description: "Betaling forskuddstrekk og arbeidsgiveravgift 6. termin",
    kind: "tax-payment",
    lines: [
      { account: "2600", amount: -opening.get("2600")!, description: "Forskuddstrekk" },
      { account: "2770", amount: -opening.get("2770")!, description: "Arbeidsgiveravgift" },
      {
        account: "1920",
        amount: opening.get("2600")! + opening.get("2770")!,
        description: "Skattetrekk og arbeidsgiveravgift",
      },
    ],
  });
  add({
    date: "2024-02-12",
    description: "Betaling merverdiavgift 6. termin 2023",
    kind: "vat-payment",
    lines: pair("2740", "1920", -opening.get("2740")!, "Merverdiavgift"),
  });
  add({
    date: "2024-06-14",
    description: "Utbetaling feriepenger opptjent 2023",
    kind: "salary",
    lines: pair("2940", "1920", -opening.get("2940")!, "Feriepenger"),
  });

  let holidayPayOf2024 = 0n;
  for (const fiscalYear of FISCAL_YEARS) {
    const year = Number(fiscalYear.start.slice(0, 4));
    const lastDay = fiscalYear.end;
    const monthlySalary = BigInt(spec.employees) * random.ore(3_800_000n, 4_600_000n);
    let holidayPayAccrued = 0n;
    for (let month = 1; month <= 12; month++) {
      const days = daysInMonth(year, month);
      const day = (d: number) => isoDate(year, month, Math.min(d, days));

      // Sales with 25 % VAT (and now and then an exempt sale), paid 14–40 days later.
      const sales = random.int(8, 13);
      for (let index = 0; index < sales; index++) {
        const customer = random.pick(customers);
        const department = random.pick(departments.slice(0, 2));
        const project = random.chance(0.6) ? random.pick(projects) : undefined;
        const net = BigInt(Math.round(Number(random.ore(1_500_000n, 9_000_000n)) * spec.salesScale));
        const exempt = random.chance(0.08);
        const vat = exempt ? 0n : vatOf(net, 25);
        const date = day(random.int(1, days));
        const invoice = 1000 + drafts.filter((draft) => draft.kind === "sale").length + 1;
        const text = `Faktura ${invoice} ${customer.name}`;
        add({
          date,
          description: text,
          kind: "sale",
          lines: [
            { account: "1500", amount: net + vat, description: text, customerId: customer.id },
            {
              account: exempt ? "3100" : "3000",
              amount: -net,
              description: text,
              vatCode: exempt ? "5" : "3",
              departmentId: department.id,
              ...(project ? { projectId: project.id } : {}),
            },
            ...(exempt ? [] : [{ account: "2700", amount: -vat, description: `Utgående mva ${text}`, vatCode: "3" }]),
          ],
        });
        const paid = addDays(date, random.int(14, 40));
        if (paid <= "2025-12-31") {
          add({
            date: paid,
            description: `Innbetaling faktura ${invoice}`,
            kind: "customer-payment",
            lines: [
              { account: "1920", amount: net + vat, description: `Innbetaling ${customer.name}` },
              {
                account: "1500",
                amount: -(net + vat),
                description: `Innbetaling faktura ${invoice}`,
                customerId: customer.id,
              },
            ],
          });
        }
      }

      // Purchases with 25 % VAT, paid 10–30 days later.
      const purchases = random.int(5, 8);
      for (let index = 0; index < purchases; index++) {
        const supplier = random.pick(suppliers);
        const expense = random.pick(["4000", "4000", "6540", "6800", "6900", "7140"]);
        const net = random.ore(50_000n, 2_400_000n);
        const vat = vatOf(net, 25);
        const date = day(random.int(1, days));
        const text = `Inngående faktura ${supplier.name}`;
        add({
          date,
          description: text,
          kind: "purchase",
          lines: [
            {
              account: expense,
              amount: net,
              description: text,
              vatCode: "1",
              departmentId: random.pick(departments).id,
            },
            { account: "2710", amount: vat, description: `Inngående mva ${supplier.name}`, vatCode: "1" },
            { account: "2400", amount: -(net + vat), description: text, supplierId: supplier.id },
          ],
        });
        const paid = addDays(date, random.int(10, 30));
        if (paid <= "2025-12-31") {
          add({
            date: paid,
            description: `Betaling ${supplier.name}`,
            kind: "supplier-payment",
            lines: [
              { account: "2400", amount: net + vat, description: `Betaling ${supplier.name}`, supplierId: supplier.id },
              { account: "1920", amount: -(net + vat), description: `Betaling ${supplier.name}` },
            ],
          });
        }
      }

      // Rent, bank fees.
      add({
        date: day(1),
        description: `Husleie ${monthName(month)} ${year}`,
        kind: "rent",
        lines: pair("6300", "1920", 2_850_000n, "Husleie"),
      });
      add({
        date: day(days),
        description: `Bankgebyrer ${monthName(month)}`,
        kind: "bank-fee",
        lines: pair("7770", "1920", random.ore(9_000n, 35_000n), "Bankgebyrer"),
      });

      // Salaries on the 20th: gross, withholding tax, employer's contribution (14.1 %), holiday pay (12 %).
      const gross = monthlySalary + random.ore(-300_000n, 300_000n);
      const tax = percentOf(gross, 33);
      const employerContribution = percentOf(gross, 14.1);
      const holidayPay = percentOf(gross, 12);
      holidayPayAccrued += holidayPay;
      add({
        date: day(20),
        description: `Lønn ${monthName(month)} ${year}`,
        kind: "salary",
        lines: [
          { account: "5000", amount: gross, description: "Lønn", departmentId: "300" },
          { account: "2600", amount: -tax, description: "Forskuddstrekk" },
          { account: "1920", amount: -(gross - tax), description: "Nettolønn" },
          { account: "5400", amount: employerContribution, description: "Arbeidsgiveravgift", departmentId: "300" },
          { account: "2770", amount: -employerContribution, description: "Arbeidsgiveravgift" },
          { account: "5180", amount: holidayPay, description: "Feriepenger", departmentId: "300" },
          { account: "2940", amount: -holidayPay, description: "Feriepenger" },
        ],
      });
      if (month === 6 && year === 2025) {
        add({
          date: day(14),
          description: "Utbetaling feriepenger opptjent 2024",
          kind: "salary",
          lines: pair("2940", "1920", holidayPayOf2024, "Feriepenger"),
        });
      }
      if (month % 3 === 0) {
        add({
          date: day(days),
          description: `Renter ${Math.ceil(month / 3)}. kvartal`,
          kind: "interest",
          lines: pair("1920", "8040", random.ore(40_000n, 180_000n), "Renteinntekt"),
        });
      }
    }
    if (year === 2024) holidayPayOf2024 = holidayPayAccrued;
    add({
      date: lastDay,
      description: `Avskrivning inventar ${year}`,
      kind: "depreciation",
      lines: pair("6010", "1250", opening.get("1250")! / 5n, "Avskrivning"),
    });
  }

  // Withholding tax and employer's contribution are paid every other month (on the 15th, for the two months before);
  // VAT is settled per two-month term (moved to 2740 at the term's end) and paid on the 10th of the second month after.
  addTermPayments(drafts);

  // Order, then number per fiscal year; the result allocation of 2024 comes last in 2024.
  const ordered = [...drafts].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const allocation = resultAllocation(ordered, opening);
  const withAllocation = insertAfterDate(ordered, allocation);

  const vouchers: DemoVoucher[] = [];
  let postingId = 1;
  let voucherId = 1;
  const numberByYear = new Map<number, number>();
  for (const draft of withAllocation) {
    const year = Number(draft.date.slice(0, 4));
    const number = (numberByYear.get(year) ?? 0) + 1;
    numberByYear.set(year, number);
    const postings = draft.lines
      .filter((line) => line.amount !== 0n)
      .map((line, index): DemoPosting => ({ ...line, id: postingId++, row: index + 1 }));
    const sum = postings.reduce((total, posting) => total + posting.amount, 0n);
    if (sum !== 0n)
      throw new Error(
        `demo books ${spec.slug}: voucher ${draft.description} on ${draft.date} does not balance (${sum} øre)`,
      );
    vouchers.push({
      id: voucherId++,
      number,
      year,
      date: draft.date,
      description: draft.description,
      kind: draft.kind,
      createdAt: createdAt(draft.date, voucherId),
      postings,
    });
  }

  const adjustments: ReportedOpeningAdjustment[] = [];
  if (spec.quirk === "wrong-ib") {
    const allocated = allocation.lines.find((line) => line.account === "8960")!.amount;
    // The API's opening of 2025 shows 2050 as if the 2024 result had never been moved to equity: the allocation's
    // effect on 2050/2080 is missing there, so its balanceIn rows no longer sum to zero.
    for (const line of allocation.lines.filter(
      (candidate) => candidate.account === "2050" || candidate.account === "2080",
    )) {
      adjustments.push({
        from: "2025-01-01",
        account: line.account,
        amount: -line.amount,
        note: `2024 result (${allocated} øre on 8960) not moved to equity in the reported opening balance`,
      });
    }
  }

  return new MaterializedBooks({
    company,
    fiscalYears: FISCAL_YEARS,
    conversionDate: "2024-01-01",
    openingBalances: opening,
    accounts: DEMO_CHART,
    vatCodes: DEMO_VAT_CODES,
    customers,
    suppliers,
    departments,
    projects,
    reportedOpeningAdjustments: adjustments,
    vouchers,
  });
}

function addTermPayments(drafts: VoucherDraft[]): void {
  for (const year of [2024, 2025]) {
    for (let term = 1; term <= 6; term++) {
      const start = isoDate(year, term * 2 - 1, 1);
      const end = isoDate(year, term * 2, daysInMonth(year, term * 2));
      let output = 0n;
      let input = 0n;
      let tax = 0n;
      let contribution = 0n;
      for (const draft of drafts) {
        if (draft.date < start || draft.date > end) continue;
        for (const line of draft.lines) {
          if (line.account === "2700") output += line.amount;
          if (line.account === "2710") input += line.amount;
          if (draft.kind === "salary" && line.account === "2600") tax += line.amount;
          if (draft.kind === "salary" && line.account === "2770") contribution += line.amount;
        }
      }
      drafts.push({
        date: end,
        description: `Mva-oppgjør ${term}. termin ${year}`,
        kind: "vat-settlement",
        lines: [
          { account: "2700", amount: -output, description: "Utgående mva til oppgjør" },
          { account: "2710", amount: -input, description: "Inngående mva til oppgjør" },
          { account: "2740", amount: output + input, description: `Mva ${term}. termin` },
        ],
      });
      const payMonth = term * 2 + 2;
      if (payMonth <= 12 || year === 2024) {
        const payDate = payMonth <= 12 ? isoDate(year, payMonth, 10) : isoDate(year + 1, payMonth - 12, 10);
        drafts.push({
          date: payDate,
          description: `Betaling mva ${term}. termin ${year}`,
          kind: "vat-payment",
          lines: pair("2740", "1920", -(output + input), "Merverdiavgift"),
        });
      }
      const withholdingDate = term * 2 + 1 <= 12 ? isoDate(year, term * 2 + 1, 15) : isoDate(year + 1, 1, 15);
      if (withholdingDate <= "2025-12-31") {
        drafts.push({
          date: withholdingDate,
          description: `Forskuddstrekk og arbeidsgiveravgift ${term}. termin ${year}`,
          kind: "tax-payment",
          lines: [
            { account: "2600", amount: -tax, description: "Forskuddstrekk" },
            { account: "2770", amount: -contribution, description: "Arbeidsgiveravgift" },
            { account: "1920", amount: tax + contribution, description: "Skattetrekk og arbeidsgiveravgift" },
          ],
        });
      }
    }
  }
}

/** The 2024 result allocation: a profit from 8960 to 2050, a loss from 8960 to 2080 (udekket tap). */
function resultAllocation(ordered: readonly VoucherDraft[], _opening: ReadonlyMap<string, Ore>): VoucherDraft {
  let result = 0n;
  for (const draft of ordered) {
    if (!draft.date.startsWith("2024-")) continue;
    for (const line of draft.lines) if (line.account >= "3000") result += line.amount;
  }
  // `result` is the sum of result accounts: negative = profit (credit), positive = loss.
  const lines =
    result <= 0n
      ? [
          { account: "8960", amount: -result, description: "Overført annen egenkapital" },
          { account: "2050", amount: result, description: "Årsresultat 2024" },
        ]
      : [
          { account: "2080", amount: result, description: "Udekket tap 2024" },
          { account: "8960", amount: -result, description: "Overført udekket tap" },
        ];
  return { date: "2024-12-31", description: "Disponering av årsresultat 2024", kind: "result-allocation", lines };
}

function insertAfterDate(ordered: VoucherDraft[], draft: VoucherDraft): VoucherDraft[] {
  const index = ordered.findIndex((candidate) => candidate.date > draft.date);
  return index < 0 ? [...ordered, draft] : [...ordered.slice(0, index), draft, ...ordered.slice(index)];
}

function pair(debit: string, credit: string, amount: Ore, description: string): Omit<DemoPosting, "id" | "row">[] {
  return [
    { account: debit, amount, description },
    { account: credit, amount: -amount, description },
  ];
}

/** VAT of a net amount at `rate` percent, rounded half up to the øre (integers only). */
export function vatOf(net: Ore, rate: number): Ore {
  return percentOf(net, rate);
}

function percentOf(amount: Ore, percent: number): Ore {
  const tenths = BigInt(Math.round(percent * 10));
  const numerator = amount * tenths;
  const sign = numerator < 0n ? -1n : 1n;
  return (sign * (sign * numerator + 500n)) / 1000n;
}

const MONTHS = [
  "januar",
  "februar",
  "mars",
  "april",
  "mai",
  "juni",
  "juli",
  "august",
  "september",
  "oktober",
  "november",
  "desember",
];
function monthName(month: number): string {
  return MONTHS[month - 1]!;
}

// ---------------------------------------------------------------------------------------------------------------------
// Dates

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

function createdAt(date: string, salt: number): string {
  const at = new Date(`${addDays(date, 1)}T00:00:00Z`);
  at.setUTCSeconds(7 * 3600 + ((salt * 7919) % (9 * 3600)));
  return at.toISOString();
}

// ---------------------------------------------------------------------------------------------------------------------
// Materialised books (the demo companies: a few hundred vouchers a year)

interface MaterializedBooksInit extends Omit<
  LedgerBooks,
  "vouchers" | "postings" | "postingCount" | "balancesAt" | "balancesBefore" | "trialBalance"
> {
  vouchers: readonly DemoVoucher[];
}

/** Books held in memory, ordered by date then number. Used for the demo companies; small by design. */
export class MaterializedBooks implements LedgerBooks {
  readonly company: DemoCompany;
  readonly fiscalYears: readonly Period[];
  readonly conversionDate: string;
  readonly openingBalances: ReadonlyMap<string, Ore>;
  readonly accounts: readonly DemoAccount[];
  readonly vatCodes: readonly DemoVatCode[];
  readonly customers: readonly DemoParty[];
  readonly suppliers: readonly DemoParty[];
  readonly departments: readonly DemoDimensionValue[];
  readonly projects: readonly DemoDimensionValue[];
  readonly reportedOpeningAdjustments: readonly ReportedOpeningAdjustment[];
  readonly #vouchers: readonly DemoVoucher[];

  constructor(init: MaterializedBooksInit) {
    this.company = init.company;
    this.fiscalYears = init.fiscalYears;
    this.conversionDate = init.conversionDate;
    this.openingBalances = init.openingBalances;
    this.accounts = init.accounts;
    this.vatCodes = init.vatCodes;
    this.customers = init.customers;
    this.suppliers = init.suppliers;
    this.departments = init.departments;
    this.projects = init.projects;
    this.reportedOpeningAdjustments = init.reportedOpeningAdjustments;
    this.#vouchers = init.vouchers;
  }

  *vouchers(window?: Period): Iterable<DemoVoucher> {
    for (const voucher of this.#vouchers) {
      if (window && (voucher.date < window.start || voucher.date > window.end)) continue;
      yield voucher;
    }
  }

  *postings(window: Period, page: { offset?: number; limit?: number } = {}): Iterable<DemoPostingRow> {
    let skip = page.offset ?? 0;
    let left = page.limit ?? Number.POSITIVE_INFINITY;
    if (left <= 0) return;
    for (const voucher of this.vouchers(window)) {
      if (skip >= voucher.postings.length) {
        skip -= voucher.postings.length;
        continue;
      }
      for (const posting of voucher.postings.slice(skip)) {
        yield { ...posting, voucher, date: voucher.date };
        if (--left <= 0) return;
      }
      skip = 0;
    }
  }

  postingCount(window: Period): number {
    let count = 0;
    for (const voucher of this.vouchers(window)) count += voucher.postings.length;
    return count;
  }

  balancesAt(date: string): Map<string, Ore> {
    return balancesThrough(this, date, fiscalYearStart(this, date));
  }

  balancesBefore(date: string): Map<string, Ore> {
    return balancesThrough(this, addDays(date, -1), fiscalYearStart(this, date));
  }

  trialBalance(period: Period): DemoTrialBalanceRow[] {
    return trialBalanceOf(this, period);
  }
}

/**
 * Balances of every account at the end of `lastDay`: balance-sheet accounts from the conversion (whose balances are
 * those at the end of the day before `conversionDate`), result accounts from `yearStart`.
 */
export function balancesThrough(books: LedgerBooks, lastDay: string, yearStart: string): Map<string, Ore> {
  const balances = new Map<string, Ore>(books.accounts.map((candidate) => [candidate.number, 0n]));
  if (lastDay >= addDays(books.conversionDate, -1)) {
    for (const [number, amount] of books.openingBalances) balances.set(number, (balances.get(number) ?? 0n) + amount);
  }
  for (const voucher of books.vouchers({ start: "0000-01-01", end: lastDay })) {
    for (const posting of voucher.postings) {
      if (posting.account >= "3000" && voucher.date < yearStart) continue;
      balances.set(posting.account, (balances.get(posting.account) ?? 0n) + posting.amount);
    }
  }
  return balances;
}

/** Opening (just before the period), movement, closing per account of the chart, for a period within one fiscal year. */
export function trialBalanceOf(books: LedgerBooks, period: Period): DemoTrialBalanceRow[] {
  const opening = books.balancesBefore(period.start);
  const closing = books.balancesAt(period.end);
  return books.accounts.map((candidate) => {
    const open = opening.get(candidate.number) ?? 0n;
    const close = closing.get(candidate.number) ?? 0n;
    return { account: candidate, opening: open, movement: close - open, closing: close };
  });
}

/** The start of the fiscal year `date` falls in (the first year's start for dates before it). */
export function fiscalYearStart(books: Pick<LedgerBooks, "fiscalYears">, date: string): string {
  let start = books.fiscalYears[0]!.start;
  for (const year of books.fiscalYears) if (year.start <= date) start = year.start;
  if (date > books.fiscalYears[books.fiscalYears.length - 1]!.end) return `${date.slice(0, 4)}-01-01`;
  return start;
}

/**
 * What the API reports as balances just before `date`: the true ones plus the company's
 * {@link ReportedOpeningAdjustment}s in force (the known wrong-IB problem). Equal to `balancesBefore` otherwise.
 */
export function reportedBalancesBefore(books: LedgerBooks, date: string): Map<string, Ore> {
  const balances = books.balancesBefore(date);
  for (const adjustment of books.reportedOpeningAdjustments) {
    if (date >= adjustment.from)
      balances.set(adjustment.account, (balances.get(adjustment.account) ?? 0n) + adjustment.amount);
  }
  return balances;
}
