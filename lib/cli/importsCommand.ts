import { NothingToShowError, UsageError } from "./errors.ts";
import { formatIssueCounts, toImportSummaryJson, type ImportSummaryJson } from "./importSummaryJson.ts";
import { parseOptions } from "./parseOptions.ts";
import { ENGAGEMENT_OPTIONS, engagementRefFromOptions, openPipelineTarget } from "./pipelineTarget.ts";

/** `saldo imports --tenant T --client C --engagement E [--json]`: the engagement's import history, newest first. */
export async function importsCommand(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...ENGAGEMENT_OPTIONS, json: { type: "boolean", default: false } });
  if (positionals.length > 0) throw new UsageError("imports takes no file");
  const ref = engagementRefFromOptions(values);
  const pipeline = await openPipelineTarget(env);
  try {
    const { store } = pipeline;
    const engagement = await store.getEngagement(ref);
    if (!engagement) throw new NothingToShowError("ENGAGEMENT_NOT_FOUND", `no engagement ${ref.tenantId}/${ref.clientId}/${ref.engagementId} (${pipeline.target.description})`);
    const imports = (await store.listImports(ref)).map((run) => toImportSummaryJson(run, engagement.activeImportId));
    if (values.json) process.stdout.write(JSON.stringify(imports, null, 2) + "\n");
    else process.stdout.write(renderImports(`${ref.tenantId}/${ref.clientId}/${ref.engagementId}`, imports));
    return 0;
  } finally {
    pipeline.close();
  }
}

/** A running import's progress for people: `read 45 % (1.2 MB of 2.6 MB), 12345 lines`. */
export function formatProgress(progress: NonNullable<ImportSummaryJson["progress"]>): string {
  const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
  const read =
    progress.size !== null && progress.size > 0
      ? `read ${Math.floor((progress.bytesRead / progress.size) * 100)} % (${megabytes(progress.bytesRead)} of ${megabytes(progress.size)})`
      : `read ${megabytes(progress.bytesRead)}`;
  return `${read}, ${progress.lines} lines`;
}

/** The import history as a table for people; `*` marks the active version. */
export function renderImports(engagement: string, imports: readonly ImportSummaryJson[]): string {
  if (imports.length === 0) return `Engagement ${engagement}: no imports yet\n`;
  const rows = imports.map((run) => [
    `${run.active ? "*" : " "} ${run.importId}`,
    run.status,
    run.fileName ?? "",
    run.createdAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    run.format ? `${run.format.toUpperCase()} ${run.formatVersion ?? ""}`.trim() : "",
    run.counts ? `${run.counts.accounts} / ${run.counts.transactions} / ${run.counts.lines}` : "",
    run.failure && run.status === "failed" ? `failed: ${run.failure.code}` : run.status === "held" ? `held: ${run.heldFor.join(", ")}` : run.progress ? formatProgress(run.progress) : formatIssueCounts(run.issues),
  ]);
  const head = ["  Import", "Status", "File", "Created", "Format", "Accounts / transactions / lines", "Issues"];
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [`Imports of engagement ${engagement}, newest first (* active)`, line(head), ...rows.map(line)].join("\n") + "\n";
}
