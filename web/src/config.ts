// Sign-in and API settings: /config.json when the host serves one (devhost: written by make run
// and the browser-test harness), else what the build was given (VITE_ENTRA_TENANT_ID,
// VITE_ENTRA_CLIENT_ID, VITE_API_BASE_URL: the Static Web App build in Azure).

export interface ConsoleConfig {
  authority: string;
  clientId: string;
  scopes: string[];
  knownAuthorities: string[];
  apiBase: string;
}

/** Build-time settings (the Static Web App build in Azure gets them from the Bicep outputs). */
function fromEnv(): ConsoleConfig {
  const env = import.meta.env;
  const tenant = String(env.VITE_ENTRA_TENANT_ID ?? "");
  const client = String(env.VITE_ENTRA_CLIENT_ID ?? "");
  const authority = tenant ? `https://login.microsoftonline.com/${tenant}` : "";
  return {
    authority,
    clientId: client,
    scopes: client ? [`api://${client}/access_as_user`] : [],
    knownAuthorities: authority ? [new URL(authority).host] : [],
    apiBase: String(env.VITE_API_BASE_URL ?? "/api/v1"),
  };
}

export function parseConfig(raw: unknown, fallback: ConsoleConfig = fromEnv()): ConsoleConfig {
  if (typeof raw !== "object" || raw === null) return fallback;
  const r = raw as Record<string, unknown>;
  const str = (v: unknown, d: string) => (typeof v === "string" && v ? v : d);
  const list = (v: unknown, d: string[]) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? v.split(/[ ,]+/).filter(Boolean) : d;
  const authority = str(r.authority, fallback.authority);
  return {
    authority,
    clientId: str(r.clientId ?? r.client_id, fallback.clientId),
    scopes: list(r.scopes ?? r.scope, fallback.scopes),
    knownAuthorities: list(
      r.knownAuthorities ?? r.known_authorities,
      authority ? [new URL(authority).host] : fallback.knownAuthorities,
    ),
    apiBase: str(r.apiBase ?? r.api_base, fallback.apiBase),
  };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch("/config.json", { cache: "no-store" });
    if (res.ok && (res.headers.get("Content-Type") ?? "").includes("json")) return parseConfig(await res.json());
  } catch {
    // No served config: a dev build with VITE_* settings.
  }
  return fromEnv();
}
