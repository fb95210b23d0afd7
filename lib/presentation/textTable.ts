import stringWidth from "string-width";

/** The ellipsis that marks text cut short (U+2026, one column wide). */
export const ELLIPSIS = "…";

/** Columns a string takes in a terminal (wide East Asian characters count two, combining marks none). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * Shortens `text` to at most `width` columns for a table cell. Text that fits is returned unchanged; otherwise it is
 * cut at the last word boundary that leaves room for `…` and ends with `…`. Only a word longer than about two thirds
 * the width is cut inside the word, and then it too ends with `…` — text is never cut without saying so.
 */
export function truncateAtWord(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return width === 1 ? ELLIPSIS : "";
  const room = width - 1;
  const characters = [...text];
  let kept = "";
  for (const character of characters) {
    if (displayWidth(kept + character) > room) break;
    kept += character;
  }
  const nextCharacter = characters[[...kept].length];
  const atBoundary = nextCharacter !== undefined && /\s/.test(nextCharacter);
  if (!atBoundary) {
    const lastSpace = kept.search(/\s\S*$/);
    if (lastSpace > 0 && displayWidth(kept.slice(0, lastSpace)) >= room / 3) kept = kept.slice(0, lastSpace);
  }
  return kept.replace(/[\s,;:.\-–]+$/u, "") + ELLIPSIS;
}

/** One column of a {@link renderTextTable} table. */
export interface TextColumn {
  title: string;
  /** Figures and counts are right-aligned, text left-aligned. */
  align: "left" | "right";
  /** Text longer than this is shortened with {@link truncateAtWord}; figures never are (no maxWidth). */
  maxWidth?: number;
}

/** A total row: a label spanning the first `span` columns, then one cell per remaining column. */
export interface TextFooter {
  label: string;
  span: number;
  cells: string[];
}

/** Shortens the cells of a row to their columns' maximum widths. */
export function fitCells(columns: readonly TextColumn[], row: readonly string[]): string[] {
  return columns.map((column, index) => {
    const cell = row[index] ?? "";
    return column.maxWidth === undefined ? cell : truncateAtWord(cell, column.maxWidth);
  });
}

/** Column widths from the content: titles, (fitted) cells and footers; a footer label widens its last spanned column. */
export function columnWidths(
  columns: readonly TextColumn[],
  rows: readonly (readonly string[])[],
  footers: readonly TextFooter[] = [],
): number[] {
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.title), ...rows.map((row) => displayWidth(row[index] ?? "")), 0),
  );
  for (const footer of footers) {
    footer.cells.forEach((cell, offset) => {
      const index = footer.span + offset;
      widths[index] = Math.max(widths[index] ?? 0, displayWidth(cell));
    });
    const missing = displayWidth(footer.label) - spanWidth(widths, footer.span);
    if (missing > 0) widths[footer.span - 1] = (widths[footer.span - 1] ?? 0) + missing;
  }
  return widths;
}

function spanWidth(widths: readonly number[], span: number): number {
  return widths.slice(0, span).reduce((sum, width) => sum + width, 0) + 2 * (span - 1);
}

function padCell(cell: string, width: number, align: TextColumn["align"]): string {
  const gap = " ".repeat(Math.max(0, width - displayWidth(cell)));
  return align === "right" ? gap + cell : cell + gap;
}

/** One table line: cells padded to the widths (a wider cell pushes the rest right), two spaces apart. */
export function formatTableRow(
  columns: readonly TextColumn[],
  widths: readonly number[],
  cells: readonly string[],
): string {
  return cells
    .map((cell, index) => padCell(cell, widths[index] ?? 0, columns[index]?.align ?? "left"))
    .join("  ")
    .trimEnd();
}

/** The rule under the titles and above the footers. */
export function tableRule(widths: readonly number[]): string {
  return "-".repeat(spanWidth(widths, widths.length));
}

/** A footer line: the label across its spanned columns, then the remaining cells. */
export function formatTableFooter(
  columns: readonly TextColumn[],
  widths: readonly number[],
  footer: TextFooter,
): string {
  const label = padCell(footer.label, spanWidth(widths, footer.span), "left");
  const rest = footer.cells.map((cell, offset) =>
    padCell(cell, widths[footer.span + offset] ?? 0, columns[footer.span + offset]?.align ?? "left"),
  );
  return [label, ...rest].join("  ").trimEnd();
}

/**
 * Renders a table for a terminal: column widths from the content (titles, cells and footers), two spaces between
 * columns, a rule under the titles and above the footers, no trailing spaces.
 */
export function renderTextTable(
  columns: readonly TextColumn[],
  rows: readonly string[][],
  footers: readonly TextFooter[] = [],
): string[] {
  const body = rows.map((row) => fitCells(columns, row));
  const widths = columnWidths(columns, body, footers);
  const out = [
    formatTableRow(
      columns,
      widths,
      columns.map((column) => column.title),
    ),
    tableRule(widths),
  ];
  for (const row of body) out.push(formatTableRow(columns, widths, row));
  if (footers.length > 0) out.push(tableRule(widths));
  for (const footer of footers) out.push(formatTableFooter(columns, widths, footer));
  return out;
}
