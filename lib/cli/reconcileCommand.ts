import { getWholeReconciliation } from "../imports/engagementReconciliation.ts";
import { parseOre } from "../money/ore.ts";
import { formatOreForPeople, formatTimestampForPeople } from "../presentation/formatForPeople.ts";
import type { Locale } from "../presentation/locale.ts";
import { renderTextTable } from "../presentation/textTable.ts";
import {
  ReconciliationJsonSchema,
  type DifferenceJson,
  type ReconciliationJson,
} from "../reconcile/reconciliationJson.ts";
import { nothingToShow, UsageError } from "./errors.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { parseOptions } from "./parseOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";

/**
 * `saldo reconcile --tenant T --client C --engagement E [--json] [--locale nb|en]`: the engagement's reconciliation
 * across years and sources, through the same use case as `GET …/reconciliation`. Text: the status, then a table of
 * the differences (code, account, amount, the figures compared, the hint in words); `--json` the API's answer.
 * Exit code 0 when reconciled, 3 when there are differences or a source is missing.
 */
export async function reconcileCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    json: { type: "boolean", default: false },
    ...LOCALE_OPTION,
  });
  if (positionals.length > 0) throw new UsageError("reconcile takes no file", "«saldo reconcile» tar ingen fil.");
  const ref = engagementRefFromOptions(values);
  const locale = localeFromOptions(values.locale, env);
  const pipeline = await openPipelineTarget(env);
  let reconciliation: ReconciliationJson;
  try {
    reconciliation = ReconciliationJsonSchema.parse(await getWholeReconciliation(pipeline, ref));
  } catch (error) {
    throw nothingToShow(error, pipeline.target.description);
  } finally {
    pipeline.close();
  }
  if (values.json) process.stdout.write(JSON.stringify(reconciliation, null, 2) + "\n");
  else
    process.stdout.write(
      renderReconciliationText(reconciliation, `${ref.tenantId}/${ref.clientId}/${ref.engagementId}`, locale),
    );
  return reconciliation.status === "reconciled" ? 0 : 3;
}

/** The reconciliation for people: a status line, the missing sources, a table of the differences. */
export function renderReconciliationText(reconciliation: ReconciliationJson, name: string, locale: Locale): string {
  const words = WORDS[locale];
  const money = (text: string | null) => (text === null ? "" : formatOreForPeople(parseOre(text), locale));
  const lines = [
    `${words.title} ${name}: ${words.status[reconciliation.status]}` +
      (reconciliation.count > 0
        ? ` (${words.differences(reconciliation.count)}, ${money(reconciliation.total)} ${words.inAll})`
        : "") +
      ` — ${words.computed} ${formatTimestampForPeople(reconciliation.computedAt, locale)}`,
  ];
  for (const part of reconciliation.missing) lines.push(`  ${words.missing(part.part, words.kind[part.kind])}`);
  if (reconciliation.differences.length > 0) {
    lines.push("");
    const rows = reconciliation.differences.map((difference) => [
      difference.code,
      difference.account ?? "",
      difference.name ?? "",
      money(difference.amount),
      difference.sources.map((source) => describeFigure(source, words, money)).join(" / "),
      difference.hint === null ? "" : words.hint[difference.hint],
    ]);
    lines.push(
      ...renderTextTable(
        [
          { title: words.columns.code, align: "left" },
          { title: words.columns.account, align: "left" },
          { title: words.columns.name, align: "left", maxWidth: 24 },
          { title: words.columns.amount, align: "right" },
          { title: words.columns.compared, align: "left" },
          { title: words.columns.hint, align: "left" },
        ],
        rows,
      ),
    );
    if (reconciliation.count > reconciliation.differences.length) {
      lines.push(words.more(reconciliation.count - reconciliation.differences.length));
    }
  }
  return lines.join("\n") + "\n";
}

function describeFigure(
  source: DifferenceJson["sources"][number],
  words: Words,
  money: (text: string | null) => string,
): string {
  const where =
    source.kind === "prior"
      ? `${words.kind.prior} ${source.engagementId ?? ""}`.trim()
      : source.kind === "api"
        ? `${source.system ?? "API"} ${source.importId ?? ""}`.trim()
        : source.kind === "file"
          ? `${words.kind.file} ${source.importId ?? ""}`.trim()
          : words.kind.none;
  return `${where}: ${source.figure === null ? "–" : money(source.figure)}`;
}

interface Words {
  title: string;
  status: Record<ReconciliationJson["status"], string>;
  differences: (count: number) => string;
  inAll: string;
  computed: string;
  missing: (part: "opening" | "movement", kind: string) => string;
  kind: Record<"prior" | "file" | "api" | "none", string>;
  columns: Record<"code" | "account" | "name" | "amount" | "compared" | "hint", string>;
  hint: Record<NonNullable<DifferenceJson["hint"]>, string>;
  more: (count: number) => string;
}

const WORDS: Record<Locale, Words> = {
  nb: {
    title: "Avstemming av",
    status: { reconciled: "avstemt", differences: "avvik", incomplete: "ufullstendig" },
    differences: (count) => `${count} avvik`,
    inAll: "i alt",
    computed: "beregnet",
    missing: (part, kind) =>
      `mangler kilde: ${part === "opening" ? "inngående balanse" : "bevegelse og transaksjoner"} skal komme fra ${kind}`,
    kind: { prior: "forrige oppdrags UB", file: "fil", api: "API", none: "ingen" },
    columns: {
      code: "Kode",
      account: "Konto",
      name: "Kontonavn",
      amount: "Beløp",
      compared: "Sammenlignet",
      hint: "Mulig forklaring",
    },
    hint: {
      RESULT_NOT_MOVED_TO_EQUITY: "fjorårets resultat er ikke overført til egenkapitalen (8800/8960 mot 2050/2080)",
      POSTED_AFTER_PRIOR_CLOSE: "postert i fjoråret etter at det ble avsluttet",
      OPENING_ZEROED_BY_EXPORTER: "inngående balanse nullstilt av eksporten",
      POSTINGS_IN_NEXT_YEAR: "posteringer datert i neste år",
    },
    more: (count) => `… og ${count} avvik til (se --json)`,
  },
  en: {
    title: "Reconciliation of",
    status: { reconciled: "reconciled", differences: "differences", incomplete: "incomplete" },
    differences: (count) => `${count} difference${count === 1 ? "" : "s"}`,
    inAll: "in all",
    computed: "computed",
    missing: (part, kind) =>
      `source missing: the ${part === "opening" ? "opening balance" : "movement and transactions"} should come from ${kind}`,
    kind: { prior: "prior engagement's closing", file: "file", api: "API", none: "none" },
    columns: {
      code: "Code",
      account: "Account",
      name: "Name",
      amount: "Amount",
      compared: "Compared",
      hint: "Likely explanation",
    },
    hint: {
      RESULT_NOT_MOVED_TO_EQUITY: "last year's result not moved to equity (8800/8960 against 2050/2080)",
      POSTED_AFTER_PRIOR_CLOSE: "posted in the prior year after it was closed",
      OPENING_ZEROED_BY_EXPORTER: "opening balance zeroed by the exporter",
      POSTINGS_IN_NEXT_YEAR: "postings dated in the next year",
    },
    more: (count) => `… and ${count} more (see --json)`,
  },
};
