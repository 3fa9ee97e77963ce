import { expect, postAlert, printedUrls, signIn, test } from "./harness/fixtures";

test("open the incident from the printed link; acknowledge, see it on the timeline; resolve", async ({ page }) => {
  const title = `API latency ${Date.now()}`;
  await postAlert({ title, id: `lat-${Date.now()}`, description: "p99 above 2 s" });
  await expect.poll(() => printedUrls(title).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const url = new URL(printedUrls(title)[0]!);
  await signIn(page, "Alice (demo)", "Responder", url.pathname);
  await expect(page.getByRole("heading", { name: new RegExp(title) })).toBeVisible();
  await expect(page.getByText("p99 above 2 s").first()).toBeVisible();

  await page.getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.locator("dl").getByText("acknowledged", { exact: true })).toBeVisible();
  await expect(page.getByRole("list", { name: "Timeline" }).getByText(/acknowledged/i).first()).toBeVisible();

  await page.getByRole("button", { name: "Resolve" }).click();
  await expect(page.locator("dl").getByText("resolved", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
});
