/** The file formats figures can be exported in (besides JSON). */
export type ExportFormat = "csv" | "xlsx";

/** The media type of each export format as the API answers it. */
export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** The `Content-Type` of an export answer (CSV says its charset and that it has a header row, RFC 4180 §3). */
export function contentTypeOf(format: ExportFormat, options: { header?: boolean } = {}): string {
  return format === "csv"
    ? `text/csv; charset=utf-8; header=${options.header === false ? "absent" : "present"}`
    : EXPORT_MEDIA_TYPES.xlsx;
}

/**
 * The file name an export is saved as: `saldobalanse-<client>-<engagement>.csv`, `transaksjoner-….xlsx` (English
 * `trial-balance-…`, `transactions-…`). Ids are letters, digits, `.`, `_`, `-` already; anything else becomes `_`.
 */
export function exportFileName(
  kind: "trial-balance" | "transactions",
  ids: { clientId: string; engagementId: string },
  format: ExportFormat,
  locale: "nb" | "en",
): string {
  const stem = locale === "nb" ? { "trial-balance": "saldobalanse", transactions: "transaksjoner" }[kind] : kind;
  const safe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, "_");
  return `${stem}-${safe(ids.clientId)}-${safe(ids.engagementId)}.${format}`;
}

/** A `Content-Disposition` header offering the export as a download under `fileName` (RFC 6266). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
