import type { Locale } from "../presentation/locale.ts";

/**
 * `saldo --help` and the usage after a usage error, in each locale: the same commands, options, option values and
 * environment variables in the same order (test/unit/cli/usage.test.ts holds the two to that), only the words around
 * them translated. Option names, their fixed values and environment variables are never translated.
 */
export const USAGE: Readonly<Record<Locale, string>> = {
  nb: `saldo — regnskapstall inn i årsavslutnings- og periodeavslutningsoppdrag, nøyaktig til øret

Bruk:
  saldo inspect <fil> [--format auto|saft|sie|csv] [--encoding <navn>] [--json] [--locale nb|en]
                [--delimiter ";"|","|tab] [--decimal ","|"."] [--header-row <n>|none] [--columns account=0,name=1,closing=2]
  saldo start                 den lokale stakken (npm start): DynamoDB Local, S3-emulator, importhandler, HTTP på $PORT
  saldo upload <fil> --tenant T --client C --engagement E [--no-wait] [--timeout <s>] [--fiscal-year <år>]
               [--org-number <n>] [--part-size <MiB>] [--json] [--locale nb|en]
               [--encoding <navn>] [--delimiter ";"|","|tab] [--decimal ","|"."] [--header-row <n>|none] [--columns …]
               [--role figures|opening]   (opening: filen gir oppdragets inngående balanse)
               (oppsettet huskes for klienten: de neste CSV-filene trenger det ikke)
  saldo imports --tenant T --client C --engagement E [--json] [--locale nb|en]
  saldo activate --tenant T --client C --engagement E --import ID [--accept KODE[,KODE]] [--json] [--locale nb|en]
                              gjør en import til den aktive versjonen: en tidligere, eller en som er holdt tilbake,
                              ved å godta årsakene
  saldo source-plan --tenant T --client C --engagement E [--opening prior|file|api|none|default]
                    [--movement file|api|default] [--replace yes|no|default] [--json] [--locale nb|en]
                              kildeplanen: hvor inngående balanse og bevegelsen hentes fra (vises når ingen endring er gitt)
  saldo trial-balance --tenant T --client C --engagement E [--format text|json|csv|xlsx] [--output FIL] [--locale nb|en]
  saldo transactions --tenant T --client C --engagement E [--account A] [--from ÅÅÅÅ-MM-DD] [--to ÅÅÅÅ-MM-DD]
                     [--voucher V] [--format text|json|csv|xlsx] [--output FIL] [--locale nb|en]
  saldo engagement create --tenant T --client C --year 2025 [--id ID] [--from ÅÅÅÅ-MM-DD --to ÅÅÅÅ-MM-DD] [--json]
                              et årsavslutningsoppdrag (id: året), eller med --from/--to et periodeavslutningsoppdrag
  saldo engagement show|close|reopen --tenant T --client C --engagement E [--json]
                              oppdraget og oppdateringsloggen; lukk/gjenåpne det for den automatiske oppdateringen
  saldo connect <poweroffice-go|tripletex> --tenant T --client C --key NØKKEL [--company ID] [--json] [--locale nb|en]
                              lagre og test klientens nøkkel (oppretter klienten, med selskapets navn)
  saldo sync --tenant T --client C --engagement E [--timeout <s>] [--json] [--locale nb|en]
                              synkroniser oppdraget fra klientens regnskapssystem, vent, vis saldobalansen
  saldo reconcile --tenant T --client C --engagement E [--json] [--locale nb|en]
                              avstemmingen på tvers av år og kilder: status og hvert avvik med mulig årsak
  saldo refresh --now [--tenant T] [--all] [--no-wait] [--timeout <s>] [--json]
                              kjør én runde av den automatiske oppdateringen nå, og følg synkroniseringene den startet
  saldo refresh --tenant T --client C --interval hourly|nightly|weekly|off
                              hvor ofte klientens oppdrag oppdateres automatisk
  saldo token --tenant T [--subject S] [--expires <sekunder>] [--locale nb|en]   et bearer-token som det lokale API-et godtar
  saldo help

Teksten er på norsk (bokmål) som standard (1 234 567,89, dd.mm.åååå); --locale en (eller SALDO_LOCALE=en) gir engelsk.
--json er det samme som --format json. CSV (semikolon, desimalkomma, UTF-8 med BOM) og XLSX åpnes rett i Excel.

upload, imports, activate, engagement, connect, sync, trial-balance, transactions, reconcile og token snakker med den
lokale stakken i SALDO_DATA_DIR, ellers i nærmeste .saldo-mappe oppover herfra (dens stack.json); alle unntatt token
snakker med AWS i stedet når SALDO_TABLE_NAME og SALDO_BUCKET_NAME er satt (legitimasjon og region fra det vanlige
AWS-miljøet; connect og sync trenger også SALDO_SECRET_PREFIX, SALDO_PLATFORM_KEYS_SECRET og, for sync,
SALDO_SYNC_QUEUE_TRIPLETEX_URL / SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL).

Avslutningskoder: 0 utført (advarsler tillatt), 1 det kunne ikke gjøres (filen kan ikke leses, aktiveringen ble
avvist, stakken kjører ikke), 2 feil bruk, 3 upload, sync: importen ble ikke den aktive versjonen (holdt tilbake,
feilet eller erstattet); connect: nøkkelen ble testet, men klienten er ikke tilkoblet (ugyldig nøkkel, ingen tilgang,
et selskap må velges); reconcile: oppdraget er ikke avstemt (avvik, eller en kilde mangler).`,

  en: `saldo — accounting figures into year-end and period-end engagements, exact to the øre

Usage:
  saldo inspect <file> [--format auto|saft|sie|csv] [--encoding <name>] [--json] [--locale nb|en]
                [--delimiter ";"|","|tab] [--decimal ","|"."] [--header-row <n>|none] [--columns account=0,name=1,closing=2]
  saldo start                 the local stack (npm start): DynamoDB Local, S3 emulator, ingest handler, HTTP on $PORT
  saldo upload <file> --tenant T --client C --engagement E [--no-wait] [--timeout <s>] [--fiscal-year <y>]
               [--org-number <n>] [--part-size <MiB>] [--json] [--locale nb|en]
               [--encoding <name>] [--delimiter ";"|","|tab] [--decimal ","|"."] [--header-row <n>|none] [--columns …]
               [--role figures|opening]   (opening: the file gives the engagement's opening balances)
               (the layout is remembered for the client: its next CSV files need none)
  saldo imports --tenant T --client C --engagement E [--json] [--locale nb|en]
  saldo activate --tenant T --client C --engagement E --import ID [--accept CODE[,CODE]] [--json] [--locale nb|en]
                              make an import the active version: an earlier one, or a held one accepting its reasons
  saldo source-plan --tenant T --client C --engagement E [--opening prior|file|api|none|default]
                    [--movement file|api|default] [--replace yes|no|default] [--json] [--locale nb|en]
                              where the opening balances and the movement come from (prints it when given no change)
  saldo trial-balance --tenant T --client C --engagement E [--format text|json|csv|xlsx] [--output FILE] [--locale nb|en]
  saldo transactions --tenant T --client C --engagement E [--account A] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                     [--voucher V] [--format text|json|csv|xlsx] [--output FILE] [--locale nb|en]
  saldo engagement create --tenant T --client C --year 2025 [--id ID] [--from YYYY-MM-DD --to YYYY-MM-DD] [--json]
                              a year-end engagement (id: the year), or with --from/--to a period-end one
  saldo engagement show|close|reopen --tenant T --client C --engagement E [--json]
                              the engagement and its refresh record; close/reopen it for the scheduled refresh
  saldo connect <poweroffice-go|tripletex> --tenant T --client C --key KEY [--company ID] [--json] [--locale nb|en]
                              store and check the client's key (creates the client, named after its company)
  saldo sync --tenant T --client C --engagement E [--timeout <s>] [--json] [--locale nb|en]
                              sync the engagement from the client's accounting system, wait, print the trial balance
  saldo reconcile --tenant T --client C --engagement E [--json] [--locale nb|en]
                              the reconciliation across years and sources: status and each difference with a hint
  saldo refresh --now [--tenant T] [--all] [--no-wait] [--timeout <s>] [--json]
                              run one round of the scheduled refresh now, follow the syncs it queued
  saldo refresh --tenant T --client C --interval hourly|nightly|weekly|off
                              how often the schedule refreshes the client's engagements
  saldo token --tenant T [--subject S] [--expires <seconds>] [--locale nb|en]   a bearer token the local API accepts
  saldo help

Text is Norwegian (bokmål) by default (1 234 567,89, dd.mm.yyyy); --locale en (or SALDO_LOCALE=en) for English.
--json is --format json. CSV (semicolon, decimal comma, UTF-8 with BOM) and XLSX open right in Excel.

upload, imports, activate, engagement, connect, sync, trial-balance, transactions, reconcile and token talk to the local stack of
SALDO_DATA_DIR, else of the nearest .saldo folder up from here (its stack.json); all but token talk to AWS instead
when SALDO_TABLE_NAME and SALDO_BUCKET_NAME are set (credentials and region from the standard AWS environment;
connect and sync also need SALDO_SECRET_PREFIX, SALDO_PLATFORM_KEYS_SECRET and, for sync, SALDO_SYNC_QUEUE_TRIPLETEX_URL / SALDO_SYNC_QUEUE_POWEROFFICE_GO_URL).

Exit codes: 0 done (warnings allowed), 1 it could not be done (file unreadable, activation refused, stack not
running), 2 wrong usage, 3 upload, sync: the import did not become the active version (held, failed or superseded);
connect: the key was checked but the client is not connected (invalid key, no access, a company to pick);
reconcile: the engagement is not reconciled (differences, or a source is missing).`,
};
