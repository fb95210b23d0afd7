import { useEffect, useMemo, useState } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { createApi } from "./api/client.ts";
import { CALLBACK_PATH, currentSession, endOidcSession, finishOidcSignIn, signOut, type Session } from "./auth.ts";
import { loadConfig, type ConsoleConfig } from "./config.ts";
import { I18nContext, storedLocale, translator, useI18n, type Locale } from "./i18n.ts";
import { ClientPage } from "./pages/ClientPage.tsx";
import { ClientsPage } from "./pages/ClientsPage.tsx";
import { ComparePage } from "./pages/ComparePage.tsx";
import { EngagementPage } from "./pages/EngagementPage.tsx";
import { ImportPage } from "./pages/ImportPage.tsx";
import { ImportsPage } from "./pages/ImportsPage.tsx";
import { ReconciliationPage } from "./pages/ReconciliationPage.tsx";
import { SignInPage } from "./pages/SignInPage.tsx";
import { TransactionsPage } from "./pages/TransactionsPage.tsx";
import { TrialBalancePage } from "./pages/TrialBalancePage.tsx";
import { ApiContext, ErrorMessage, Loading } from "./ui.tsx";

export function App() {
  const [locale, setLocaleState] = useState<Locale>(storedLocale());
  const i18n = useMemo(
    () => ({
      locale,
      t: translator(locale),
      setLocale: (next: Locale) => {
        localStorage.setItem("saldo.locale", next);
        document.documentElement.lang = next;
        setLocaleState(next);
      },
    }),
    [locale],
  );
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <I18nContext.Provider value={i18n}>
      <LocationProvider>
        <Shell />
      </LocationProvider>
    </I18nContext.Provider>
  );
}

function Shell() {
  const location = useLocation();
  const [config, setConfig] = useState<ConsoleConfig>();
  const [configError, setConfigError] = useState<unknown>();
  const [session, setSession] = useState<Session | undefined>(currentSession());
  const i18n = useI18n();

  useEffect(() => {
    loadConfig().then(setConfig, setConfigError);
  }, []);

  // The OIDC issuer's redirect back (cloud).
  useEffect(() => {
    if (!config || config.auth.kind !== "oidc" || location.path !== CALLBACK_PATH) return;
    finishOidcSignIn(config.auth).then(({ session: next, returnTo }) => {
      setSession(next);
      location.route(returnTo || "/clients", true);
    }, setConfigError);
  }, [config, location.path]);

  const api = useMemo(
    () =>
      config &&
      createApi(
        config.apiUrl,
        () => currentSession()?.accessToken,
        (code) => {
          signOut(code === "AUTH_EXPIRED" ? "expired" : "rejected");
          setSession(undefined);
        },
      ),
    [config],
  );

  if (configError) return <ErrorMessage error={configError} />;
  if (!config || !api) return <Loading />;
  if (!session || location.path === CALLBACK_PATH)
    return (
      <SignInPage
        config={config}
        onSignedIn={(next) => setSession(next)}
        finishing={location.path === CALLBACK_PATH && config.auth.kind === "oidc"}
      />
    );

  return (
    <ApiContext.Provider value={api}>
      <header class="top">
        <a href="/clients" class="brand">
          saldo
        </a>
        <nav aria-label="main">
          <a href="/clients">{i18n.t("clients")}</a>
        </nav>
        <span class="spacer" />
        <LanguagePicker />
        <span class="muted" data-testid="tenant">
          {i18n.t("tenant")}: {session.tenantId}
        </span>
        <button
          type="button"
          onClick={() => {
            signOut();
            setSession(undefined);
            // In the cloud the issuer's session ends too (it then sends the browser back to the start page).
            if (config.auth.kind === "oidc") endOidcSession(config.auth).catch(setConfigError);
          }}
        >
          {i18n.t("signOut")}
        </button>
      </header>
      <main>
        <Router>
          <Route path="/" component={ClientsPage} />
          <Route path="/clients" component={ClientsPage} />
          <Route path="/clients/:clientId" component={ClientPage} />
          <Route path="/clients/:clientId/engagements/:engagementId" component={EngagementPage} />
          <Route path="/clients/:clientId/engagements/:engagementId/imports" component={ImportsPage} />
          <Route path="/clients/:clientId/engagements/:engagementId/imports/:importId" component={ImportPage} />
          <Route
            path="/clients/:clientId/engagements/:engagementId/imports/:importId/compare"
            component={ComparePage}
          />
          <Route path="/clients/:clientId/engagements/:engagementId/trial-balance" component={TrialBalancePage} />
          <Route path="/clients/:clientId/engagements/:engagementId/transactions" component={TransactionsPage} />
          <Route path="/clients/:clientId/engagements/:engagementId/reconciliation" component={ReconciliationPage} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </ApiContext.Provider>
  );
}

function LanguagePicker() {
  const { locale, setLocale, t } = useI18n();
  return (
    <label class="inline">
      {t("language")}{" "}
      <select value={locale} onChange={(event) => setLocale((event.target as HTMLSelectElement).value as Locale)}>
        <option value="nb">Norsk (bokmål)</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function NotFound() {
  const { t } = useI18n();
  return <p>{t("notFound")}</p>;
}
