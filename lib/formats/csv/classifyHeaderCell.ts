/**
 * The meaning of a trial-balance column. Signed columns (`opening`, `movement`, `closing`) hold net amounts (debit
 * positive, credit negative); the `…Debit`/`…Credit` pairs hold unsigned amounts whose net is debit − credit.
 * `debit`/`credit` without a period qualifier are the period's (gross or net) debit and credit: net movement.
 */
export const COLUMN_ROLES = [
  "account",
  "name",
  "opening",
  "movement",
  "closing",
  "debit",
  "credit",
  "openingDebit",
  "openingCredit",
  "closingDebit",
  "closingCredit",
  "movementDebit",
  "movementCredit",
] as const;

export type ColumnRole = (typeof COLUMN_ROLES)[number];

/**
 * Lower-cases, strips diacritics (å → a, and ø/æ which NFD does not decompose: ø → o, æ → ae) and punctuation, so
 * that `Utgående balanse`, `UTGAENDE BALANSE` and `utgående_balanse` compare equal.
 */
export function normalizeHeaderText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/ø/g, "o")
    .replace(/æ/g, "ae")
    .replace(/ß/g, "ss")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

// Synonym lists: the column titles Norwegian accounting systems use (vendors publish no exact strings, so be generous).
const ACCOUNT = new Set([
  "konto",
  "kontonr",
  "kontonummer",
  "konto nr",
  "konto nummer",
  "kto",
  "ktonr",
  "kto nr",
  "account",
  "account no",
  "account nr",
  "account number",
  "account id",
  "account code",
  "accountid",
  "acct",
  "acct no",
  "acc no",
  "gl account",
  "nr",
  "nummer",
  "number",
  "kontonr konto",
  "kontokode",
]);
const NAME = new Set([
  "navn",
  "kontonavn",
  "konto navn",
  "kontotekst",
  "kontobeskrivelse",
  "beskrivelse",
  "tekst",
  "name",
  "account name",
  "accountname",
  "description",
  "account description",
  "text",
  "title",
]);
/** Columns that are recognisably not this year's figures (prior year, budget, dimensions): ignored, never guessed. */
const IGNORED_WORDS = new Set([
  "fjor",
  "fjoraret",
  "fjorar",
  "ifjor",
  "budsjett",
  "budget",
  "prior",
  "previous",
  "forrige",
  "last",
  "avvik",
  "variance",
  "prosent",
  "percent",
  "dimnr1",
  "dimnavn1",
  "dim",
  "avdeling",
  "prosjekt",
  "department",
  "project",
  "valuta",
  "currency",
  "mva",
  "vat",
  "kode",
  "code",
  "type",
  "sru",
]);
// "aa" is the ASCII spelling of å (`Inngaaende`), `inng`/`utg` the usual abbreviations (`Inng. bal.`).
const OPENING_WORDS = new Set([
  "ib",
  "inngaende",
  "inngaaende",
  "inng",
  "apningsbalanse",
  "aapningsbalanse",
  "apning",
  "opening",
  "primo",
  "start",
  "beginning",
]);
const CLOSING_WORDS = new Set([
  "ub",
  "utgaende",
  "utgaaende",
  "utg",
  "closing",
  "ultimo",
  "slutt",
  "sluttsaldo",
  "ending",
  "end",
]);
const MOVEMENT_WORDS = new Set([
  "endring",
  "endringer",
  "bevegelse",
  "bevegelser",
  "periode",
  "perioden",
  "periodens",
  "hittil",
  "movement",
  "movements",
  "change",
  "changes",
  "period",
  "ytd",
  "aret",
  "netto",
  "net",
]);
const DEBIT_WORDS = new Set(["debet", "debit", "dr", "deb"]);
const CREDIT_WORDS = new Set(["kredit", "credit", "cr", "kred"]);
/** Words that name a balance without saying when: read as the closing balance (`Saldo` in Visma Finale files). */
const BALANCE_WORDS = new Set(["saldo", "balanse", "balance", "belop", "amount", "sum", "total"]);

/**
 * Classifies one header cell: a {@link ColumnRole}, `"ignored"` for a recognised column that is not a current-year
 * figure (prior year, budget, dimension), or `undefined` when the text means nothing to saldo.
 */
export function classifyHeaderCell(text: string): ColumnRole | "ignored" | undefined {
  const normalized = normalizeHeaderText(text);
  if (normalized === "") return undefined;
  if (ACCOUNT.has(normalized)) return "account";
  if (NAME.has(normalized)) return "name";
  // Glued compounds such as `IBdebet`, `UBkredit`, `Saldoib` are split into known words first.
  const words = normalized.split(" ").flatMap((word) => {
    const glued = /^(ib|ub)(debet|kredit|debit|credit|saldo)$|^(saldo)(ib|ub)$/.exec(word);
    return glued ? glued.slice(1).filter((part): part is string => part !== undefined) : [word];
  });
  if (
    words.some((word) => IGNORED_WORDS.has(word)) ||
    normalized.includes("i fjor") ||
    normalized.includes("forrige ar")
  ) {
    return "ignored";
  }
  const opening = words.some((word) => OPENING_WORDS.has(word)) || normalized.includes("brought forward");
  const closing = words.some((word) => CLOSING_WORDS.has(word)) || normalized.includes("carried forward");
  const movement = words.some((word) => MOVEMENT_WORDS.has(word));
  const debit = words.some((word) => DEBIT_WORDS.has(word));
  const credit = words.some((word) => CREDIT_WORDS.has(word));
  const balance = words.some((word) => BALANCE_WORDS.has(word));
  if (debit && credit) return undefined;
  const periods = [opening, closing, movement].filter(Boolean).length;
  if (periods > 1) return undefined;
  if (debit || credit) {
    const side = debit ? "Debit" : "Credit";
    if (opening) return `opening${side}`;
    if (closing) return `closing${side}`;
    if (movement) return `movement${side}`;
    return debit ? "debit" : "credit";
  }
  if (opening) return "opening";
  if (closing) return "closing";
  if (movement) return "movement";
  if (balance) return "closing";
  return undefined;
}
