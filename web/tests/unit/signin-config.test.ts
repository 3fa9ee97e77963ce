import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isEntra } from "../../src/auth/msal";
import { parseConfig } from "../../src/config";

describe("sign-in config", () => {
  it("make run's config.json points MSAL at devhost's identity provider over https", () => {
    const dist = mkdtempSync(join(tmpdir(), "dist-"));
    execFileSync(process.execPath, [resolve(import.meta.dirname, "../../scripts/write-config.mjs"), dist, "https://127.0.0.1:7443"]);
    const config = parseConfig(JSON.parse(readFileSync(join(dist, "config.json"), "utf8")));
    expect(config.authority).toMatch(/^https:\/\/127\.0\.0\.1:7443\/\.devhost\/idp\/[0-9a-f-]+\/v2\.0$/);
    expect(config.knownAuthorities).toEqual(["127.0.0.1:7443"]);
    expect(config.scopes[0]).toMatch(/^api:\/\/[0-9a-f-]+\/access_as_user$/);
    expect(isEntra(config.authority)).toBe(false);
  });

  it("Entra ID keeps MSAL's AAD protocol mode", () => {
    expect(isEntra("https://login.microsoftonline.com/tenant-id")).toBe(true);
  });
});
