// Every page: axe (light and dark), no horizontal scroll at 360 px, screenshots. With
// OA_SCREENSHOTS=1 (make web-screenshots) the screenshots land in docs/console/ for docs/console.md.
import { resolve } from "node:path";
import type { Page } from "@playwright/test";
import { expect, expectAccessible, expectNoHorizontalScroll, hostInfo, postAlert, printedUrls, settled, signIn, test } from "./harness/fixtures";

// Photographs only when asked (they cost seconds each and belong in docs, not in every run).
const SHOTS = process.env.OA_SCREENSHOTS === "1" ? resolve(import.meta.dirname, "../../../docs/console") : null;

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true, animations: "disabled", caret: "hide" });
}

test("every page is accessible in light and dark, fits 360 px, and is photographed", async ({ page }) => {
  test.setTimeout(120_000);
  const title = `Checkout errors above 5% on web-${Date.now() % 1000}`;
  await postAlert({
    title,
    id: `audit-${Date.now()}`,
    description: "HTTP 5xx ratio 7.2% over 5 minutes (threshold 5%).",
    labels: { env: "prod", region: "westeurope", service: "checkout" },
    link: "https://grafana.example.com/d/checkout",
  });
  await expect.poll(() => printedUrls(title).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const incidentPath = new URL(printedUrls(title)[0]!).pathname;
  await signIn(page, "Alice (demo)", "Responder");
  const pages: [string, string][] = [
    ["incidents", "/incidents"],
    ["incident", incidentPath],
    ["oncall", "/oncall"],
    ["shifts", "/shifts"],
    ["not-found", "/no-such-page"],
  ];
  for (const [name, path] of pages) {
    await test.step(name, async () => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(hostInfo().https + path);
      await settled(page);
      // The theme follows the OS live: switching the emulated scheme needs no reload.
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await expect(page.locator(`[data-theme=${scheme}]`)).toHaveCount(1);
        await expectAccessible(page);
        await shoot(page, `${name}-${scheme}`);
      }
      await page.emulateMedia({ colorScheme: "light" });
      await page.setViewportSize({ width: 360, height: 740 });
      await expect(page.locator("[data-theme=light]")).toHaveCount(1);
      await expectNoHorizontalScroll(page);
      await shoot(page, `${name}-phone`);
    });
  }
});

test("every incident action is reachable by keyboard", async ({ page }) => {
  const title = `Keyboard check ${Date.now()}`;
  await postAlert({ title });
  await signIn(page, "Alice (demo)", "Responder");
  await page.getByRole("link", { name: new RegExp(title) }).click();
  await settled(page);
  const reached = new Set<string>();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? ""));
  }
  for (const action of ["Acknowledge", "Resolve", "Snooze", "Escalate now", "Reassign", "Add responders", "Add note"]) {
    expect(reached, `${action} not reached by Tab`).toContain(action);
  }
  // The snooze presets open from the keyboard too.
  await page.getByRole("button", { name: "Snooze" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: "15 minutes" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "1 hour" })).toBeFocused();
  await page.keyboard.press("Escape");
  // Acknowledge with the keyboard alone.
  await page.getByRole("button", { name: "Acknowledge" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("dl").getByText("acknowledged", { exact: true })).toBeVisible();
});
