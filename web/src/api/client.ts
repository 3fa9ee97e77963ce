// The typed /api/v1 client: openapi-fetch over the generated schema, with the bearer token added
// by a middleware so no call site handles auth.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import { toProblemError } from "./problem";

export type Api = Client<paths>;

export function createApi(baseUrl: string, token: () => Promise<string>, fetchImpl?: typeof fetch): Api {
  const client = createClient<paths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const auth: Middleware = {
    async onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${await token()}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** The body of a successful call, or a thrown ProblemError (for query and mutation functions). */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  if (result.response.ok) return undefined as T;
  throw toProblemError(result.error, result.response);
}
