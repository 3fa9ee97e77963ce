// MSAL (auth code + PKCE) set up for Entra ID or devhost's identity provider; one code path for both.
// In the browser it signs in by redirect; in the Teams tab (src/teams/) the same Auth wraps the
// nestable client, which cannot redirect inside Teams' frame and signs in by popup instead.
import {
  InteractionRequiredAuthError,
  ProtocolMode,
  PublicClientApplication,
  type AccountInfo,
  type Configuration,
  type IPublicClientApplication,
} from "@azure/msal-browser";
import type { ConsoleConfig } from "../config";

export interface Auth {
  pca: IPublicClientApplication;
  scopes: string[];
  account(): AccountInfo | null;
  /** Sign in without a page when the identity provider still has a session (a link opened in a
   * new tab, whose sessionStorage cache is empty; the Teams tab); false when it needs the person. */
  silentSignIn(): Promise<boolean>;
  token(): Promise<string>;
  /** Interactive sign-in: a redirect in the browser; in Teams a popup (the host's own dialog
   * with nested app auth), which resolves once signed in. */
  signIn(): Promise<void>;
  signOut(): Promise<void>;
}

export const isEntra = (authority: string) => new URL(authority).host.endsWith("login.microsoftonline.com");

export function msalConfig(cfg: ConsoleConfig): Configuration {
  return {
    auth: {
      clientId: cfg.clientId,
      authority: cfg.authority,
      knownAuthorities: cfg.knownAuthorities,
      redirectUri: new URL("/redirect.html", window.location.origin).href,
      postLogoutRedirectUri: window.location.origin + "/",
    },
    cache: { cacheLocation: "sessionStorage" },
    system: { protocolMode: isEntra(cfg.authority) ? ProtocolMode.AAD : ProtocolMode.OIDC },
  };
}

export async function createAuth(cfg: ConsoleConfig): Promise<Auth> {
  const pca = new PublicClientApplication(msalConfig(cfg));
  await pca.initialize();
  return wrapAuth(pca, cfg, { interaction: "redirect" });
}

export interface WrapOptions {
  interaction: "redirect" | "popup";
  /** Who the host says is signed in (Teams' `user.loginHint`): picks the account silently. */
  loginHint?: string;
}

/** The console's Auth over an initialised MSAL client (standard or nested). */
export async function wrapAuth(pca: IPublicClientApplication, cfg: ConsoleConfig, opts: WrapOptions): Promise<Auth> {
  const result = await pca.handleRedirectPromise();
  if (result?.account) pca.setActiveAccount(result.account);
  const account = () => pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;
  const hint = opts.loginHint ? { loginHint: opts.loginHint } : {};
  const signIn = async () => {
    if (opts.interaction === "redirect") {
      await pca.loginRedirect({ scopes: cfg.scopes, redirectStartPage: window.location.href });
      return;
    }
    const r = await pca.acquireTokenPopup({ scopes: cfg.scopes, ...hint });
    pca.setActiveAccount(r.account);
  };
  return {
    pca,
    scopes: cfg.scopes,
    account,
    signIn,
    async silentSignIn() {
      try {
        const r = await pca.ssoSilent({ scopes: cfg.scopes, ...hint });
        pca.setActiveAccount(r.account);
        return true;
      } catch {
        return false;
      }
    },
    async signOut() {
      const a = account();
      await pca.logoutRedirect(a ? { account: a } : {});
    },
    async token() {
      if (!account()) {
        await signIn();
        if (opts.interaction === "redirect") throw new Error("Signing in…");
      }
      const a = account();
      if (!a) throw new Error("Not signed in");
      try {
        const r = await pca.acquireTokenSilent({ scopes: cfg.scopes, account: a });
        return r.accessToken;
      } catch (e) {
        if (!(e instanceof InteractionRequiredAuthError)) throw e;
        if (opts.interaction === "redirect") {
          await pca.acquireTokenRedirect({ scopes: cfg.scopes, account: a });
          throw e;
        }
        return (await pca.acquireTokenPopup({ scopes: cfg.scopes, account: a })).accessToken;
      }
    },
  };
}
