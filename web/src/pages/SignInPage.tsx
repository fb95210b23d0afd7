import { useEffect, useState } from "preact/hooks";
import { signedOutInThisTab, signInLocally, startOidcSignIn, type Session } from "../auth.ts";
import type { ConsoleConfig } from "../config.ts";
import { useI18n } from "../i18n.ts";
import { ErrorMessage } from "../ui.tsx";

export function SignInPage({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn(session: Session): void }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const auth = config.auth;
  const [tenant, setTenant] = useState(auth.kind === "local" ? (auth.tenants[0] ?? "demo") : "");
  // Local stack: open signed in as its demo tenant (development only), unless someone signed out in this tab.
  useEffect(() => {
    if (auth.kind === "local" && auth.autoSignIn && !signedOutInThisTab())
      signInLocally(auth, auth.autoSignIn).then(onSignedIn, setError);
  }, []);

  if (auth.kind === "oidc") {
    return (
      <main class="signin">
        <h1>saldo</h1>
        <ErrorMessage error={error} />
        <button
          type="button"
          onClick={() =>
            startOidcSignIn(auth, location.pathname === "/auth/callback" ? "/clients" : location.pathname).catch(
              setError,
            )
          }
        >
          {t("signInCloud")}
        </button>
      </main>
    );
  }
  return (
    <main class="signin">
      <h1>saldo</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          signInLocally(auth, tenant.trim())
            .then(onSignedIn, setError)
            .finally(() => setBusy(false));
        }}
      >
        <p>{t("signInLocal")}</p>
        <label>
          {t("tenant")}
          <input
            name="tenant"
            list="tenants"
            required
            value={tenant}
            onInput={(event) => setTenant((event.target as HTMLInputElement).value)}
          />
        </label>
        <datalist id="tenants">
          {auth.tenants.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {t("signIn")}
        </button>
      </form>
    </main>
  );
}
