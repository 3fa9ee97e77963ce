// Starts tests/browser/console_host.py (devhost + seeded store + the built console) and reads
// the one JSON line it prints. Used by the global setup, by bench/, and with "--empty" by the
// acceptance spec (its own host on an empty store).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { resolve } from "node:path";

export interface HostInfo {
  http: string;
  https: string;
  log: string;
  /** False for an empty store (`startHost(["--empty"])`): the seeded fields below are "". */
  seeded: boolean;
  integrationKey: string;
  /** The generic integration of the status page's own service (tests/browser/status_seed.py). */
  statusIntegrationKey: string;
  teamId: string;
  serviceId: string;
  viewer: string;
  work: string;
}

export const REPO = resolve(import.meta.dirname, "../../../..");

export async function startHost(extraArgs: string[] = []): Promise<{ info: HostInfo; stop: () => Promise<void> }> {
  const python = process.env.PYTHON ?? resolve(REPO, ".venv/bin/python");
  const child: ChildProcess = spawn(python, ["-m", "tests.browser.console_host", ...extraArgs], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<HostInfo>((ok, fail) => {
    child.once("exit", (code) => fail(new Error(`console_host exited with ${code} before it was ready`)));
    lines.once("line", (line) => ok(JSON.parse(line) as HostInfo));
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once("exit", () => done());
      child.stdin!.end(); // console_host stops devhost when its stdin closes
    });
  return { info, stop };
}
