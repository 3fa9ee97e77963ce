import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { resolveMode } from "../../src/theme";

const FALLBACK = { authority: "", clientId: "", scopes: [], knownAuthorities: [], apiBase: "/api/v1" };

describe("served config", () => {
  it("derives knownAuthorities from the authority's host:port", () => {
    const c = parseConfig({ authority: "https://127.0.0.1:8443/idp/t1", clientId: "c", scopes: "api://x/.default" }, FALLBACK);
    expect(c.knownAuthorities).toEqual(["127.0.0.1:8443"]);
    expect(c.scopes).toEqual(["api://x/.default"]);
    expect(c.apiBase).toBe("/api/v1");
  });

  it("falls back when nothing is served", () => {
    expect(parseConfig(null, FALLBACK)).toBe(FALLBACK);
  });
});

describe("theme", () => {
  it("follows the OS until a choice is made", () => {
    expect(resolveMode("system", true)).toBe("dark");
    expect(resolveMode("system", false)).toBe("light");
    expect(resolveMode("light", true)).toBe("light");
  });
});
