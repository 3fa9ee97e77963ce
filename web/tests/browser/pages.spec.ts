import { expect, signIn, test } from "./harness/fixtures";

test("on call now shows the schedule's current and next responder", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Responder", "/oncall");
  await expect(page.getByRole("heading", { name: "Demo primary" })).toBeVisible();
  await expect(page.getByText(/^Now: (Alice|Bob) \(demo\)$/)).toBeVisible();
  await expect(page.getByText(/^Next: (Alice|Bob) \(demo\)$/)).toBeVisible();
});

test("my shifts lists upcoming shifts and issues a calendar link", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Responder", "/shifts");
  await expect(page.getByRole("list", { name: "My upcoming shifts" }).getByRole("listitem").first()).toBeVisible();
  await page.getByRole("button", { name: "Get my calendar link" }).click();
  await expect(page.getByLabel(/Subscription URL/)).toHaveValue(/\/api\/v1\/calendars\/users\/.+\.ics$/);
});

test("an unknown address shows the 404 page", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Responder", "/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
