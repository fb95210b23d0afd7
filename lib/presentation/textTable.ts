import stringWidth from "string-width";

/** The ellipsis that marks text cut short (U+2026, one column wide). */
export const ELLIPSIS = "…";

/** Columns a string takes in a terminal (wide East Asian characters count two, combining marks none). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * Shortens `text` to at most `width` columns for a table cell. Text that fits is returned unchanged; otherwise it is
 * cut at the last word boundary that leaves room for `…` and ends with `…`. Only a single word longer than about half
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
    if (lastSpace > 0 && displayWidth(kept.slice(0, lastSpace)) >= room / 2) kept = kept.slice(0, lastSpace);
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

/**
 * Renders a table for a terminal: column widths from the content (titles, cells and footers), two spaces between
 * columns, a rule under the titles and above the footers, no trailing spaces.
 */
export function renderTextTable(columns: readonly TextColumn[], rows: readonly string[][], footers: readonly TextFooter[] = []): string[] {
  const fit = (cell: string, column: TextColumn) =>
    column.maxWidth === undefined ? cell : truncateAtWord(cell, column.maxWidth);
  const body = rows.map((row) => columns.map((column, index) => fit(row[index] ?? "", column)));
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.title), ...body.map((row) => displayWidth(row[index]!)), 0),
  );
  for (const footer of footers) {
    footer.cells.forEach((cell, offset) => {
      const index = footer.span + offset;
      widths[index] = Math.max(widths[index] ?? 0, displayWidth(cell));
    });
    // The label spans its columns; widen the last spanned column when it does not fit.
    const spanned = widths.slice(0, footer.span).reduce((sum, width) => sum + width, 0) + 2 * (footer.span - 1);
    const missing = displayWidth(footer.label) - spanned;
    if (missing > 0) widths[footer.span - 1] = (widths[footer.span - 1] ?? 0) + missing;
  }
  const pad = (cell: string, index: number) => {
    const gap = " ".repeat(Math.max(0, widths[index]! - displayWidth(cell)));
    return columns[index]!.align === "right" ? gap + cell : cell + gap;
  };
  const line = (cells: string[]) => cells.map(pad).join("  ").trimEnd();
  const rule = "-".repeat(widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1));
  const out = [line(columns.map((column) => column.title)), rule, ...body.map(line)];
  if (footers.length > 0) out.push(rule);
  for (const footer of footers) {
    const spanWidth = widths.slice(0, footer.span).reduce((sum, width) => sum + width, 0) + 2 * (footer.span - 1);
    const label = footer.label + " ".repeat(Math.max(0, spanWidth - displayWidth(footer.label)));
    const rest = footer.cells.map((cell, offset) => pad(cell, footer.span + offset));
    out.push([label, ...rest].join("  ").trimEnd());
  }
  return out;
}
