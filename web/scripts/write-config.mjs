// Writes <dist>/config.json (the console's sign-in settings) for devhost's identity provider:
//   node scripts/write-config.mjs <dist> <https base URL of devhost>
// Tenant and client ids come from local.settings.json (else local.settings.example.json).
// In Azure the deployment writes the same file with the Entra ID values (docs/console.md).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const [dist, httpsBase] = process.argv.slice(2);
if (!dist || !httpsBase) {
  console.error("usage: write-config.mjs <dist> <https base URL>");
  process.exit(2);
}
const file = ["local.settings.json", "local.settings.example.json"].map((f) => join(repo, f)).find(existsSync);
const values = file ? (JSON.parse(readFileSync(file, "utf8")).Values ?? {}) : {};
const tenant = values.ENTRA_TENANT_ID ?? "00000000-0000-4000-8000-00000000a11e";
const client = values.ENTRA_CLIENT_ID ?? "00000000-0000-4000-8000-0000000c11e7";
const config = {
  authority: `${httpsBase.replace(/\/$/, "")}/.devhost/idp/${tenant}/v2.0`,
  clientId: client,
  scopes: [`api://${client}/access_as_user`],
  apiBase: "/api/v1",
};
writeFileSync(join(dist, "config.json"), JSON.stringify(config, null, 2) + "\n");
