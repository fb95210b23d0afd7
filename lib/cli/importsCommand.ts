import { formatLabel } from "../ledger/types.ts";
import {
  formatCountForPeople,
  formatMegabytesForPeople,
  formatTimestampForPeople,
} from "../presentation/formatForPeople.ts";
import { labelsFor } from "../presentation/labels.ts";
import { DEFAULT_LOCALE, type Locale } from "../presentation/locale.ts";
import { storedFailureForPeople } from "../presentation/errorTexts.ts";
import { renderTextTable, type TextColumn } from "../presentation/textTable.ts";
import { nothingToShow, UsageError } from "./errors.ts";
import type { EngagementRef } from "../engagements/types.ts";
import {
  IMPORT_LIST_MAX_LIMIT,
  ImportListQuerySchema,
  listImportSummaries,
  type ImportListJson,
  type ImportListQuery,
  type ImportSummaryJson,
} from "../imports/importReports.ts";
import { parseOptions } from "./parseOptions.ts";
import { LOCALE_OPTION, localeFromOptions } from "./outputOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";

/**
 * `saldo imports --tenant T --client C --engagement E [--limit N] [--cursor C] [--json] [--locale nb|en]`: the
 * engagement's import history, newest first.
 */
export async function importsCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...ENGAGEMENT_OPTIONS,
    ...LOCALE_OPTION,
    json: { type: "boolean", default: false },
    limit: { type: "string" },
    cursor: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError("imports takes no file", "«saldo imports» tar ingen fil.");
  const ref = engagementRefFromOptions(values);
  const parsed = ImportListQuerySchema.safeParse({ limit: values.limit, cursor: values.cursor });
  if (!parsed.success) {
    throw new UsageError(
      `--limit must be a whole number from 1 to ${IMPORT_LIST_MAX_LIMIT}, and --cursor a nextCursor the listing printed`,
      `--limit må være et helt tall fra 1 til ${IMPORT_LIST_MAX_LIMIT}, og --cursor en nextCursor listen skrev ut.`,
    );
  }
  const query = parsed.data;
  const locale = localeFromOptions(values.locale, env);
  const pipeline = await openPipelineTarget(env);
  try {
    // The use case and the JSON of the API's GET …/imports: a deleted client's engagements are not found. With
    // --limit or --cursor one page, as the API answers it; otherwise every page, followed here.
    const list = await readImports(pipeline, ref, query).catch((error: unknown) => {
      throw nothingToShow(error, pipeline.target.description);
    });
    const imports = list.items;
    if (values.json) process.stdout.write(JSON.stringify(list, null, 2) + "\n");
    else {
      process.stdout.write(renderImports(`${ref.tenantId}/${ref.clientId}/${ref.engagementId}`, imports, locale));
      // The next page's command, in any locale: the cursor is the same as `--json`'s nextCursor.
      if (list.nextCursor !== null) process.stdout.write(`… --cursor ${list.nextCursor}\n`);
    }
    return 0;
  } finally {
    pipeline.close();
  }
}

/** One page when a limit or cursor is given; else every import, page after page (still `{items, nextCursor: null}`). */
async function readImports(
  deps: Parameters<typeof listImportSummaries>[0],
  ref: EngagementRef,
  query: ImportListQuery,
): Promise<ImportListJson> {
  if (query.limit !== undefined || query.cursor !== undefined) return listImportSummaries(deps, ref, query);
  const items: ImportListJson["items"] = [];
  let cursor: string | null = null;
  do {
    const page: ImportListJson = await listImportSummaries(deps, ref, {
      limit: IMPORT_LIST_MAX_LIMIT,
      ...(cursor === null ? {} : { cursor }),
    });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { items, nextCursor: null };
}

/** A running import's progress for people: `lest 45 % (1,2 MB av 2,6 MB), 12 345 linjer` (English with `en`). */
export function formatProgress(
  progress: NonNullable<ImportSummaryJson["progress"]>,
  locale: Locale = DEFAULT_LOCALE,
): string {
  const megabytes = (bytes: number) => formatMegabytesForPeople(bytes, locale);
  const known = progress.size !== null && progress.size > 0;
  return labelsFor(locale).progress(
    known ? String(Math.floor((progress.bytesRead / progress.size!) * 100)) : undefined,
    megabytes(progress.bytesRead),
    known ? megabytes(progress.size!) : undefined,
    formatCountForPeople(progress.lines, locale),
  );
}

/**
 * The import history as a table for people, in the locale's words (statuses translated; unknown ones as their code),
 * times in the machine's time zone; `*` marks the active version. Under the table, why each failed import failed.
 */
export function renderImports(
  engagement: string,
  imports: readonly ImportSummaryJson[],
  locale: Locale = DEFAULT_LOCALE,
): string {
  const labels = labelsFor(locale);
  if (imports.length === 0) return `${labels.noImports(engagement)}\n`;
  const count = (value: number) => formatCountForPeople(value, locale);
  const rows = imports.map((run) => [
    `${run.active ? "*" : " "} ${run.importId}`,
    labels.status[run.status] ?? run.status,
    run.source.type === "file"
      ? run.source.fileName
      : `${run.source.system} ${run.source.from}–${run.source.to}` +
        (run.source.mode ? ` (${labels.integration.mode[run.source.mode]})` : ""),
    formatTimestampForPeople(run.createdAt, locale),
    run.source.format ? `${formatLabel(run.source.format)} ${run.source.formatVersion ?? ""}`.trim() : "",
    run.counts ? `${count(run.counts.accounts)} / ${count(run.counts.transactions)} / ${count(run.counts.lines)}` : "",
    run.failure && run.status === "failed"
      ? labels.failed(run.failure.code)
      : run.status === "held"
        ? `${labels.status.held ?? "held"}: ${run.heldFor.join(", ")}`
        : run.progress
          ? formatProgress(run.progress, locale)
          : run.issueCounts
            ? labels.issueCounts(
                count(run.issueCounts.error),
                count(run.issueCounts.warning),
                count(run.issueCounts.info),
              )
            : labels.noReport,
  ]);
  const titles = labels.importColumns;
  const columns: TextColumn[] = [
    { title: `  ${titles.import}`, align: "left" },
    { title: titles.status, align: "left" },
    { title: titles.file, align: "left", maxWidth: 40 },
    { title: titles.created, align: "left" },
    { title: titles.format, align: "left" },
    { title: titles.counts, align: "right" },
    { title: titles.issues, align: "left" },
  ];
  const [header, , ...body] = renderTextTable(columns, rows);
  // Why each failed import failed, under the table (too long for a column): the saved failure, in bokmål where it can.
  const reasons = imports
    .filter((run) => run.status === "failed" && run.failure !== null)
    .map((run) => {
      const fileName = run.source.type === "file" ? run.source.fileName : undefined;
      return `  ${run.importId} ${labels.upload.reason}: ${storedFailureForPeople(run.failure!, locale, { fileName })}`;
    });
  return (
    [labels.importsTitle(engagement), header!, ...body, ...(reasons.length > 0 ? ["", ...reasons] : [])].join("\n") +
    "\n"
  );
}
