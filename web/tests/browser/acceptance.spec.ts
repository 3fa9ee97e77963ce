// Issue 25's "Done when": from an empty store, an admin sets up a follow-the-sun rota and an
// Alertmanager integration, pastes the integration's snippet into a real Alertmanager's config,
// and that Alertmanager's alert pages whoever the server says is on call, and nobody else.
// Every step of the admin's is done in the console; the API is only the test's oracle (who the
// server says was on call when the incident opened), read with the token the console sends.
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

/** The API as the signed-in admin, for the test's own questions: the token the console sends. */
async function adminApi(page: Page, signIn: () => Promise<void>): Promise<APIRequestContext> {
  const sent = page.waitForRequest((r) => r.url().includes("/api/v1/") && r.method() === "GET");
  await signIn();
  const authorization = await (await sent).headerValue("authorization");
  expect(authorization).toMatch(/^Bearer /);
  return request.newContext({ baseURL: `${host.http}/api/v1/`, extraHTTPHeaders: { Authorization: authorization! } });
}

/** `text` as a literal inside a RegExp. */
const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("from an empty store to the right person paged by a real Alertmanager", async ({ page, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: host.https });
  api = await adminApi(page, () => signInNew(page, ADMIN, "/incidents", host));
  await expect(page.getByRole("heading", { name: "Incidents", level: 1 })).toBeVisible();

  const configure = async (item: string, heading: string) => {
    await page.getByRole("button", { name: "Configure" }).click();
    await page.getByRole("menuitem", { name: item }).click();
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
  };

  // A team, and two people invited into it, one per region.
  await configure("Teams, people and API keys", "Administration");
  await page.getByLabel("New team's name").fill("Follow the sun");
  await page.getByRole("button", { name: "Create team" }).click();
  await page.getByRole("button", { name: "Members of Follow the sun" }).click();
  const members = page.getByRole("table", { name: "Members of Follow the sun" });
  for (const person of [EUROPE, AMERICAS]) {
    await page.getByRole("textbox", { name: "E-mail" }).fill(person.email);
    await page.getByLabel("Name (optional)").fill(person.name);
    await page.getByRole("button", { name: "Invite" }).click();
    await expect(members.getByRole("row", { name: new RegExp(person.email) }).getByText("Invited, not signed in yet")).toBeVisible();
  }

  // Follow the sun, in the schedule's zone: Europe by day, the Americas by (Berlin's) night.
  await configure("Schedules", "Schedules");
  await page.getByRole("button", { name: "New schedule" }).click();
  const create = page.getByRole("dialog", { name: "New schedule" });
  await create.getByLabel("Name").fill("Around the clock");
  await expect(create.getByRole("combobox", { name: "Time zone" })).toHaveValue("Europe/Berlin");
  await create.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: "Around the clock", level: 1 })).toBeVisible();
  const scheduleId = new URL(page.url()).pathname.split("/").pop()!;
  for (const [layer, person, from, until] of [
    ["Americas", AMERICAS, "20:00", "08:00"],
    ["Europe", EUROPE, "08:00", "20:00"],
  ] as const) {
    await page.getByRole("button", { name: "Add layer" }).click();
    await page.getByLabel("Layer name").fill(layer);
    await page.getByLabel("Person to add").selectOption({ label: person.name });
    await page.getByRole("button", { name: "Add person" }).click();
    await page.getByRole("button", { name: "Add restriction" }).click();
    const window = page.getByRole("list", { name: `Restrictions of ${layer}` });
    for (const day of ["Sat", "Sun"]) await window.getByRole("checkbox", { name: day }).check();
    await window.getByLabel("From").fill(from);
    await window.getByLabel("Until").fill(until);
  }
  // The server's preview: the two regions cover the clock between them.
  const preview = page.getByTestId("preview-summary");
  await expect(preview).toHaveText(new RegExp(`^No gaps\\. On call: .*${esc(EUROPE.name)} \\d+ h`));
  await expect(preview).toHaveText(new RegExp(`${esc(AMERICAS.name)} \\d+ h`));
  await page.getByRole("button", { name: "Save layers" }).click();
  await expect(page.getByRole("button", { name: "Save layers" })).toBeDisabled();

  // The policy: page whoever is on call in that schedule.
  await configure("Escalation policies", "Escalation policies");
  await page.getByRole("button", { name: "New policy" }).click();
  await page.getByLabel("Name").fill("Page who is on call");
  await page.getByRole("button", { name: "Remove step 1" }).click();
  await page.getByLabel("New step").selectOption({ label: "Notify who is on call (schedule)" });
  await page.getByRole("button", { name: "Add step" }).click();
  await page
    .getByRole("group", { name: "Step 1: Notify who is on call (schedule)" })
    .getByLabel("Schedule")
    .selectOption({ label: "Around the clock (Follow the sun)" });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Page who is on call", level: 1 })).toBeVisible();

  // A service paged through that policy, and its Alertmanager integration: the key and the
  // receiver snippet are shown once, and the snippet is taken with the page's Copy button.
  await configure("Services and integrations", "Services");
  await page.getByRole("button", { name: "New service" }).click();
  const newService = page.getByRole("dialog", { name: "New service" });
  await newService.getByLabel("Name").fill("Storage");
  await newService.getByLabel("Team").selectOption({ label: "Follow the sun" });
  await newService.getByLabel("Escalation policy").selectOption({ label: "Page who is on call" });
  await newService.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: "Storage", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Add integration" }).click();
  const add = page.getByRole("dialog", { name: "Add integration" });
  await add.getByLabel("Name").fill("Prometheus");
  await add.getByLabel("Source").selectOption("alertmanager");
  await add.getByRole("button", { name: "Create" }).click();
  await page.getByRole("button", { name: "Copy Alertmanager receiver" }).click();
  await expect(page.getByText("Copied", { exact: true })).toBeVisible();
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  expect(snippet).toBe(await page.getByRole("region", { name: "Alertmanager receiver" }).textContent());
  await page.getByRole("button", { name: "I have copied it" }).click();

  // The snippet pasted, unchanged, into a whole Alertmanager configuration.
  alertmanager = await startAlertmanager(configAround(snippet));
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
  const oncall = await (await api.get(`schedules/${scheduleId}/oncall?at=${encodeURIComponent(incident.created_at)}`)).json();
  const people = ((await (await api.get("users")).json()) as { items: { id: string; name: string }[] }).items;
  expect(oncall.users).toHaveLength(1);
  const right = [EUROPE, AMERICAS].find((p) => p.name === people.find((u) => u.id === oncall.users[0])?.name)!;
  expect(right, `on call: ${JSON.stringify(oncall)}`).toBeDefined();
  const other = [EUROPE, AMERICAS].find((p) => p !== right)!;
  // And independently of the server's resolver, from the rota the admin built: Europe holds
  // 08:00-20:00 Berlin time, the Americas the rest (a zone mix-up would fool the oracle too).
  const berlinHour = Number(
    new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", hourCycle: "h23" }).format(new Date(incident.created_at)),
  );
  expect(right).toBe(berlinHour >= 8 && berlinHour < 20 ? EUROPE : AMERICAS);

  // The console shows it: in the list, and on its page who was paged.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Incidents" }).click();
  await page.getByRole("link", { name: new RegExp(summary) }).click();
  await expect(page.getByRole("heading", { name: new RegExp(summary) })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${incidentUrl.pathname}$`));
  const paged = page.getByRole("list", { name: "Paged" });
  await expect(paged).toContainText(`${right.name} by console`);
  await expect(paged).not.toContainText(other.name);

  // The invitation is a working account: the person paged signs in for the first time and
  // acknowledges the incident from its page.
  await page.getByRole("button", { name: "Sign out" }).click();
  // Signing out ends at the identity provider's page: wait for it, or its redirects still under
  // way would cut the next navigation short.
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
  await signInNew(page, { ...right, role: "Responder" }, incidentUrl.pathname, host);
  await expect(page.getByRole("heading", { name: new RegExp(summary) })).toBeVisible();
  await page.getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.locator("dl").getByText("acknowledged", { exact: true })).toBeVisible();
  const timeline = page.getByRole("list", { name: "Timeline" });
  await expect(timeline.getByRole("listitem").filter({ hasText: /acknowledged/i }).filter({ hasText: right.name })).not.toHaveCount(0);
});
