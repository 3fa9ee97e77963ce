// Exports the API's OpenAPI document from the Python app (no server needed) and either
// regenerates src/api/schema.d.ts ("write") or fails when the committed file differs ("check").
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(web, "..");
const python = process.env.PYTHON ?? join(repo, ".venv", "bin", "python");

export function exportDocument() {
  return execFileSync(python, [join(repo, "tools", "export_openapi.py")], {
    cwd: repo,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
}

function main(mode) {
  const dir = mkdtempSync(join(tmpdir(), "openapi-"));
  try {
    const spec = join(dir, "openapi.json");
    writeFileSync(spec, exportDocument());
    const args = [spec, "-o", join(web, "src", "api", "schema.d.ts")];
    if (mode === "check") args.push("--check");
    execFileSync(join(web, "node_modules", ".bin", "openapi-typescript"), args, { stdio: "inherit" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv[2] === "check" ? "check" : "write");
}
