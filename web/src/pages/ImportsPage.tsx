import { useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import { call, type ImportSummary } from "../api/client.ts";
import { formatDateTime } from "../format.ts";
import { useI18n } from "../i18n.ts";
import { enc, engagementPath, ErrorMessage, Loading, StatusBadge, useApi, useLoad } from "../ui.tsx";
import { EngagementCrumbs, useEngagementScope } from "../components/EngagementFrame.tsx";

/** Where an import came from, in a few words: the file (name, format) or the accounting system (period, data as of). */
export function sourceText(source: ImportSummary["source"]): string {
  if (source.type === "file") return `${source.fileName}${source.format ? ` (${source.format})` : ""}`;
  return `${source.system} ${source.from}–${source.to}${source.company ? `, ${source.company.name}` : ""}`;
}

export function ImportsPage() {
  const { params } = useRoute();
  const scope = useEngagementScope();
  const { route } = useLocation();
  const clientId = params.clientId!;
  const engagementId = params.engagementId!;
  const api = useApi();
  const { t } = useI18n();
  const path = { clientId, engagementId };
  const [pages, setPages] = useState<ImportSummary[][]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const first = useLoad(async () => {
    const page = await call(() =>
      api.client.GET("/clients/{clientId}/engagements/{engagementId}/imports", {
        params: { path, query: { limit: 25 } },
      }),
    );
    setPages([page.items]);
    setCursor(page.nextCursor);
    return page;
  }, [clientId, engagementId]);
  const [error, setError] = useState<unknown>();
  const [picked, setPicked] = useState<string[]>([]);
  const base = engagementPath(clientId, engagementId);
  const items = pages.flat();
  return (
    <section>
      <EngagementCrumbs scope={scope} trail={[{ label: t("imports") }]} />
      <h1>{t("imports")}</h1>
      <ErrorMessage error={first.error ?? error} />
      {first.loading && items.length === 0 && <Loading />}
      <table class="grid" data-testid="imports">
        <thead>
          <tr>
            <th scope="col">
              <span class="visually-hidden">{t("compare")}</span>
            </th>
            <th scope="col">Id</th>
            <th scope="col">{t("status")}</th>
            <th scope="col">{t("source")}</th>
            <th scope="col">{t("created")}</th>
            <th scope="col">{t("counts")}</th>
            <th scope="col">{t("issues")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.importId}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${t("compare")} ${item.importId}`}
                  checked={picked.includes(item.importId)}
                  onChange={(event) => {
                    const on = (event.target as HTMLInputElement).checked;
                    setPicked((current) =>
                      on
                        ? [...current.filter((id) => id !== item.importId), item.importId].slice(-2)
                        : current.filter((id) => id !== item.importId),
                    );
                  }}
                />
              </td>
              <td>
                <a href={`${base}/imports/${enc(item.importId)}`}>{item.importId}</a>
              </td>
              <td>
                <StatusBadge status={item.status} active={item.active} />
              </td>
              <td>{sourceText(item.source)}</td>
              <td>{formatDateTime(item.createdAt)}</td>
              <td>
                {item.counts ? `${item.counts.accounts} / ${item.counts.transactions} / ${item.counts.lines}` : ""}
              </td>
              <td>
                {item.issueCounts
                  ? `${item.issueCounts.error} / ${item.issueCounts.warning} / ${item.issueCounts.info}`
                  : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        {cursor && (
          <button
            type="button"
            onClick={() =>
              call(() =>
                api.client.GET("/clients/{clientId}/engagements/{engagementId}/imports", {
                  params: { path, query: { limit: 25, cursor } },
                }),
              ).then((page) => {
                setPages((current) => [...current, page.items]);
                setCursor(page.nextCursor);
              }, setError)
            }
          >
            {t("loadMore")}
          </button>
        )}
        <button
          type="button"
          disabled={picked.length !== 2}
          onClick={() => {
            // Import ids are ULIDs: the later one is "after" (the path), the earlier "before" (`with`).
            const [earlier, later] = [...picked].sort();
            route(`${base}/imports/${enc(later!)}/compare?with=${enc(earlier!)}`);
          }}
        >
          {t("compare")}
        </button>
      </div>
    </section>
  );
}
