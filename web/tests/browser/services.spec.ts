// Services, integrations, routes and heartbeats through the real devhost: the key shown once
// with its setup, a test alert through the real ingest path, a route tested against a sample,
// a heartbeat pinged from outside, and the page bar for the three pages.
import type { Page } from "@playwright/test";
import { auditPage, expect, expectAccessible, hostInfo, signIn, test } from "./harness/fixtures";

const STAGING_ALERT = {
  version: "4",
  status: "firing",
  receiver: "openalert",
  groupKey: "{}:{alertname=\"DiskFull\"}",
  alerts: [
    {
      status: "firing",
      labels: { alertname: "DiskFull", env: "staging", severity: "warning" },
      annotations: { summary: "Disk full on staging-db" },
      startsAt: "2026-12-01T10:00:00Z",
      fingerprint: "staging-disk",
    },
  ],
};

async function createService(page: Page, name: string) {
  await page.getByRole("button", { name: "New service" }).click();
  const dialog = page.getByRole("dialog", { name: "New service" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Team").selectOption({ label: "Demo team" });
  await dialog.getByLabel("Escalation policy").selectOption({ label: "Demo policy" });
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test("a service, an Alertmanager integration with its key once, a test alert, a route tested", async ({ page, context }) => {
  const host = hostInfo();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: host.https });
  await signIn(page, "Alice (demo)", "Admin", "/services");
  const name = `Payments API ${Date.now() % 100_000}`;
  await createService(page, name);
  await expect(page.getByText("Escalation policy: Demo policy")).toBeVisible();

  // Add an Alertmanager integration: the key and the setup with it, once.
  await page.getByRole("button", { name: "Add integration" }).click();
  const add = page.getByRole("dialog", { name: "Add integration" });
  await add.getByLabel("Name").fill("Prometheus");
  await add.getByLabel("Source").selectOption("alertmanager");
  await add.getByRole("button", { name: "Create" }).click();
  await expect(page.getByText("You won't see it again", { exact: false })).toBeVisible();
  const key = (await page.getByRole("region", { name: "Integration key" }).textContent())!.trim();
  expect(key.length).toBeGreaterThan(20);
  const snippet = page.getByRole("region", { name: "Alertmanager receiver" });
  await expect(snippet).toContainText(/url: https?:\/\/127\.0\.0\.1:\d+\/api\/integrations\n/);
  await expect(snippet).toContainText(`credentials: ${key}`);
  await page.getByRole("button", { name: "Copy Integration key" }).click();
  await expect(page.getByText("Copied", { exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await page.getByRole("button", { name: "I have copied it" }).click();
  await expect(page.getByRole("region", { name: "Integration key" })).toHaveCount(0);
  // Afterwards the setup has the API's placeholder, never the key.
  await page.getByRole("button", { name: "Setup" }).click();
  await expect(page.getByRole("region", { name: "Alertmanager receiver" })).toContainText("credentials: <integration-key>");

  // A test alert goes through ingest and the pipeline: its incident is linked.
  await page.getByRole("button", { name: "Send a test alert" }).click();
  const opened = page.getByRole("link", { name: /^incident #\d+: \[Test\]/ });
  await expect(opened).toBeVisible({ timeout: 30_000 });

  // A route with a condition, then the sample alert: the server says it matches, and why.
  await page.getByRole("button", { name: "Add route" }).click();
  const routeDialog = page.getByRole("dialog", { name: "Add route" });
  await routeDialog.getByLabel("Name").fill("Staging quiet");
  await routeDialog.getByLabel("Condition 1 field").selectOption("label");
  await routeDialog.getByLabel("Condition 1 label name").fill("env");
  await routeDialog.getByLabel("Condition 1 value").fill("staging");
  await routeDialog.getByRole("switch", { name: /Record, don't page/ }).check();
  await expectAccessible(page);
  await routeDialog.getByRole("button", { name: "Save route" }).click();
  const routes = page.getByRole("list", { name: "Routes in order" });
  await expect(routes.getByText("1. Staging quiet")).toBeVisible();
  await expect(routes.getByText("Record, don't page")).toBeVisible();
  // Edited in place (PUT): the tester below sees the change.
  await routes.getByRole("button", { name: "Edit Staging quiet" }).click();
  const editDialog = page.getByRole("dialog", { name: "Edit route" });
  await editDialog.getByLabel("Severity").selectOption("P5");
  await editDialog.getByRole("button", { name: "Save route" }).click();
  await expect(routes.getByText("→ this service, as P5")).toBeVisible();
  await page.getByRole("button", { name: "Test against a sample alert" }).click();
  await page.getByLabel("Sample alert (JSON)").fill(JSON.stringify(STAGING_ALERT));
  await page.getByRole("button", { name: "Test routes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Takes route 1 “Staging quiet”" })).toContainText("P5, recorded, does not page");
  const conditions = page.getByRole("table", { name: "Conditions of route 1" });
  await expect(conditions.getByRole("row", { name: /label:env equals staging staging ✓ holds/ })).toBeVisible();

  // Rotation, confirmed first: a new key, shown once, and the old one refused at ingest.
  await page.getByRole("button", { name: "Rotate key" }).click();
  await page.getByRole("dialog", { name: /Rotate the key/ }).getByRole("button", { name: "Rotate" }).click();
  const rotated = (await page.getByRole("region", { name: "Integration key" }).textContent())!.trim();
  expect(rotated).not.toBe(key);
  const old = await page.request.post(`${host.http}/api/integrations/${key}`, { data: STAGING_ALERT });
  expect(old.status()).toBe(401);
  // ... and the new one is what ingest now takes (the staging route records it, pages nobody).
  const fresh = await page.request.post(`${host.http}/api/integrations/${rotated}`, { data: STAGING_ALERT });
  expect(fresh.status(), await fresh.text()).toBe(202);
  await page.getByRole("button", { name: "I have copied it" }).click();

  // The create dialog works from the keyboard alone.
  await page.getByRole("button", { name: "Add integration" }).focus();
  await page.keyboard.press("Enter");
  const kb = page.getByRole("dialog", { name: "Add integration" });
  await expect(kb.getByLabel("Name")).toBeFocused();
  await page.keyboard.type("Grafana");
  await page.keyboard.press("Tab");
  await expect(kb.getByLabel("Source")).toBeFocused();
  await page.keyboard.type("Grafana");
  await expect(kb.getByLabel("Source")).toHaveValue("grafana");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(kb.getByRole("button", { name: "Create" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("region", { name: "Grafana contact point (provisioning)" })).toContainText("type: webhook");
});

test("a heartbeat is listed as never pinged, then OK after a ping; the three pages pass the page bar", async ({ page }) => {
  const host = hostInfo();
  await signIn(page, "Alice (demo)", "Admin", "/heartbeats");
  const name = `nightly-backup-${Date.now() % 100_000}`;
  await page.getByRole("button", { name: "New heartbeat" }).click();
  const dialog = page.getByRole("dialog", { name: "New heartbeat" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Service").selectOption({ label: "Demo service" });
  await dialog.getByLabel("Expected every (minutes)").fill("60");
  await dialog.getByRole("button", { name: "Create" }).click();
  const url = (await page.getByRole("region", { name: "URL", exact: true }).textContent())!.trim();
  expect(url).toMatch(/\/api\/integrations\/.+\/heartbeat$/);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("Never pinged");
  const ping = await page.request.get(url);
  expect(ping.status(), await ping.text()).toBeLessThan(300);
  await page.reload();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("OK");

  await auditPage(page, "services", "/services");
  await auditPage(page, "service", `/services/${host.serviceId}`);
  await auditPage(page, "heartbeats", "/heartbeats");
});
