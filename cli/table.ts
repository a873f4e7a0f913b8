// Plain-text tables: by default as kubectl prints them, left-aligned columns three spaces apart;
// the profile tables right-align their figures two spaces apart.

export type Align = "left" | "right";

export interface TableLayout {
  /** Spaces between columns; 3 by default. */
  gap?: number;
  /** One alignment for every column, or one per column; left by default. */
  align?: Align | readonly Align[];
}

/** The profile tables' layout: figures right-aligned, two spaces apart. */
export const FIGURES: TableLayout = { gap: 2, align: "right" };

type Row = readonly string[];

/**
 * The line formatter for these rows (the header first): each column as wide as its widest cell,
 * the last one never padded, so sections printed apart still line up.
 */
export function tableLines(rows: readonly Row[], layout: TableLayout = {}): (cells: Row) => string {
  const gap = " ".repeat(layout.gap ?? 3);
  const align = (i: number) =>
    typeof layout.align === "string" ? layout.align : (layout.align?.[i] ?? "left");
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return (cells) =>
    cells
      .map((c, i) => {
        if (i === cells.length - 1) return c;
        const width = widths[i] ?? 0;
        return align(i) === "right" ? c.padStart(width) : c.padEnd(width);
      })
      .join(gap)
      .trimEnd();
}

/** The header and the rows, one line each. */
export function table(header: Row, rows: readonly Row[], layout: TableLayout = {}): string {
  const line = tableLines([header, ...rows], layout);
  return [header, ...rows].map(line).join("\n");
}
