import { useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { call, type Engagement, type IntegrationStatus, type IntegrationSystem } from "../api/client.ts";
import { formatDate, formatDateTime } from "../format.ts";
import { useI18n } from "../i18n.ts";
import { Crumbs, engagementPath, ErrorMessage, Loading, ReconciliationBadge, useApi, useLoad } from "../ui.tsx";

const INTERVALS = ["hourly", "nightly", "weekly", "off"] as const;
type Interval = (typeof INTERVALS)[number];

export function ClientPage() {
  const { params } = useRoute();
  const clientId = params.clientId!;
  const api = useApi();
  const { t } = useI18n();
  const client = useLoad(
    () => call(() => api.client.GET("/clients/{clientId}", { params: { path: { clientId } } })),
    [clientId],
  );
  const engagements = useLoad(
    () => call(() => api.client.GET("/clients/{clientId}/engagements", { params: { path: { clientId } } })),
    [clientId],
  );
  if (client.error) return <ErrorMessage error={client.error} />;
  if (!client.data) return <Loading />;
  const system = client.data.accountingSystem;
  const connectedSystem = system === "poweroffice-go" || system === "tripletex";
  return (
    <section>
      <Crumbs items={[{ href: "/clients", label: t("clients") }, { label: client.data.name }]} />
      <h1>{client.data.name}</h1>
      <dl class="facts">
        <dt>{t("orgNumber")}</dt>
        <dd>{client.data.orgNumber ?? "—"}</dd>
        <dt>{t("accountingSystem")}</dt>
        <dd>{system}</dd>
        <dt>{t("created")}</dt>
        <dd>{formatDateTime(client.data.createdAt)}</dd>
        {connectedSystem && (
          <>
            <dt>{t("refreshInterval")}</dt>
            <dd>
              <RefreshInterval clientId={clientId} interval={client.data.refresh.interval} onSaved={client.reload} />
            </dd>
          </>
        )}
      </dl>

      <h2>{t("engagements")}</h2>
      <ErrorMessage error={engagements.error} />
      {engagements.data && engagements.data.items.length === 0 && <p class="muted">{t("noEngagements")}</p>}
      {engagements.data && engagements.data.items.length > 0 && (
        <table class="grid" data-testid="engagements">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">{t("kind")}</th>
              <th scope="col">{t("period")}</th>
              <th scope="col">{t("activeImport")}</th>
              <th scope="col">{t("reconciliation")}</th>
            </tr>
          </thead>
          <tbody>
            {engagements.data.items.map((engagement) => (
              <tr key={engagement.engagementId}>
                <td>
                  <a href={engagementPath(clientId, engagement.engagementId)}>{engagement.engagementId}</a>
                </td>
                <td>{engagement.kind === "year-end" ? t("yearEnd") : t("periodEnd")}</td>
                <td>
                  {formatDate(engagement.periodStart)}–{formatDate(engagement.periodEnd)}
                </td>
                <td>{engagement.activeImportId ?? t("none")}</td>
                <td>
                  {engagement.reconciliation && (
                    <a href={`${engagementPath(clientId, engagement.engagementId)}/reconciliation`}>
                      <ReconciliationBadge
                        status={engagement.reconciliation.status}
                        count={engagement.reconciliation.differences}
                      />
                    </a>
                  )}
                  {engagement.closedAt && <span class="badge"> {t("closed")}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewEngagement clientId={clientId} onCreated={() => engagements.reload()} />

      {(system === "poweroffice-go" || system === "tripletex") && (
        <>
          <h2>{t("integrations")}</h2>
          <Integration clientId={clientId} system={system} />
        </>
      )}
    </section>
  );
}

function NewEngagement({ clientId, onCreated }: { clientId: string; onCreated(engagement: Engagement): void }) {
  const api = useApi();
  const { t } = useI18n();
  const [kind, setKind] = useState<"year-end" | "period-end">("year-end");
  const [year, setYear] = useState(String(new Date().getFullYear() - 1));
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [error, setError] = useState<unknown>();
  return (
    <form
      class="card"
      aria-labelledby="new-engagement"
      onSubmit={(event) => {
        event.preventDefault();
        setError(undefined);
        const body =
          kind === "year-end" ? { kind, fiscalYear: Number(year) } : { kind, periodStart: start, periodEnd: end };
        call(() => api.client.POST("/clients/{clientId}/engagements", { params: { path: { clientId } }, body })).then(
          onCreated,
          setError,
        );
      }}
    >
      <h2 id="new-engagement">{t("newEngagement")}</h2>
      <label>
        {t("kind")}
        <select
          name="kind"
          value={kind}
          onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}
        >
          <option value="year-end">{t("yearEnd")}</option>
          <option value="period-end">{t("periodEnd")}</option>
        </select>
      </label>
      {kind === "year-end" ? (
        <label>
          {t("fiscalYear")}
          <input
            name="fiscalYear"
            type="number"
            min="1900"
            max="2999"
            required
            value={year}
            onInput={(e) => setYear((e.target as HTMLInputElement).value)}
          />
        </label>
      ) : (
        <>
          <label>
            {t("periodStart")}
            <input type="date" required value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            {t("periodEnd_")}
            <input type="date" required value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />
          </label>
        </>
      )}
      <ErrorMessage error={error} />
      <button type="submit">{t("create")}</button>
    </form>
  );
}

function Integration({ clientId, system }: { clientId: string; system: IntegrationSystem }) {
  const api = useApi();
  const { t } = useI18n();
  const path = { clientId, system };
  const status = useLoad(
    () => call(() => api.client.GET("/clients/{clientId}/integrations/{system}", { params: { path } })),
    [clientId, system],
  );
  const [key, setKey] = useState("");
  const [error, setError] = useState<unknown>();
  const [stored, setStored] = useState(false);
  const [busy, setBusy] = useState(false);
  const shown: IntegrationStatus | undefined = status.data;
  return (
    <div class="card" data-testid="integration">
      <h3>{system === "tripletex" ? "Tripletex" : "PowerOffice Go"}</h3>
      <ErrorMessage error={status.error} />
      {shown && <IntegrationFacts status={shown} />}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          const body = system === "tripletex" ? { employeeToken: key } : { clientKey: key };
          call(() => api.client.PUT("/clients/{clientId}/integrations/{system}", { params: { path }, body }))
            .then(() => {
              // The key leaves the page as soon as it is stored: it is never shown or kept in the browser.
              setKey("");
              setStored(true);
              status.reload();
            }, setError)
            .finally(() => setBusy(false));
        }}
      >
        <label>
          {system === "tripletex" ? t("keyTripletex") : t("keyPowerOffice")}
          <input
            name="key"
            type="password"
            autoComplete="off"
            required
            value={key}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {t("storeKey")}
        </button>
        {shown?.set && (
          <>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                call(() =>
                  api.client.POST("/clients/{clientId}/integrations/{system}/check", { params: { path } }),
                ).then(() => status.reload(), setError)
              }
            >
              {t("checkConnection")}
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                call(() => api.client.DELETE("/clients/{clientId}/integrations/{system}", { params: { path } })).then(
                  () => status.reload(),
                  setError,
                )
              }
            >
              {t("removeKey")}
            </button>
          </>
        )}
      </form>
      {stored && (
        <p role="status" class="ok">
          {t("keyStored")}
        </p>
      )}
      <ErrorMessage error={error} />
      {system === "tripletex" && shown?.set && (
        <TripletexCompanies clientId={clientId} onBound={() => status.reload()} />
      )}
    </div>
  );
}

function IntegrationFacts({ status }: { status: IntegrationStatus }) {
  const { t } = useI18n();
  const connection = status.connection;
  return (
    <dl class="facts" data-testid="integration-status">
      <dt>{t("integrationKey")}</dt>
      <dd>{status.set ? `${t("keySet")} (${status.masked ?? "••••"})` : t("keyNotSet")}</dd>
      {connection && (
        <>
          <dt>{t("connection")}</dt>
          <dd>
            <span class={`badge conn-${connection.status}`}>{connection.status}</span>{" "}
            {formatDateTime(connection.checkedAt)} {connection.message ?? ""}
          </dd>
          {connection.company && (
            <>
              <dt>{t("company")}</dt>
              <dd>
                {connection.company.name} {connection.company.orgNumber ?? ""}
              </dd>
            </>
          )}
        </>
      )}
      {status.lastUsedAt && (
        <>
          <dt>{t("lastUsed")}</dt>
          <dd>{formatDateTime(status.lastUsedAt)}</dd>
        </>
      )}
    </dl>
  );
}

function TripletexCompanies({ clientId, onBound }: { clientId: string; onBound(): void }) {
  const api = useApi();
  const { t } = useI18n();
  const companies = useLoad(
    () =>
      call(() =>
        api.client.GET("/clients/{clientId}/integrations/tripletex/companies", { params: { path: { clientId } } }),
      ),
    [clientId],
  );
  const [picked, setPicked] = useState<string>("");
  const [error, setError] = useState<unknown>();
  if (!companies.data || companies.data.companies.length < 2) return <ErrorMessage error={companies.error} />;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        call(() =>
          api.client.PUT("/clients/{clientId}/integrations/tripletex/company", {
            params: { path: { clientId } },
            body: { companyId: picked || null },
          }),
        ).then(onBound, setError);
      }}
    >
      <label>
        {t("pickCompany")}
        <select
          value={picked || companies.data.companyId || ""}
          onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}
        >
          <option value="">—</option>
          {companies.data.companies.map((company) => (
            <option key={company.id} value={company.id}>
              {company.name} {company.orgNumber ?? ""}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">{t("bindCompany")}</button>
      <ErrorMessage error={error} />
    </form>
  );
}

/** The client's scheduled refresh interval (`PATCH /clients/{id}` `refresh.interval`), saved as it is picked. */
function RefreshInterval({ clientId, interval, onSaved }: { clientId: string; interval: Interval; onSaved(): void }) {
  const api = useApi();
  const { t } = useI18n();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  return (
    <>
      <select
        name="refreshInterval"
        aria-label={t("refreshInterval")}
        value={interval}
        onChange={(event) => {
          const next = (event.target as HTMLSelectElement).value as Interval;
          setError(undefined);
          setSaved(false);
          call(() =>
            api.client.PATCH("/clients/{clientId}", {
              params: { path: { clientId } },
              body: { refresh: { interval: next } },
            }),
          ).then(() => {
            setSaved(true);
            onSaved();
          }, setError);
        }}
      >
        {INTERVALS.map((value) => (
          <option key={value} value={value}>
            {t(`interval.${value}`)}
          </option>
        ))}
      </select>
      {saved && (
        <span class="muted" role="status" data-testid="interval-saved">
          {" "}
          {t("saved")}
        </span>
      )}
      <ErrorMessage error={error} />
    </>
  );
}
