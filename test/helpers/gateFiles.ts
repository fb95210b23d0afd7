/*
 * Files the activation gate must hold (issue #7), as text: small enough to read in a test, each with one reason.
 */

/** A Swedish company's SIE 4 file: another organisation number, SEK, fiscal year 2017. */
export const SWEDISH_SIE = [
  "#FLAGGA 0",
  '#PROGRAM "Test" 1.0',
  "#FORMAT PC8",
  "#GEN 20180115",
  "#SIETYP 4",
  '#FNAMN "Svenska Exempel AB"',
  "#ORGNR 556677-8899",
  "#VALUTA SEK",
  "#RAR 0 20170101 20171231",
  '#KONTO 1930 "Foretagskonto"',
  '#KONTO 3001 "Forsaljning"',
  "#IB 0 1930 1000.00",
  "#UB 0 1930 1500.00",
  "#RES 0 3001 -500.00",
  '#VER A 1 20170315 "Forsaljning"',
  "{",
  "#TRANS 1930 {} 500.00",
  "#TRANS 3001 {} -500.00",
  "}",
  "",
].join("\r\n");

/** A CSV trial balance whose every amount is unreadable. */
export const CSV_ALL_AMOUNTS_UNREADABLE = "Konto;Kontonavn;IB;UB\n1920;Bank;n/a;ukjent\n3000;Salg;??;x\n";
/** A CSV with a header and a total line, but no account rows. */
export const CSV_NO_ACCOUNT_ROWS = "Konto;Kontonavn;IB;UB\nSum;;0,00;0,00\n";
