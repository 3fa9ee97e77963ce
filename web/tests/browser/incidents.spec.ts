import { expect, postAlert, signIn, test } from "./harness/fixtures";

test("sign in through the devhost identity provider; a posted alert appears without a reload", async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole("heading", { name: "Incidents" })).toBeVisible();
  const title = `Disk full on db-${Date.now()}`;
  let reloads = 0;
  page.on("load", () => reloads++);
  await postAlert({ title });
  await expect(page.getByRole("link", { name: new RegExp(title) })).toBeVisible();
  expect(reloads).toBe(0);
  // Idle polling is conditional: the next poll with nothing new is a 304.
  const idle = await page.waitForResponse((r) => /\/api\/v1\/incidents\?/.test(r.url()) && r.status() === 304, { timeout: 15_000 });
  expect(idle.request().headers()["if-none-match"]).toBeTruthy();
});
