// Every page: axe (light and dark), no horizontal scroll at 360 px, screenshots. With
// OA_SCREENSHOTS=1 (make web-screenshots) the screenshots land in docs/console/ for docs/console.md.
import { auditPage, expect, expectAccessible, postAlert, printedUrls, settled, signIn, test } from "./harness/fixtures";

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
    await test.step(name, () => auditPage(page, name, path));
  }
});

test("every incident action is reachable by keyboard", async ({ page }) => {
  const title = `Keyboard check ${Date.now()}`;
  await postAlert({ title });
  await signIn(page, "Alice (demo)", "Responder");
  // The list: select a row with Space, then reach the bulk actions with Shift+Tab.
  await page.getByRole("checkbox", { name: new RegExp(`Select #\\d+ ${title}`) }).focus();
  await page.keyboard.press("Space");
  await expect(page.getByText("1 selected")).toBeVisible();
  const back = new Set<string>();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Shift+Tab");
    back.add(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? ""));
  }
  expect(back).toContain("Acknowledge selected");
  expect(back).toContain("Resolve selected");

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
  // A dialog action opens, traps focus, passes axe and closes with Escape.
  await page.getByRole("button", { name: "Reassign" }).focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Reassign" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("combobox")).toBeFocused();
  await expectAccessible(page);
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  // Acknowledge with the keyboard alone.
  await page.getByRole("button", { name: "Acknowledge" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("dl").getByText("acknowledged", { exact: true })).toBeVisible();
});
