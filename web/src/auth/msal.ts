// MSAL (auth code + PKCE) set up for Entra ID or devhost's identity provider; one code path for both.
import {
  InteractionRequiredAuthError,
  ProtocolMode,
  PublicClientApplication,
  type AccountInfo,
} from "@azure/msal-browser";
import type { ConsoleConfig } from "../config";

export interface Auth {
  pca: PublicClientApplication;
  scopes: string[];
  account(): AccountInfo | null;
  token(): Promise<string>;
  signIn(): Promise<void>;
  signOut(): Promise<void>;
}

const isEntra = (authority: string) => new URL(authority).host.endsWith("login.microsoftonline.com");

export async function createAuth(cfg: ConsoleConfig): Promise<Auth> {
  const redirectUri = new URL("/redirect.html", window.location.origin).href;
  const pca = new PublicClientApplication({
    auth: {
      clientId: cfg.clientId,
      authority: cfg.authority,
      knownAuthorities: cfg.knownAuthorities,
      redirectUri,
      postLogoutRedirectUri: window.location.origin + "/",
    },
    cache: { cacheLocation: "sessionStorage" },
    system: { protocolMode: isEntra(cfg.authority) ? ProtocolMode.AAD : ProtocolMode.OIDC },
  });
  await pca.initialize();
  const result = await pca.handleRedirectPromise();
  if (result?.account) pca.setActiveAccount(result.account);
  const account = () => pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;
  const signIn = async () => {
    await pca.loginRedirect({ scopes: cfg.scopes, redirectStartPage: window.location.href });
  };
  return {
    pca,
    scopes: cfg.scopes,
    account,
    signIn,
    async signOut() {
      const a = account();
      await pca.logoutRedirect(a ? { account: a } : {});
    },
    async token() {
      const a = account();
      if (!a) {
        await signIn();
        throw new Error("Signing in…");
      }
      try {
        const r = await pca.acquireTokenSilent({ scopes: cfg.scopes, account: a });
        return r.accessToken;
      } catch (e) {
        if (e instanceof InteractionRequiredAuthError) {
          await pca.acquireTokenRedirect({ scopes: cfg.scopes, account: a });
        }
        throw e;
      }
    },
  };
}
