import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { conditionalGet } from "../../src/api/conditional";
import { ProblemError } from "../../src/api/problem";

const ok = (data: unknown, etag?: string) => ({
  data,
  response: new Response(JSON.stringify(data), { status: 200, headers: etag ? { ETag: etag } : {} }),
});
const notModified = () => ({ data: undefined, error: "", response: new Response(null, { status: 304 }) });

describe("conditionalGet", () => {
  it("sends the last ETag and keeps the cached object on 304", async () => {
    const client = new QueryClient();
    const key = ["incidents", "list", "a"];
    const sent: Record<string, string>[] = [];
    const first = await conditionalGet(client, key, async (h) => (sent.push(h), ok({ items: [1] }, '"v1"')));
    client.setQueryData(key, first);
    const second = await conditionalGet(client, key, async (h) => (sent.push(h), notModified()));
    expect(sent).toEqual([{}, { "If-None-Match": '"v1"' }]);
    expect(second).toBe(first);
  });

  it("sends no If-None-Match when nothing is cached (a 304 would leave nothing to show)", async () => {
    const client = new QueryClient();
    const key = ["incidents", "list", "b"];
    await conditionalGet(client, key, async () => ok({ items: [] }, '"v1"'));
    const sent: Record<string, string>[] = [];
    await conditionalGet(client, key, async (h) => (sent.push(h), ok({ items: [2] }, '"v2"')));
    expect(sent).toEqual([{}]);
  });

  it("throws the API's problem on an error status", async () => {
    const client = new QueryClient();
    const problem = { type: "x", title: "Forbidden", status: 403, detail: "Viewers cannot act." };
    const res = { error: problem, response: new Response(JSON.stringify(problem), { status: 403 }) };
    const err = await conditionalGet(client, ["k"], async () => res).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).problem.detail).toBe("Viewers cannot act.");
  });
});

describe("conditionalGet with a bodiless 2xx", () => {
  it("keeps the cached object when a conditional GET comes back without a body", async () => {
    const client = new QueryClient();
    const key = ["incidents", "list", "c"];
    const first = await conditionalGet(client, key, async () => ok({ items: [1] }, '"v1"'));
    client.setQueryData(key, first);
    const empty = { data: undefined, response: new Response(null, { status: 204 }) };
    expect(await conditionalGet(client, key, async () => empty)).toBe(first);
  });
});

describe("conditionalGet with nothing cached", () => {
  it("fails visibly on a bodiless answer instead of returning undefined", async () => {
    const client = new QueryClient();
    const empty = { data: undefined, response: new Response(null, { status: 204 }) };
    await expect(conditionalGet(client, ["k2"], async () => empty)).rejects.toThrow(/without a body/);
  });
});
