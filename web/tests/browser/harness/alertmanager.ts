// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) for the browser tests: it runs
// the configuration a person builds from the console's setup snippet, takes alerts on its own API
// and notifies devhost as it would in production. Flags and timings as in
// tests/e2e/test_alertmanager_real_e2e.py, where they are proven on this kind of machine.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ALERTMANAGER = process.env.ALERTMANAGER ?? "/usr/bin/prometheus-alertmanager";

/** One alert as Alertmanager's API v2 takes it (POST /api/v2/alerts). */
export interface AmAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface Alertmanager {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Alertmanager's own log so far (for failure messages). */
  log: () => string;
  post: (alerts: AmAlert[]) => Promise<void>;
  /** Terminates it and waits for the exit; removes its directory. */
  stop: () => Promise<void>;
}

/** A whole alertmanager.yml around a pasted receiver snippet (the `receivers:` block the
 * console's integration setup shows): every alert goes to `receiver`, grouped by alertname, with
 * waits short enough that a test runs in seconds while Alertmanager still groups. */
export function configAround(receiverSnippet: string, receiver = "openalert"): string {
  const route = [
    "global:",
    "  resolve_timeout: 1m",
    "route:",
    `  receiver: ${receiver}`,
    "  group_by: [alertname]",
    "  group_wait: 100ms",
    "  group_interval: 500ms",
    "  repeat_interval: 1h",
    "",
  ].join("\n");
  return route + receiverSnippet.trimEnd() + "\n";
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
  });
}

/** Starts Alertmanager on `config` (a whole alertmanager.yml) and waits until it is ready. */
export async function startAlertmanager(config: string): Promise<Alertmanager> {
  const dir = mkdtempSync(join(tmpdir(), "alertmanager-"));
  const configFile = join(dir, "alertmanager.yml");
  const logFile = join(dir, "alertmanager.log");
  writeFileSync(configFile, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const out = openSync(logFile, "w");
  const child = spawn(
    ALERTMANAGER,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No gossip: one instance, and no port of its own to collide with other runs.
      "--cluster.listen-address=",
      "--log.level=debug",
    ],
    { stdio: ["ignore", out, out] },
  );
  closeSync(out); // the child holds its own copy
  const log = () => readFileSync(logFile, "utf8");
  const spawnError = new Promise<never>((_, fail) =>
    child.once("error", (err) => fail(new Error(`${ALERTMANAGER}: ${err.message} (apt-get install prometheus-alertmanager)`))),
  );
  spawnError.catch(() => undefined); // raced below; an error after that has nothing to fail
  const stop = async () => {
    // child.pid is unset when it never started (no binary): nothing to end.
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited(child);
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  const ready = async (): Promise<boolean> => {
    if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}:\n${log()}`);
    try {
      return (await fetch(`${url}/-/ready`)).status === 200;
    } catch {
      return false; // not listening yet
    }
  };
  try {
    while (!(await Promise.race([ready(), spawnError]))) {
      if (Date.now() > deadline) throw new Error(`alertmanager not ready within 15 s:\n${log()}`);
      await new Promise((tick) => setTimeout(tick, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const post = async (alerts: AmAlert[]) => {
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(alerts),
    });
    if (res.status !== 200) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
  };
  return { url, log, post, stop };
}
