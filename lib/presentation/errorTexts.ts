import type { Locale } from "./locale.ts";

/**
 * Errors for people: every stable error code saldo emits has a bokmål sentence saying what was wrong — with what the
 * error's `context` names (client, engagement, import, file, line …) — and what to do; English keeps the error's own
 * message. The code always follows in parentheses, so a person can quote it and a script can still find it:
 * `Oppdraget «2031» finnes ikke for klienten «acme». Se oppdragene med «saldo engagement show» … (ENGAGEMENT_NOT_FOUND)`.
 *
 * The CLI prints its errors through {@link errorLineForPeople}; machine output (`--json`, the API's problem JSON)
 * keeps the English `detail` and the code as they are.
 */

/** What an error shows people: its stable code, its English message and the context it names (never a secret). */
export interface ErrorForPeople {
  code: string;
  message: string;
  context: Readonly<Record<string, unknown>>;
}

type Context = Readonly<Record<string, unknown>>;
/** A bokmål sentence (or two) from the error's context and, where the context alone cannot say it, its message. */
type NbText = (context: Context, message: string) => string;

/** A context value as text, when it is one. */
function text(context: Context, key: string): string | undefined {
  const value = context[key];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return undefined;
}

/** `«value»`, Norwegian quotation marks. */
const q = (value: string): string => `«${value}»`;

/** ` «value»` when the context has it, else nothing: `Klienten «acme» finnes ikke` / `Klienten finnes ikke`. */
function named(context: Context, key: string): string {
  const value = text(context, key);
  return value === undefined ? "" : ` ${q(value)}`;
}

function list(context: Context, key: string): string | undefined {
  const value = context[key];
  return Array.isArray(value) && value.length > 0 ? value.map(String).join(", ") : undefined;
}

/** `Filen «tb.csv», linje 3, posisjon 14` from a format error's context (file name and location). */
function where(context: Context): string {
  const file = text(context, "fileName");
  const location = context.location as { line?: unknown; column?: unknown } | undefined;
  const parts = [file === undefined ? "Filen" : `Filen ${q(file)}`];
  if (typeof location?.line === "number") parts.push(`linje ${location.line}`);
  if (typeof location?.column === "number") parts.push(`posisjon ${location.column}`);
  return parts.join(", ");
}

/** The part of a format error's message after its position (`tb.csv:3:14: detail (expected …)` → `detail …`). */
function formatDetail(message: string): string {
  const detail = message.replace(/^[^:]*(:\d+){0,2}: /, "");
  return detail.replace(/ \(expected ([^)]*)\)$/, "");
}

/** A format error: where, what kind of problem in bokmål, the parser's own words (English) and what to do. */
function formatText(what: string, todo: string): NbText {
  return (context, message) => {
    const expected = text(context, "expected");
    return `${where(context)}: ${what} (${formatDetail(message)}${expected ? `; ventet: ${expected}` : ""}). ${todo}`;
  };
}

const EXPORT_AGAIN = "Eksporter filen på nytt fra regnskapssystemet og prøv igjen.";
const TRY_AGAIN = "Prøv igjen om litt; hjelper ikke det, kontakt den som drifter saldo.";
const OPERATOR = "Kontakt den som drifter saldo.";

