import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useState } from "preact/hooks";
import { ApiError, type Api } from "./api/client.ts";
import { formatAmount } from "./format.ts";
import { useI18n } from "./i18n.ts";

export const ApiContext = createContext<Api | undefined>(undefined);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("no API outside the signed-in console");
  return api;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Loads with `load` whenever `deps` change; `reload()` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => current && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}

/** An API error (RFC 9457 problem) as a sentence a person can act on, with its code and request id for support. */
export function ErrorMessage({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error === undefined || error === null) return null;
  const problem = error instanceof ApiError ? error : undefined;
  const detail = problem?.detail ?? (error instanceof Error ? error.message : String(error));
  return (
    <div role="alert" class="error">
      <strong>{t("error")}:</strong> {detail}
      {problem && problem.code !== "NETWORK" && (
        <span class="muted">
          {" "}
          ({problem.code}
          {problem.problem?.requestId ? `, ${problem.problem.requestId}` : ""})
        </span>
      )}
      {problem?.problem?.errors && (
        <ul>
          {problem.problem.errors.map((entry) => (
            <li key={entry.path}>
              <code>{entry.path}</code>: {entry.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="muted" aria-live="polite">
      {t("loading")}
    </p>
  );
}

export function Amount({ value }: { value: string | null | undefined }) {
  const { locale } = useI18n();
  const negative = typeof value === "string" && value.startsWith("-");
  return <span class={negative ? "amount negative" : "amount"}>{formatAmount(value, locale)}</span>;
}

export function Crumbs({ items }: { items: { href?: string; label: ComponentChildren }[] }) {
  return (
    <nav aria-label="breadcrumbs" class="crumbs">
      {items.map((item, index) => (
        <span key={index}>
          {index > 0 && " › "}
          {item.href ? <a href={item.href}>{item.label}</a> : <span aria-current="page">{item.label}</span>}
        </span>
      ))}
    </nav>
  );
}

export function StatusBadge({ status, active }: { status: string; active?: boolean }) {
  const { t } = useI18n();
  const label = t(`status.${status}` as Parameters<typeof t>[0]) ?? status;
  return (
    <span class={`badge status-${status}`} data-status={status}>
      {label}
      {active ? ` · ${t("active")}` : ""}
    </span>
  );
}

/** The reconciliation status (`reconciled`, `differences`, `incomplete`) as a badge, with the count when given. */
export function ReconciliationBadge({ status, count }: { status: string; count?: number }) {
  const { t } = useI18n();
  const label = t(`reconciliation.${status}` as Parameters<typeof t>[0]) ?? status;
  return (
    <span class={`badge reconciliation-${status}`} data-reconciliation={status}>
      {label}
      {count ? ` · ${count}` : ""}
    </span>
  );
}

interface SourceOfFigures {
  kind: "prior" | "file" | "api" | "none";
  importId: string | null;
  engagementId: string | null;
  system?: string | null;
  format?: string | null;
}

/** Where a figure comes from: its kind, and the import (or the prior engagement) it was read from, linked. */
export function SourceRef({
  clientId,
  engagementId,
  source,
}: {
  clientId: string;
  engagementId: string;
  source: SourceOfFigures;
}) {
  const { t } = useI18n();
  const owner = source.engagementId ?? engagementId;
  const detail = source.system ?? source.format;
  return (
    <span class="source" data-source-kind={source.kind}>
      {t(`kind.${source.kind}`)}
      {detail ? ` (${detail})` : ""}
      {source.kind === "prior" && source.engagementId && (
        <>
          {" "}
          <a class="mono" href={engagementPath(clientId, source.engagementId)}>
            {source.engagementId}
          </a>
        </>
      )}
      {source.importId && (
        <>
          {" "}
          <a class="mono" href={`${engagementPath(clientId, owner)}/imports/${enc(source.importId)}`}>
            {source.importId}
          </a>
        </>
      )}
    </span>
  );
}

export const enc = encodeURIComponent;

export function engagementPath(clientId: string, engagementId: string): string {
  return `/clients/${enc(clientId)}/engagements/${enc(engagementId)}`;
}
