import { useLocation, useRoute } from "preact-iso";
import { call } from "../api/client.ts";
import { sameAmount } from "../format.ts";
import { useI18n } from "../i18n.ts";
import { Amount, enc, engagementPath, ErrorMessage, Loading, useApi, useLoad } from "../ui.tsx";
import { EngagementCrumbs, useEngagementScope } from "../components/EngagementFrame.tsx";

/** The API compares `{importId}` ("after") with `?with=` ("before"): figures before → after, differences after − before. */
export function ComparePage() {
  const { params } = useRoute();
  const scope = useEngagementScope();
  const { query } = useLocation();
  const clientId = params.clientId!;
  const engagementId = params.engagementId!;
  const importId = params.importId!;
  const other = query.with ?? "";
  const api = useApi();
  const { t } = useI18n();
  const comparison = useLoad(
    () =>
      call(() =>
        api.client.GET("/clients/{clientId}/engagements/{engagementId}/imports/{importId}/compare", {
          params: { path: { clientId, engagementId, importId }, query: { with: other } },
        }),
      ),
    [clientId, engagementId, importId, other],
  );
  const base = engagementPath(clientId, engagementId);
  if (comparison.error) return <ErrorMessage error={comparison.error} />;
  if (!comparison.data) return <Loading />;
  const c = comparison.data;
  return (
    <section>
      <EngagementCrumbs
        scope={scope}
        trail={[{ href: `${base}/imports`, label: t("imports") }, { label: `${importId} ↔ ${other}` }]}
      />
      <h1>{t("compare")}</h1>
      <p>
        {t("before")}: <a href={`${base}/imports/${enc(c.other.importId)}`}>{c.other.importId}</a> · {t("after")}:{" "}
        <a href={`${base}/imports/${enc(c.base.importId)}`}>{c.base.importId}</a> · {c.unchangedAccounts}{" "}
        {t("unchangedAccounts")}
      </p>
      <table class="grid" data-testid="comparison">
        <thead>
          <tr>
            <th scope="col">{t("account")}</th>
            <th scope="col">{t("name")}</th>
            <th scope="col" class="num">
              {t("closing")} {t("before")}
            </th>
            <th scope="col" class="num">
              {t("closing")} {t("after")}
            </th>
            <th scope="col" class="num">
              {t("difference")} {t("opening")}
            </th>
            <th scope="col" class="num">
              {t("difference")} {t("movement")}
            </th>
            <th scope="col" class="num">
              {t("difference")} {t("closing")}
            </th>
          </tr>
        </thead>
        <tbody>
          {c.accounts.map((row) => (
            <tr key={row.account}>
              <td>{row.account}</td>
              <td>{row.name}</td>
              <td class="num">
                <Amount value={row.before?.closing} />
              </td>
              <td class="num">
                <Amount value={row.after?.closing} />
              </td>
              <td class="num">
                <Amount value={row.difference.opening} />
              </td>
              <td class="num">
                <Amount value={row.difference.movement} />
              </td>
              <td class={sameAmount(row.difference.closing, "0.00") ? "num" : "num diff"}>
                <Amount value={row.difference.closing} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              {t("total")}
            </th>
            <td class="num">
              <Amount value={c.totals.before.closing} />
            </td>
            <td class="num">
              <Amount value={c.totals.after.closing} />
            </td>
            <td class="num">
              <Amount value={c.totals.difference.opening} />
            </td>
            <td class="num">
              <Amount value={c.totals.difference.movement} />
            </td>
            <td class="num">
              <Amount value={c.totals.difference.closing} />
            </td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}