/** The bokmål text of every stable code (a test checks that every code of the error classes has one). */
export const NB_ERROR_TEXTS: Readonly<Record<string, NbText>> = {
  // The command line itself.
  CLI_USAGE: (_, message) => `Kommandoen er ikke brukt riktig: ${message}. Se «saldo help».`,
  TARGET_CONFIG_INVALID: (_, message) =>
    `Miljøvariablene peker ikke ut et gyldig mål for saldo (${message}). Rett variablene og prøv igjen.`,
  LOCAL_STACK_NOT_RUNNING: (context) => {
    const file = text(context, "file");
    const reason =
      context.reason === "not-a-stack-file"
        ? `${file ?? "stack.json"} er ikke en stakkfil fra saldo`
        : context.reason === "process-ended"
          ? `${file ?? "stack.json"} er etterlatt av prosess ${text(context, "pid") ?? "?"}, som er avsluttet`
          : `fant ikke ${file ?? "stack.json"}`;
    return `Den lokale stakken kjører ikke (${reason}). Start den med «npm start» (eller «saldo start») i et annet terminalvindu, eller sett SALDO_TABLE_NAME og SALDO_BUCKET_NAME for å bruke AWS.`;
  },
  IMPORT_WAIT_TIMEOUT: (_, message) =>
    `Filen er lagret, men importen ble ikke ferdig innen ventetiden (${message}). Følg den med «saldo imports», eller vent lenger med «--timeout».`,
  UPLOAD_REJECTED: (_, message) =>
    `Filen ble lagret, men ikke importert: ${message}. Rett klient, oppdrag eller filnavn og last opp på nytt.`,
  UPLOAD_INTERRUPTED: () =>
    "Opplastingen ble avbrutt før hele filen var lagret. Delene som er lagret, er tatt vare på: kjør den samme kommandoen igjen for å fortsette.",
  UPLOAD_TRANSFER_FAILED: (_, message) =>
    `Lagringen av filen feilet (${message}). Delene som er lagret, er tatt vare på: kjør den samme kommandoen igjen for å fortsette.`,
  LOCAL_SIGNING_KEY_MISSING: (context) =>
    `Ingen lokal stakk har laget en signeringsnøkkel i datamappen${named(context, "dataDir")} ennå. Start stakken («npm start») først, eller sett SALDO_DATA_DIR til datamappen til stakken du bruker.`,
  LOCAL_SIGNING_KEY_MISMATCH: (context) =>
    `Den lokale stakken som kjører${named(context, "url")}, signerer med en annen nøkkel enn den som ligger i datamappen${named(context, "dataDir")}, og ville avvist tokenet. Start stakken på nytt for å bruke nøkkelen på disken.`,
  REFRESH_ROUND_FAILED: (_, message) =>
    `Oppdateringsrunden feilet: timeplanen kunne ikke leses (${message}). ${TRY_AGAIN}`,

  // Clients and engagements.
  CLIENT_NOT_FOUND: (context) =>
    `Klienten${named(context, "clientId")} finnes ikke (eller er slettet). Kontroller --client, eller opprett klienten.`,
  ENGAGEMENT_NOT_FOUND: (context) =>
    `Oppdraget${named(context, "engagementId")} finnes ikke for klienten${named(context, "clientId")}. Kontroller --engagement, eller opprett oppdraget med «saldo engagement create».`,
  ORG_NUMBER_TAKEN: (context) => {
    const owner = text(context, "clientId");
    return `Organisasjonsnummeret${named(context, "orgNumber")} tilhører allerede ${owner === undefined ? "en annen klient" : `klienten ${q(owner)}`}. ${owner === undefined ? "Bruk den klienten" : `Bruk den (--client ${owner})`}, eller oppgi et annet nummer med --org-number.`;
  },
  ENGAGEMENT_EXISTS: (context) => {
    const existing = text(context, "engagementId");
    return `Klienten har allerede et oppdrag for denne perioden${existing === undefined ? "" : ` (${q(existing)})`}. ${existing === undefined ? "Bruk det oppdraget" : `Bruk det: --engagement ${existing}`}.`;
  },
  CONFLICT: () => "Klienten ble endret av noen andre samtidig. Prøv igjen.",
  ID_TAKEN: (context) =>
    context.deleted === true
      ? `Klienten${named(context, "clientId")} er slettet, og id-en kan ikke brukes til en ny klient. Velg en annen --client.`
      : `Id-en${named(context, "engagementId") || named(context, "clientId")} er allerede i bruk. Velg en annen id.`,
  INVALID_ENGAGEMENT_INPUT: (context, message) =>
    `Verdien${named(context, "field")} kan ikke brukes: ${message}. Rett den og prøv igjen.`,

  // Imports and their views.
  NO_ACTIVE_IMPORT: (context) =>
    `Oppdraget${named(context, "engagementId")} har ingen aktiv import ennå. Last opp en fil (eller synkroniser) og vent til importen er fullført.`,
  IMPORT_NOT_FOUND: (context) =>
    `Importen${named(context, "importId")} finnes ikke i oppdraget${named(context, "engagementId")}. Se importene med «saldo imports».`,
  IMPORT_NOT_ACTIVATABLE: (context, message) =>
    `Importen${named(context, "importId")} kan ikke gjøres aktiv (status ${text(context, "status") ?? "ukjent"}: ${message}). Velg en fullført import i «saldo imports».`,
  IMPORT_HAS_NO_FIGURES: (context, message) =>
    `Importen${named(context, "importId")} har ingen tall som kan gjøres aktive (status ${text(context, "status") ?? "ukjent"}: ${message}). Velg en fullført import i «saldo imports».`,
  IMPORT_HELD: (context) => {
    const heldFor = list(context, "heldFor");
    const notAccepted = list(context, "notAccepted");
    return `Importen${named(context, "importId")} er holdt tilbake${heldFor ? ` for ${heldFor}` : ""}${notAccepted && notAccepted !== heldFor ? `, og ${notAccepted} er ikke godtatt` : ""}. En person må godta alle årsakene: aktiver den med «--accept ${heldFor?.replaceAll(", ", ",") ?? "KODER"}».`;
  },
  IMPORT_EXPIRED: (context) =>
    `Importen${named(context, "importId")} er utløpt: tallene kan allerede være slettet. Last opp filen på nytt.`,
  CURSOR_STALE: (context) =>
    `Oppdraget${named(context, "engagementId")} har fått en ny aktiv versjon (import${named(context, "activeImportId")}) mens du bladde. Start på nytt uten markør.`,
  CURSOR_INVALID: () => "Sidemarkøren (cursor) gjelder ikke her. Start listen på nytt uten markør.",
  INVALID_TRANSACTION_QUERY: (context, message) =>
    `Utvalget av posteringer kan ikke brukes (${text(context, "field") ?? "filter"}: ${message}). Rett filteret og prøv igjen.`,
  INVALID_UPLOAD: (_, message) => `Opplastingen kan ikke tas imot: ${message}. Rett filnavnet og prøv igjen.`,
  UPLOAD_TOO_LARGE: (context) =>
    `Filen er for stor (${text(context, "size") ?? "?"} byte; grensen er ${text(context, "limit") ?? "?"} byte). Del opp perioden eller kontakt den som drifter saldo.`,
  UPLOAD_SIGNING_FAILED: () => `Opplastingsadressen kunne ikke lages. ${TRY_AGAIN}`,
  SOURCE_FILE_MISSING: () => "Den opplastede filen finnes ikke lenger i lagringen. Last den opp på nytt.",
  SOURCE_UNAVAILABLE: () => `Den opplastede filen kunne ikke leses fra lagringen nå. ${TRY_AGAIN}`,
  FIELD_TOO_LONG: (context) =>
    `${where(context)}: feltet ${text(context, "field") ?? ""} er ${text(context, "length") ?? "?"} tegn langt; grensen er ${text(context, "limit") ?? "?"}. Rett filen og last den opp på nytt.`,
  IMPORT_LEASE_LOST: (context) =>
    `Importen${named(context, "importId")} ble overtatt av et annet forsøk. Følg den med «saldo imports».`,
  SYNC_ALREADY_RUNNING: (context) =>
    `En synkronisering av oppdraget${named(context, "engagementId")} pågår allerede (import${named(context, "importId")}). Vent til den er ferdig.`,
  SYNC_NOT_CONNECTED: (context) => {
    const system = text(context, "system") ?? "regnskapssystemet";
    switch (context.reason) {
      case "no-key":
        return `Klienten${named(context, "clientId")} har ingen nøkkel til ${system}. Koble den til med «saldo connect ${system} --key …».`;
      case "no-connector":
        return `Denne installasjonen av saldo kan ikke lese fra ${system}. ${OPERATOR}`;
      case "no-system":
        return `Klienten${named(context, "clientId")} har ikke oppgitt noe regnskapssystem saldo kan lese fra. Koble den til med «saldo connect».`;
      default:
        return `Klienten${named(context, "clientId")} er ikke koblet til ${system}. Koble den til med «saldo connect».`;
    }
  },
  SYNC_NOT_QUEUED: (context) =>
    `Importen${named(context, "importId")} er ikke en synkronisering i kø. Start en ny med «saldo sync».`,
  // Codes only saved on an import or an engagement (a failure, a refresh record), never thrown.
  IMPORT_ATTEMPT_DIED: () =>
    "Importen stoppet underveis (prosessen ble avsluttet, gikk tom for minne eller fikk tidsavbrudd), og saldo prøver ikke igjen. Last opp filen (eller synkroniser) på nytt; skjer det igjen, kontakt den som drifter saldo.",
  IMPORT_RETRIES_EXHAUSTED: (_, message) =>
    `Ingen av de nye forsøkene lyktes (${message}). Last opp filen (eller synkroniser) på nytt; skjer det igjen, kontakt den som drifter saldo.`,
  IMPORT_ITEM_TOO_LARGE: () =>
    "Filen har et element som er for stort til å lagres (for eksempel et svært langt navn eller en beskrivelse). Forkort det i regnskapssystemet, eksporter på nytt og last opp igjen.",
  SYNC_FAILED: () => `Synkroniseringen feilet. Se «saldo imports» for årsaken, og prøv igjen med «saldo sync».`,
  REFRESH_FAILED: (_, message) => `Oppdateringen kunne ikke settes i gang (${message}). ${TRY_AGAIN}`,
  INTEGRATION_COMPANY_UNREACHABLE: (context) => {
    const companies = list(context, "companies");
    const reaches =
      companies ?? (text(context, "reachable") === "0" ? undefined : `${text(context, "reachable") ?? "?"} selskaper`);
    return `Nøkkelen til ${text(context, "system") ?? "regnskapssystemet"} når ikke selskapet${named(context, "companyId")}; ${reaches === undefined ? "den når ingen" : `den når ${reaches}`}. Ingenting er lagret: velg et av selskapene nøkkelen når, med --company.`;
  },

  // Accounting-system connectors.
  CONNECTOR_INVALID_KEY: () =>
    "Regnskapssystemet avviste nøkkelen. Lag en ny nøkkel i regnskapssystemet og lagre den med «saldo connect».",
  CONNECTOR_NO_ACCESS: (context) => {
    const missing = list(context, "missingPrivileges");
    return `Nøkkelen mangler tilganger i regnskapssystemet${missing ? ` (${missing})` : ""}. Gi nøkkelen tilgangene og prøv igjen.`;
  },
  CONNECTOR_RATE_LIMITED: (context) =>
    `Regnskapssystemet ber oss vente${named(context, "retryAfter")}. Prøv igjen om litt.`,
  CONNECTOR_UNAVAILABLE: () => "Regnskapssystemet svarer ikke nå. Prøv igjen om litt.",
  CONNECTOR_TIMEOUT: () => "Regnskapssystemet svarte ikke i tide. Prøv igjen om litt.",
  CONNECTOR_RESPONSE_INVALID: (_, message) =>
    `Regnskapssystemet svarte med noe saldo ikke forstår (${message}). ${OPERATOR}`,
  CONNECTOR_AMOUNT_INVALID: (context) =>
    `Regnskapssystemet sendte et beløp som ikke er eksakt i øre${named(context, "value")}. ${OPERATOR}`,
  CONNECTOR_REQUEST_REJECTED: (_, message) => `Regnskapssystemet avviste forespørselen (${message}). ${OPERATOR}`,

  // Files that cannot be read as a whole (the parsers' codes; their own detail follows in English).
  FORMAT_UNSUPPORTED: formatText(
    "filen er ikke i et format saldo leser",
    "Bruk en SAF-T Financial-, SIE- eller CSV-fil, eller oppgi formatet med --format.",
  ),
  FORMAT_TRUNCATED: formatText("filen slutter før den er komplett", EXPORT_AGAIN),
  XML_UNSAFE: formatText("XML-en deklarerer entiteter, som saldo av sikkerhetshensyn ikke leser", EXPORT_AGAIN),
  CSV_AMBIGUOUS_LAYOUT: formatText(
    "oppsettet til CSV-filen kan ikke avgjøres",
    "Oppgi oppsettet med --delimiter, --decimal, --header-row eller --columns (saldo inspect og saldo upload tar dem).",
  ),
  CSV_LAYOUT_OPTION_INVALID: formatText(
    "det oppgitte CSV-oppsettet passer ikke til filen",
    "Rett --delimiter, --decimal, --header-row eller --columns.",
  ),
  ZIP_ENCRYPTED: formatText(
    "ZIP-filen er kryptert (passordbeskyttet)",
    "Pakk ut filen, eller eksporter den uten passord.",
  ),
  ZIP_TOO_LARGE: formatText(
    "innholdet i ZIP-filen er større enn saldo tar imot",
    "Last opp XML-filen direkte, eller del opp perioden.",
  ),
  ZIP_RATIO_TOO_HIGH: formatText(
    "ZIP-filen pakkes ut til langt mer enn en regnskapsfil kan være",
    "Last opp XML-filen direkte.",
  ),
  MONEY_INVALID_AMOUNT: (context) => `${named(context, "input").trim() || "Teksten"} er ikke et beløp. Rett beløpet.`,
  MONEY_AMOUNT_OUT_OF_RANGE: () => "Beløpet er større enn noe regnskap rommer. Rett beløpet.",

  // Exports.
  EXPORT_TOO_LARGE: (_, message) =>
    `Eksporten blir for stor i dette formatet (${message}). Velg CSV, eller et mindre utvalg.`,
  EXPORT_AMOUNT_NOT_EXACT: (context) =>
    `Beløpet${named(context, "amount")} har flere enn 15 sifre, og et regneark kan ikke holde det eksakt. Eksporter som CSV.`,

  // The HTTP API's own codes.
  VALIDATION_FAILED: (_, message) => `Forespørselen har ugyldige felt (${message}). Rett feltene og prøv igjen.`,
  MALFORMED_JSON: () => "Innholdet i forespørselen er ikke gyldig JSON. Rett det og prøv igjen.",
  MALFORMED_PATH: () => "En del av adressen er ikke gyldig prosentkodet UTF-8. Rett adressen.",
  INVALID_QUERY: (_, message) => `Spørringen er ugyldig (${message}). Rett parameterne.`,
  PAYLOAD_TOO_LARGE: () => "Forespørselen er for stor. Send mindre data om gangen.",
  RATE_LIMITED: () => "For mange forespørsler. Vent litt og prøv igjen.",
  ROUTE_NOT_FOUND: () => "Adressen finnes ikke i API-et. Kontroller adressen.",
  METHOD_NOT_ALLOWED: () => "Adressen tar ikke imot denne metoden. Se Allow-svaret for hvilke den tar.",
  NOT_ACCEPTABLE: () => "API-et kan ikke svare i formatet det ble bedt om. Be om JSON, CSV eller XLSX.",
  NOT_FOUND: () =>
    "Det som ble bedt om, finnes ikke lenger (for eksempel en import som er utløpt). Hent listen på nytt.",
  INTERNAL_ERROR: () => `Noe gikk galt i saldo. ${OPERATOR}`,
  SERVICE_UNAVAILABLE: () => `En tjeneste saldo trenger, svarer ikke nå. ${TRY_AGAIN}`,

  // Sign-in.
  AUTH_MISSING_TOKEN: () => "Forespørselen mangler innloggingstoken. Logg inn (eller lag et med «saldo token»).",
  AUTH_INVALID_TOKEN: () => "Innloggingstokenet ble avvist. Logg inn på nytt.",
  AUTH_EXPIRED: () => "Innloggingstokenet er utløpt. Logg inn på nytt.",
  AUTH_NO_TENANT: () => "Innloggingstokenet gjelder ingen leietaker (tenant). Logg inn med en bruker som hører til en.",
  AUTH_KEYS_UNAVAILABLE: () => `Nøklene som kontrollerer innloggingstokener, kunne ikke hentes. ${TRY_AGAIN}`,
  AUTH_LOCAL_ISSUER_FAILED: () => "Den lokale innloggingen kunne ikke lage et token. Start den lokale stakken på nytt.",
  AUTH_LOCAL_KEY_MISSING: () =>
    "Den lokale stakken har ingen signeringsnøkkel. Start den lokale stakken på nytt («npm start»).",

  // The key vault.
  KEY_INVALID_REF: () => "Nøkkelen hører ikke til en gyldig klient. Kontroller --tenant og --client.",
  KEY_INVALID_VALUE: (_, message) => `Nøkkelen har ikke riktig form (${message}). Kopier hele nøkkelen på nytt.`,
  KEY_NOT_FOUND: () => "Klienten har ingen lagret nøkkel til dette systemet. Lagre en med «saldo connect».",
  KEY_VAULT_UNAVAILABLE: () => `Nøkkelhvelvet svarer ikke nå. ${TRY_AGAIN}`,
  KEY_VAULT_REQUEST_FAILED: () => `Nøkkelhvelvet avviste forespørselen. ${OPERATOR}`,
  KEY_VAULT_CORRUPT: () => `En lagret nøkkel er skadet. Lagre nøkkelen på nytt med «saldo connect». ${OPERATOR}`,
  KEY_VAULT_TAMPERED: () => `En lagret nøkkel er endret utenfor saldo og blir ikke brukt. ${OPERATOR}`,
  KEY_VAULT_MASTER_KEY: () => `Hovednøkkelen til nøkkelhvelvet mangler eller er feil. ${OPERATOR}`,

  // The store.
  STORE_UNAVAILABLE: () =>
    "Databasen svarer ikke nå. Kjører den lokale stakken («npm start»)? Ellers: prøv igjen om litt.",
  STORE_CONFLICT: () => "Dataene ble endret av noen andre samtidig. Prøv igjen.",
  STORE_NOT_FOUND: () => "Det som ble bedt om, finnes ikke lenger i databasen. Hent det på nytt.",
  STORE_INVALID_CURSOR: () => "Sidemarkøren (cursor) gjelder ikke her. Start listen på nytt uten markør.",
  STORE_INVALID_QUERY: (_, message) => `Databasespørringen er ugyldig (${message}). ${OPERATOR}`,
  STORE_CORRUPT_ITEM: () => `Et lagret element har feil form. ${OPERATOR}`,
  STORE_ITEM_TOO_LARGE: () =>
    "Et element er for stort til å lagres. Forkort tekstene (for eksempel navn) og prøv igjen.",
  STORE_LEASE_LOST: () => "Arbeidet ble overtatt av et annet forsøk. Følg det med «saldo imports».",
  STORE_WRITER_CLOSED: () => `Skrivingen til databasen var allerede avsluttet. ${OPERATOR}`,
  STORE_REQUEST_FAILED: (_, message) => `Databasen avviste forespørselen (${message}). ${OPERATOR}`,
  REDELIVERY_FAILED: () => `Filen kunne ikke sendes til import på nytt. ${TRY_AGAIN}`,
  SYNC_DISPATCH_FAILED: () => `Synkroniseringen kunne ikke settes i kø. ${TRY_AGAIN}`,

  // The local stack (`saldo start`).
  JAVA_NOT_FOUND: () =>
    "Java finnes ikke: DynamoDB Local trenger Java 17 eller nyere. Installer Java og start på nytt.",
  EMULATOR_NOT_FOUND: (_, message) => `En emulator finnes ikke (${message}). Kjør «npm ci» og start på nytt.`,
  EMULATOR_START_FAILED: (_, message) => `En emulator kunne ikke starte (${message}). Se feilen over og start på nytt.`,
  EMULATOR_START_TIMEOUT: () => "En emulator svarte ikke i tide. Start på nytt; maskinen kan være travel.",
  BUCKET_SETUP_FAILED: (_, message) => `Bøtten i S3-emulatoren kunne ikke lages (${message}). Start på nytt.`,
  TABLE_SETUP_FAILED: (_, message) => `Tabellen i DynamoDB Local kunne ikke lages (${message}). Start på nytt.`,
  TABLE_SCHEMA_MISMATCH: () =>
    "Tabellen i datamappen har en annen form enn saldo venter. Bruk en ny datamappe (SALDO_DATA_DIR) eller slett den gamle.",
  STACK_ALREADY_RUNNING: (context) =>
    `En lokal stakk kjører allerede i denne datamappen${named(context, "dataDir")}. Bruk den, eller stopp den først.`,
  PORT_IN_USE: (context) => {
    const variable = text(context, "variable") ?? "PORT";
    return `Porten${named(context, "port")} er allerede i bruk. Velg en annen med ${variable} (${variable}=0 gir en ledig port).`;
  },
  HANDLER_NOT_FOUND: (context) => `Funksjonen${named(context, "modulePath")} kunne ikke lastes. ${OPERATOR}`,
  WEB_BUILD_FAILED: (_, message) => `Nettkonsollet kunne ikke bygges (${message}). Se feilen og prøv igjen.`,
};

