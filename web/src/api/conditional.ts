// Conditional GET for polled queries: remember each query's ETag, send If-None-Match, and on 304
// hand back the cached data (same reference, so nothing re-renders). See console.md §4/§5.
// Callers fetch with `cache: "no-store"`: this code owns revalidation, so the browser's HTTP cache
// must not add an If-None-Match of its own to a request that has nothing cached to fall back on.
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { unwrap } from "./client";
import { ProblemError } from "./problem";

const etags = new Map<string, string>();

type Result<T> = { data?: T; error?: unknown; response: Response };

export async function conditionalGet<T>(
  client: QueryClient,
  queryKey: QueryKey,
  call: (headers: Record<string, string>) => Promise<Result<T>>,
): Promise<T> {
  const key = JSON.stringify(queryKey);
  const cached = client.getQueryData<T>(queryKey);
  const etag = etags.get(key);
  const res = await call(etag && cached !== undefined ? { "If-None-Match": etag } : {});
  // A 304 is not `ok` and its `error` is "" (falsy): check the status before anything else.
  if (res.response.status === 304 && cached !== undefined) return cached;
  // A bodiless 2xx to a conditional GET also means "not modified": the Functions layer answered
  // 304s as 204 (REQUESTS.md #3); never let it blank out what is shown.
  if (res.response.ok && res.data === undefined && etag && cached !== undefined) return cached;
  const data = unwrap(res);
  if (data === undefined) throw new ProblemError({ title: "Empty response", detail: `HTTP ${res.response.status} without a body` }, res.response.status);
  const next = res.response.headers.get("ETag");
  if (next) etags.set(key, next);
  else etags.delete(key);
  return data;
}

export function forgetEtags(): void {
  etags.clear();
}
