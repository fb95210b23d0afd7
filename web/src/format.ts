/**
 * Figures and dates for people, as the CLI shows them (lib/presentation): amounts arrive as the API's decimal strings
 * ("-1234.50") and are formatted as strings, never through floating point, so the øre stay exact.
 */

/** `"-1234567.89"` → `"-1 234 567,89"` (nb) or `"-1,234,567.89"` (en); a no-break space groups thousands in nb. */
export function formatAmount(amount: string | null | undefined, locale: "nb" | "en" = "nb"): string {
  if (amount === null || amount === undefined) return "";
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) return amount;
  const [, sign = "", whole = "0", fraction = ""] = match;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, locale === "nb" ? "\u00a0" : ",");
  const decimals = fraction.padEnd(2, "0");
  return `${sign === "-" ? "-" : ""}${grouped}${locale === "nb" ? "," : "."}${decimals}`;
}

/** `"2025-01-31"` (or an ISO timestamp) → `"31.01.2025"`; anything else unchanged. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : value;
}

/** An ISO timestamp as `dd.mm.yyyy hh:mm` in the browser's time zone. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getDate())}.${pad(date.getMonth() + 1)}.${date.getFullYear()} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Exact comparison of two decimal amount strings (via øre as bigint). */
export function sameAmount(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b;
  return toOre(a) === toOre(b);
}

/** A decimal amount string as øre (bigint). */
export function toOre(amount: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!match) throw new Error(`not an amount: ${amount}`);
  const ore = BigInt(match[2]!) * 100n + BigInt((match[3] ?? "").padEnd(2, "0"));
  return match[1] === "-" ? -ore : ore;
}

/** Norwegian organisation number check (9 digits, mod-11 with weights 3,2,7,6,5,4,3,2), as the API checks it. */
export function orgNumberProblem(input: string): "format" | "checksum" | undefined {
  const digits = input
    .replace(/^\s*NO\s*/i, "")
    .replace(/\s*MVA\s*$/i, "")
    .replace(/[\s.-]/g, "");
  if (!/^\d{9}$/.test(digits)) return "format";
  const weights = [3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((total, weight, index) => total + weight * Number(digits[index]), 0);
  const remainder = sum % 11;
  const check = remainder === 0 ? 0 : 11 - remainder;
  return check === 10 || check !== Number(digits[8]) ? "checksum" : undefined;
}