/**
 * Codes of the parsers built at run time (`XML_…`, `SIE_…`, `CSV_…`, `ZIP_…`): by their family, so a new parser code
 * still reads as bokmål.
 */
const NB_FAMILY_TEXTS: ReadonlyArray<[prefix: string, text: NbText]> = [
  ["XML_", formatText("filen er ikke gyldig XML", EXPORT_AGAIN)],
  ["SIE_", formatText("filen er ikke en gyldig SIE-fil", EXPORT_AGAIN)],
  ["CSV_", formatText("filen er ikke en gyldig CSV-fil", "Rett filen, eller eksporter den på nytt.")],
  ["ZIP_", formatText("ZIP-filen er skadet", "Pakk den ut på nytt, eller eksporter filen på nytt.")],
  ["SAFT_", formatText("filen er ikke en gyldig SAF-T-fil", EXPORT_AGAIN)],
];

/** The bokmål text for `code`, when it has one (its own, or its family's). */
export function nbErrorText(code: string): NbText | undefined {
  if (Object.hasOwn(NB_ERROR_TEXTS, code)) return NB_ERROR_TEXTS[code];
  return NB_FAMILY_TEXTS.find(([prefix]) => code.startsWith(prefix))?.[1];
}

/**
 * The error as one line for people, in `locale`, ending with its code: bokmål from {@link NB_ERROR_TEXTS}, English
 * the error's own message (its first line). `ownNb` is a bokmål text the error brought itself (a usage error's). A
 * code without a text (none should be) falls back to the message.
 */
