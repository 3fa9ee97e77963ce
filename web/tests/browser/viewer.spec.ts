import { expect, postAlert, signIn, test } from "./harness/fixtures";

test("a viewer sees no action buttons, and a forged action gets the API's 403 as a message", async ({ page }) => {
  const title = `Viewer check ${Date.now()}`;
  await postAlert({ title });
  await signIn(page, "Vera (viewer)", "Viewer", "/incidents");
  const link = page.getByRole("link", { name: new RegExp(title) });
  await expect(link).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /selected$/ })).toHaveCount(0);
  await link.click();
  await expect(page.getByRole("heading", { name: new RegExp(title) })).toBeVisible();
  await expect(page.getByRole("group", { name: "Incident actions" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Acknowledge|Resolve|Snooze|Escalate|Reassign|responders|note|Reopen/ })).toHaveCount(0);

  // Forge the console's idea of the role (the token stays a viewer's): the buttons appear, and
  // the API refuses the call; its problem detail is what the person reads.
  await page.route("**/api/v1/me", async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, json: { ...(await res.json()), roles: ["OpenAlert.Responder"] } });
  });
  await page.reload();
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/acknowledge")),
    page.getByRole("button", { name: "Acknowledge" }).click(),
  ]);
  expect(refused.status()).toBe(403);
  const problem = (await refused.json()) as { title: string; detail: string };
  await expect(page.getByRole("alert", { name: problem.title })).toContainText(problem.detail);
});
