import { expect, postAlert, signIn, test } from "./harness/fixtures";

test("bulk-acknowledge three incidents found by a title search", async ({ page }) => {
  const tag = `storm${Date.now()}`;
  for (const n of [1, 2, 3]) await postAlert({ title: `${tag} node-${n} down`, id: `${tag}-${n}` });
  await signIn(page, "Alice (demo)", "Responder", `/incidents?q=${tag}`);
  const rows = page.getByRole("row").filter({ hasText: tag });
  await expect(rows).toHaveCount(3);
  await page.getByRole("checkbox", { name: "Select all incidents on this page" }).check();
  await page.getByRole("button", { name: "Acknowledge selected" }).click();
  await expect(page.getByText("acknowledge: 3 done")).toBeVisible();
  await expect(rows.getByText("acknowledged", { exact: true })).toHaveCount(3);
});
