// Issue 25's "Done when": from an empty store, an admin sets up a follow-the-sun rota and an
// Alertmanager integration, pastes the integration's snippet into a real Alertmanager's config,
// and that Alertmanager's alert pages whoever the server says is on call, and nobody else.
// This spec runs its own devhost on an empty store (the other specs share the seeded one).
import { request, type APIRequestContext, type Page } from "@playwright/test";
import { configAround, startAlertmanager, type Alertmanager } from "./harness/alertmanager";
import { expect, printedUrls, signInNew, test } from "./harness/fixtures";
import { startHost, type HostInfo } from "./harness/host";

let host: HostInfo;
let stopHost: () => Promise<void>;
let alertmanager: Alertmanager | undefined;
let api: APIRequestContext | undefined;

test.beforeAll(async () => {
  ({ info: host, stop: stopHost } = await startHost(["--empty"]));
});

test.afterEach(async ({}, testInfo) => {
  if (alertmanager && testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach("alertmanager.log", { body: alertmanager.log(), contentType: "text/plain" });
  }
});

test.afterAll(async () => {
  await api?.dispose();
  await alertmanager?.stop();
  await stopHost?.();
});

const ADMIN = { email: "ada@example.com", name: "Ada Admin", role: "Admin" } as const;
const EUROPE = { email: "berit@example.com", name: "Berit (Berlin)" };
const AMERICAS = { email: "nate@example.com", name: "Nate (New York)" };

/** The API as the signed-in admin: the bearer token the console itself sends. */
async function adminApi(page: Page, signIn: () => Promise<void>): Promise<APIRequestContext> {
  const sent = page.waitForRequest((r) => r.url().includes("/api/v1/") && r.method() === "GET");
  await signIn();
  const authorization = await (await sent).headerValue("authorization");
  expect(authorization).toMatch(/^Bearer /);
  return request.newContext({ baseURL: `${host.http}/api/v1/`, extraHTTPHeaders: { Authorization: authorization! } });
}

async function created<T>(api: APIRequestContext, path: string, body: unknown): Promise<T> {
  const res = await api.post(path, { data: body });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
}

test("from an empty store to the right person paged by a real Alertmanager", async ({ page }) => {
  test.setTimeout(120_000);
  api = await adminApi(page, () => signInNew(page, ADMIN, "/incidents", host));
  await expect(page.getByRole("heading", { name: "Incidents", level: 1 })).toBeVisible();

  const team = await created<{ id: string }>(api, "teams", { name: "Follow the sun" });
  const europe = await created<{ id: string }>(api, "users/pending", { ...EUROPE, team_id: team.id });
  const americas = await created<{ id: string }>(api, "users/pending", { ...AMERICAS, team_id: team.id });
  const nameOf = new Map([
    [europe.id, EUROPE.name],
    [americas.id, AMERICAS.name],
  ]);

  // Follow the sun, in the schedule's zone: Europe by day, the Americas by (Berlin's) night.
  const start = "2026-01-05T08:00";
  const schedule = await created<{ id: string }>(api, "schedules", {
    name: "Follow the sun",
    team_id: team.id,
    time_zone: "Europe/Berlin",
    layers: [
      { name: "Americas", participants: [americas.id], start, frequency: "weekly", restrictions: [{ start: "20:00", end: "08:00" }] },
      { name: "Europe", participants: [europe.id], start, frequency: "weekly", restrictions: [{ start: "08:00", end: "20:00" }] },
    ],
  });
  const policy = await created<{ id: string }>(api, "escalation-policies", {
    name: "Follow the sun",
    team_id: team.id,
    steps: [{ type: "notify_schedule", schedule_id: schedule.id }],
  });
  const service = await created<{ id: string }>(api, "services", { name: "Storage", team_id: team.id, escalation_policy_id: policy.id });
  const integration = await created<{ setup: { snippets: { alertmanager: string } } }>(api, "integrations", {
    name: "Alertmanager",
    service_id: service.id,
    format: "alertmanager",
  });

  // The snippet pasted, unchanged, into a whole Alertmanager configuration.
  alertmanager = await startAlertmanager(configAround(integration.setup.snippets.alertmanager));
  const summary = `Disk full on db-1 ${Date.now()}`;
  await alertmanager.post([
    {
      labels: { alertname: "DiskFull", severity: "critical", instance: "db-1" },
      annotations: { summary, description: "/var on db-1 is 97% full" },
    },
  ]);

  // The page went out (the console channel prints it with the incident's link) ...
  await expect.poll(() => printedUrls(summary, host).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const incidentUrl = new URL(printedUrls(summary, host)[0]!);
  const incident = await (await api.get(`incidents/${incidentUrl.pathname.split("/").pop()}`)).json();

  // ... to whoever the server says was on call when the incident opened, and to nobody else.
  const oncall = await (await api.get(`schedules/${schedule.id}/oncall?at=${encodeURIComponent(incident.created_at)}`)).json();
  expect(oncall.users).toHaveLength(1);
  const right = nameOf.get(oncall.users[0])!;
  const other = [...nameOf.values()].find((n) => n !== right)!;
  expect(right).toBeDefined();

  // The console shows it: in the list, and on its page who was paged.
  await page.goto(host.https + "/incidents");
  await page.getByRole("link", { name: new RegExp(summary) }).click();
  await expect(page.getByRole("heading", { name: new RegExp(summary) })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${incidentUrl.pathname}$`));
  const paged = page.getByRole("list", { name: "Paged" });
  await expect(paged).toContainText(`${right} by console`);
  await expect(paged).not.toContainText(other);
});
