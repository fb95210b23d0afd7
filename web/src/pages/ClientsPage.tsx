import { useState } from "preact/hooks";
import { call, type Client } from "../api/client.ts";
import { orgNumberProblem } from "../format.ts";
import { useI18n } from "../i18n.ts";
import { enc, ErrorMessage, Loading, useApi, useLoad } from "../ui.tsx";

export function ClientsPage() {
  const api = useApi();
  const { t } = useI18n();
  const clients = useLoad(() => call(() => api.client.GET("/clients")), []);
  const [query, setQuery] = useState("");
  const needle = query.trim().toLowerCase();
  const shown = (clients.data?.items ?? []).filter(
    (client) =>
      needle === "" ||
      client.name.toLowerCase().includes(needle) ||
      client.clientId.toLowerCase().includes(needle) ||
      (client.orgNumber ?? "").includes(needle.replace(/\s/g, "")),
  );
  return (
    <section>
      <h1>{t("clients")}</h1>
      <label class="inline">
        {t("search")}{" "}
        <input
          type="search"
          placeholder={t("searchClients")}
          value={query}
          onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
        />
      </label>
      <ErrorMessage error={clients.error} />
      {clients.loading && !clients.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <p class="muted">{t("noClients")}</p>
      ) : (
        <table class="grid" data-testid="clients">
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("orgNumber")}</th>
              <th scope="col">{t("accountingSystem")}</th>
              <th scope="col">Id</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((client) => (
              <tr key={client.clientId}>
                <td>
                  <a href={`/clients/${enc(client.clientId)}`}>{client.name}</a>
                </td>
                <td>{client.orgNumber ?? ""}</td>
                <td>{client.accountingSystem}</td>
                <td class="muted">{client.clientId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewClient onCreated={() => clients.reload()} />
    </section>
  );
}

function NewClient({ onCreated }: { onCreated(client: Client): void }) {
  const api = useApi();
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [orgNumber, setOrgNumber] = useState("");
  const [system, setSystem] = useState<Client["accountingSystem"]>("other");
  const [error, setError] = useState<unknown>();
  const [touched, setTouched] = useState(false);
  const orgProblem = orgNumberProblem(orgNumber);
  return (
    <form
      class="card"
      aria-labelledby="new-client"
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (orgProblem) return;
        setError(undefined);
        call(() => api.client.POST("/clients", { body: { name, orgNumber, accountingSystem: system } })).then(
          (client) => {
            setName("");
            setOrgNumber("");
            setTouched(false);
            onCreated(client);
          },
          setError,
        );
      }}
    >
      <h2 id="new-client">{t("newClient")}</h2>
      <label>
        {t("name")}
        <input name="name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        {t("orgNumber")}
        <input
          name="orgNumber"
          required
          inputMode="numeric"
          aria-invalid={touched && orgProblem ? "true" : "false"}
          aria-describedby="org-problem"
          value={orgNumber}
          onInput={(e) => setOrgNumber((e.target as HTMLInputElement).value)}
          onBlur={() => setTouched(true)}
        />
      </label>
      <span id="org-problem" class="field-error" role="status">
        {touched && orgProblem === "format" ? t("orgNumberFormat") : ""}
        {touched && orgProblem === "checksum" ? t("orgNumberChecksum") : ""}
      </span>
      <label>
        {t("accountingSystem")}
        <select
          name="accountingSystem"
          value={system}
          onChange={(e) => setSystem((e.target as HTMLSelectElement).value as Client["accountingSystem"])}
        >
          <option value="other">{t("other")}</option>
          <option value="poweroffice-go">PowerOffice Go</option>
          <option value="tripletex">Tripletex</option>
        </select>
      </label>
      <ErrorMessage error={error} />
      <button type="submit">{t("create")}</button>
    </form>
  );
}
