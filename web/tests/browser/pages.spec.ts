import { expect, hostInfo, signIn, test } from "./harness/fixtures";

test("on call now shows the schedule's current and next responder", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Responder", "/oncall");
  await expect(page.getByRole("heading", { name: "Demo team", level: 2 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Demo primary", level: 3 })).toBeVisible();
  await expect(page.getByText(/^Now: (Alice|Bob) \(demo\)$/)).toBeVisible();
  await expect(page.getByText(/^Hands off .*GMT\+1.*\(.*GMT\+9\)$/)).toBeVisible();
  await expect(page.getByText(/^Next: (Alice|Bob) \(demo\)$/)).toBeVisible();
});

test("my shifts lists upcoming shifts and issues a calendar link", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Responder", "/shifts");
  await expect(page.getByRole("list", { name: "My upcoming shifts" }).getByRole("listitem").first()).toBeVisible();
  await page.getByRole("button", { name: "Get my calendar link" }).click();
  await expect(page.getByLabel(/Subscription URL/)).toHaveValue(/\/api\/v1\/calendars\/users\/.+\.ics$/);
  // Signing out ends the identity provider's session: the next visit asks who you are again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in as Alice (demo)" })).toBeVisible();
});

test("an unknown address shows the 404 page; the theme follows the OS until picked", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await signIn(page, "Alice (demo)", "Responder", "/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.locator("[data-theme=dark]")).toHaveCount(1);
  await page.getByRole("button", { name: /^Theme:/ }).click();
  await page.getByRole("menuitemradio", { name: "Light" }).click();
  await expect(page.locator("[data-theme=light]")).toHaveCount(1);
  await page.reload();
  await expect(page.locator("[data-theme=light]")).toHaveCount(1);
  // An incident the API does not know is the same 404 page.
  await page.goto(hostInfo().https + "/incidents/no-such-incident");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a link opened in a new tab signs in silently from the identity provider's session", async ({ page, context }) => {
  await signIn(page, "Alice (demo)", "Responder", "/incidents");
  const tab = await context.newPage();
  await tab.goto(hostInfo().https + "/oncall");
  await expect(tab.getByRole("heading", { name: "On call now" })).toBeVisible();
  await expect(tab.getByRole("button", { name: "Sign out" })).toBeVisible();
});
