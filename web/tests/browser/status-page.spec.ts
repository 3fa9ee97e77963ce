// The public status page in Chromium, without signing in: a P1 alert posted through ingest turns
// its component red once the rule's delay (1.2 s, tests/browser/status_seed.py) has passed, a
// posted status update appears, resolving the alert turns it green; axe finds no serious or
// critical violation in each state, and the page works with JavaScript off. With OA_SCREENSHOTS=1 the
// three states are photographed into docs/status-pages/ for docs/status-pages.md.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import type { Page } from "@playwright/test";
import { REPO } from "./harness/host";
import { expect, expectAccessible, expectNoHorizontalScroll, test } from "./harness/fixtures";

const SHOTS = process.env.OA_SCREENSHOTS === "1" ? resolve(REPO, "docs/status-pages") : null;

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true, animations: "disabled", caret: "hide" });
}

async function alert(http: string, key: string, fields: Record<string, string>) {
  const res = await fetch(`${http}/api/integrations/${key}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ title: "Checkout failing (status page)", dedup_key: "status-spec", ...fields }),
  });
  expect(res.status, await res.text()).toBe(202);
}

/** Steps of (action, first, second): "post" name body, "update" status body. */
function publish(work: string, ...steps: [string, string, string][]) {
  const python = process.env.PYTHON ?? resolve(REPO, ".venv/bin/python");
  execFileSync(python, ["-m", "tests.browser.status_seed", join(work, "openalert.sqlite"), ...steps.flat()], {
    cwd: REPO,
    stdio: "inherit",
  });
}

/** Reload until `check` passes: the page is rendered on the server, so only a reload shows news. */
async function eventually(page: Page, check: () => Promise<void>) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 60_000, intervals: [250] });
}

test("status page: a P1 turns Checkout red, an update appears, resolving turns it green", async ({ browser, page, host }) => {
  const url = `${host.http}/api/status/demo-status`;
  // Works without JavaScript: there is none to run.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(url);
  await expect(plain.getByRole("status")).toHaveText("All Systems Operational");
  await expect(plain.locator("script")).toHaveCount(0);
  await noJs.close();
  const checkout = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Checkout" }) });
  await page.goto(url);
  await expect(page.getByRole("heading", { level: 1, name: "Demo shop status" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("All Systems Operational");
  await expect(checkout).toContainText("Operational");
  await expect(page.getByRole("img", { name: /Checkout: .* uptime over 90 days/ })).toBeVisible();
  await expectAccessible(page);
  await shoot(page, "operational");

  await alert(host.http, host.statusIntegrationKey, { severity: "critical" });
  await eventually(page, async () => {
    await expect(checkout).toContainText("Major outage", { timeout: 100 });
  });
  await expect(page.getByRole("status")).toHaveText("Partial System Outage");
  await expect(page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Blog" }) })).toContainText(
    "Operational",
  );

  publish(
    host.work,
    ["post", "Checkout errors", "We are investigating failed payments."],
    ["update", "identified", "The payment provider is failing; we switched to the backup."],
  );
  await page.reload();
  const incident = page.getByRole("article").filter({ hasText: "Checkout errors" });
  await expect(incident).toContainText("switched to the backup");
  await expect(incident).toContainText("Identified");
  await expectAccessible(page);
  await shoot(page, "outage");
  await page.setViewportSize({ width: 360, height: 800 });
  await expectNoHorizontalScroll(page);
  await page.setViewportSize({ width: 1280, height: 800 });

  await alert(host.http, host.statusIntegrationKey, { severity: "critical", status: "resolved" });
  publish(host.work, ["update", "resolved", "Payments work again."]);
  await eventually(page, async () => {
    await expect(page.getByRole("status")).toHaveText("All Systems Operational", { timeout: 100 });
  });
  await expect(checkout).toContainText("Operational");
  await expect(page.getByRole("heading", { name: "Active incidents" })).toHaveCount(0);
  await expectAccessible(page);
  await shoot(page, "resolved");
});
