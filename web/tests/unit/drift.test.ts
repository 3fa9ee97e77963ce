// Fails when src/api/schema.d.ts is not what openapi-typescript makes of the API's document.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { expect, it } from "vitest";

it("schema.d.ts matches the exported OpenAPI document", () => {
  const script = resolve(import.meta.dirname, "../../scripts/openapi.mjs");
  let output = "";
  try {
    output = execFileSync(process.execPath, [script, "check"], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`schema.d.ts is stale; run \`npm run gen:api\`.\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
  expect(output).not.toMatch(/not up-to-date/);
}, 60_000);
