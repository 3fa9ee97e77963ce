import { expect, postAlert, printedUrls, signIn, test } from "./harness/fixtures";

test("open the incident from the printed link; acknowledge, see it on the timeline; resolve", async ({ page }) => {
  const title = `API latency ${Date.now()}`;
  await postAlert({ title, id: `lat-${Date.now()}`, description: "p99 above 2 s" });
  await expect.poll(() => printedUrls(title).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const url = new URL(printedUrls(title)[0]!);
  await signIn(page, "Alice (demo)", "Responder", url.pathname);
  await expect(page.getByRole("heading", { name: new RegExp(title) })).toBeVisible();
  await expect(page.getByText("p99 above 2 s").first()).toBeVisible();

  // Escalating: Alice paged by the console channel, the next step due.
  const escalation = page.locator("[data-state]");
  await expect(escalation).toHaveAttribute("data-state", "waiting");
  await expect(page.getByRole("list", { name: "Paged" })).toContainText("Alice (demo) by console");
  await expect(escalation.getByText(/^Next: step/)).toBeVisible();

  await page.getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.locator("dl").getByText("acknowledged", { exact: true })).toBeVisible();
  await expect(page.getByRole("list", { name: "Timeline" }).getByText(/acknowledged/i).first()).toBeVisible();
  // The escalation stops: held, its next step gone; only the acknowledgement timeout can resume it.
  await expect(escalation).toHaveAttribute("data-state", "holding");
  await expect(escalation.getByText(/^Next: step/)).toHaveCount(0);
  await expect(escalation.getByText(/^Resumes with step 1/)).toBeVisible();
  await expect(page.getByRole("list", { name: "Paged" }).getByRole("listitem")).toHaveCount(1);

  await page.getByRole("button", { name: "Resolve" }).click();
  await expect(page.locator("dl").getByText("resolved", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
  await expect(escalation).toHaveAttribute("data-state", "finished");
});
