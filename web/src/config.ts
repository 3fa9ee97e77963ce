// Sign-in and API settings. Served at /config.json by whoever serves the console (devhost locally,
// the deployment in Azure), so one build runs everywhere; Vite env variables are the fallback.

export interface ConsoleConfig {
  authority: string;
  clientId: string;
  scopes: string[];
  knownAuthorities: string[];
  apiBase: string;
}

function fromEnv(): ConsoleConfig {
  const env = import.meta.env;
  const authority = String(env.VITE_AUTHORITY ?? "");
  return {
    authority,
    clientId: String(env.VITE_CLIENT_ID ?? ""),
    scopes: String(env.VITE_SCOPES ?? "")
      .split(/[ ,]+/)
      .filter(Boolean),
    knownAuthorities: authority ? [new URL(authority).host] : [],
    apiBase: String(env.VITE_API_BASE ?? "/api/v1"),
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
    if (res.ok) return parseConfig(await res.json());
  } catch {
    // No served config: a dev build with VITE_* settings.
  }
  return fromEnv();
}
