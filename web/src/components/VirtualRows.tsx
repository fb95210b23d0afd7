import type { ComponentChildren } from "preact";
import { useLayoutEffect, useReducer, useRef, useState } from "preact/hooks";
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from "@tanstack/virtual-core";

/** The tallest the scrolling body grows before it scrolls. */
const MAX_HEIGHT_PX = 600;

/**
 * A scrolling body that renders only the rows in view (TanStack Virtual's framework-free core), so 5 000 accounts or
 * a long run of transaction lines scroll smoothly. Rows are `role="row"` inside the caller's `role="table"`, with
 * `aria-rowindex` so assistive technology knows where a row sits in the whole. The body is as tall as its rows,
 * at least two rows and at most {@link MAX_HEIGHT_PX}; beyond that it scrolls.
 */
export function VirtualRows<T>(props: {
  items: readonly T[];
  rowHeight: number;
  /** aria-rowindex of the first item (header rows come before it). */
  firstRowIndex: number;
  row(item: T, index: number): ComponentChildren;
  rowKey(item: T): string;
  /** Called when the last rows come into view (to load the next page). */
  onEnd?(): void;
  testId?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const options = {
    count: props.items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => props.rowHeight,
    overscan: 12,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => rerender(undefined),
  };
  const [virtualizer] = useState(() => new Virtualizer<HTMLDivElement, HTMLDivElement>(options));
  virtualizer.setOptions({ ...virtualizer.options, ...options });
  useLayoutEffect(() => virtualizer._didMount(), []);
  useLayoutEffect(() => virtualizer._willUpdate());
  const rows = virtualizer.getVirtualItems();
  const last = rows[rows.length - 1];
  useLayoutEffect(() => {
    if (last && last.index >= props.items.length - 1) props.onEnd?.();
  }, [last?.index, props.items.length]);
  return (
    <div
      ref={scroller}
      class="virtual-body"
      style={{ height: `${Math.min(MAX_HEIGHT_PX, Math.max(2, props.items.length) * props.rowHeight)}px` }}
      role="rowgroup"
      tabIndex={0}
      data-testid={props.testId}
    >
      <div style={{ height: `${virtualizer.getTotalSize()}px`, position: "relative" }}>
        {rows.map((virtual) => {
          const item = props.items[virtual.index]!;
          return (
            <div
              key={props.rowKey(item)}
              role="row"
              aria-rowindex={props.firstRowIndex + virtual.index}
              class="vrow"
              style={{
                position: "absolute",
                top: 0,
                left: 0,
                right: 0,
                height: `${virtual.size}px`,
                transform: `translateY(${virtual.start}px)`,
              }}
            >
              {props.row(item, virtual.index)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
