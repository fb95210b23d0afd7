/** Weights of the Norwegian organisation number's check digit (Brønnøysundregistrene, modulus 11 on digits 1–8). */
const ORG_NUMBER_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * Whether `text` is a valid Norwegian organisation number as saldo stores it: 9 digits whose last is the mod-11 check
 * digit of the first 8 (weights 3,2,7,6,5,4,3,2; check = 11 − sum mod 11, 11 → 0, 10 → no valid number has this
 * prefix). Decorated forms (`923 609 016`) are not valid here: {@link normalizeOrgNumber} first.
 */
export function isValidOrgNumber(text: string): boolean {
  if (!/^\d{9}$/.test(text)) return false;
  const sum = ORG_NUMBER_WEIGHTS.reduce((total, weight, index) => total + weight * Number(text[index]), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(text[8]);
}

/** Longest text worth looking at: `NO 923 609 016 MVA` and its variants are far shorter. */
const MAX_DECORATED_LENGTH = 40;

/**
 * The digits of an organisation number as people and files write it, or `undefined` when they are not 9: spaces
 * (also non-breaking and thin ones), dots and dashes between the digit groups (`923 609 016`, `923.609.016`), and
 * the VAT-register form's `NO` before and `MVA` after (`NO 923 609 016 MVA`, as on invoices and in SAF-T
 * `TaxRegistrationNumber`), in any letter case. Only these decorations are removed: anything else (a letter, a
 * Swedish `556677-8899` with 10 digits) leaves something that is not 9 digits. The check digit is not checked here.
 */
export function orgNumberDigits(text: string): string | undefined {
  if (text.length > MAX_DECORATED_LENGTH) return undefined;
  const stripped = text
    .replace(/[\s\u00a0\u2007\u2009\u202f.\-]/g, "")
    .replace(/^NO/i, "")
    .replace(/MVA$/i, "");
  return /^\d{9}$/.test(stripped) ? stripped : undefined;
}

/**
 * The organisation number in the one form saldo stores and compares (9 digits), from any of the forms
 * {@link orgNumberDigits} accepts — or `undefined` when it is not a valid organisation number (not 9 digits, or the
 * mod-11 check digit does not match). Every entry point (HTTP API, CLI, the local stack's demo) goes through this,
 * via the client use cases, so `923 609 016` and `923609016` are the same client's number everywhere.
 */
export function normalizeOrgNumber(text: string): string | undefined {
  const digits = orgNumberDigits(text);
  return digits !== undefined && isValidOrgNumber(digits) ? digits : undefined;
}