export function errorLineForPeople(error: ErrorForPeople, locale: Locale, ownNb?: string): string {
  const english = error.message.split("\n")[0] ?? "";
  const nb = locale === "nb" ? nbErrorText(error.code) : undefined;
  const line = locale !== "nb" ? english : (ownNb ?? nb?.(error.context, english) ?? english);
  return line.includes(`(${error.code})`) ? line : `${line} (${error.code})`;
}

/** A failure saved with an import run or an engagement's refresh record: its stable code and English message. */
export interface StoredFailure {
  code: string;
  message: string;
}

/**
 * A saved failure for people, in `locale`: English (and with a code that has no text) `CODE: message` as saved;
 * bokmål the code's text from {@link NB_ERROR_TEXTS}, ending with the code, when that text needs nothing a saved
 * failure lacks. A saved failure keeps no context: only what the caller knows for sure (`known`: the import's file
 * name) and, for a parser's error about that file, the position its message starts with (`cut.xml:3:14: …`) are
 * given. A text that reads any other context falls back to the English, so no sentence names less than the message.
 */
export function storedFailureForPeople(
  failure: StoredFailure,
  locale: Locale,
  known: { fileName?: string } = {},
): string {
  const message = failure.message.split("\n")[0] ?? "";
  const english = `${failure.code}: ${message}`;
  const nb = locale === "nb" ? nbErrorText(failure.code) : undefined;
  if (nb === undefined) return english;
  const context: Record<string, unknown> = positionOf(message, known.fileName) ?? {};
  let lacking = false;
  const watched = new Proxy(context, {
    get(target, key) {
      if (typeof key === "string" && !Object.hasOwn(target, key)) lacking = true;
      return Reflect.get(target, key) as unknown;
    },
  });
  const line = nb(watched, message);
  if (lacking) return english;
  return line.includes(`(${failure.code})`) ? line : `${line} (${failure.code})`;
}

/**
 * A format error's context read back from its message, `file:line:column: detail (expected …)` (lib/formats/errors.ts),
 * when the message starts with the file's name; line, column and expected are absent (undefined) when it names none.
 */
function positionOf(message: string, fileName: string | undefined): Record<string, unknown> | undefined {
  if (fileName === undefined || fileName === "" || !message.startsWith(`${fileName}:`)) return undefined;
  const match = /^(?::(\d+)(?::(\d+))?)?: .*?(?: \(expected ([^)]*)\))?$/s.exec(message.slice(fileName.length));
  if (match === null) return undefined;
  const [, line, column, expected] = match;
  return {
    fileName,
    location:
      line === undefined
        ? undefined
        : { line: Number(line), ...(column === undefined ? {} : { column: Number(column) }) },
    expected,
  };
}
