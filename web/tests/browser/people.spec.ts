// People: my profile (contact methods verified with the code devhost's log shows, notification
// rules edited by keyboard with the server's P1 preview, calendar link) and administration (teams,
// inviting by e-mail with a team role, an API key shown once and revoked).
import { readFileSync } from "node:fs";
import { auditPage, expect, hostInfo, signIn, test } from "./harness/fixtures";

/** The verification code the console channel printed for `address` ("NOTIFY <address>: ... is 123456."). */
function printedCode(address: string): string | undefined {
  const line = readFileSync(hostInfo().log, "utf8")
    .split("\n")
    .findLast((l) => l.includes(`NOTIFY ${address}: Your OpenAlert verification code is`));
  return line?.match(/code is (\d{6})/)?.[1];
}

test("my profile: verify an e-mail, edit a rule by keyboard and see the P1 preview, calendar link", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Responder", "/profile");
  const address = "alice.pager@example.com";
  await page.getByLabel("Address").fill(address);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  const item = page.getByRole("listitem", { name: `E-mail ${address}` });
  await expect(item.getByText("Not verified")).toBeVisible();
  await expect.poll(() => printedCode(address)).toMatch(/^\d{6}$/);
  await page.getByLabel(`Code sent to ${address}`).fill(printedCode(address)!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(item.getByText("Verified", { exact: true })).toBeVisible();

  // The high-urgency set, built with the keyboard only: e-mail now, e-mail again after 12 minutes.
  const p1 = page.getByRole("list", { name: "A P1 (high-urgency step): deliveries" });
  await expect(p1).toBeVisible();
  const add = page.getByRole("button", { name: "Add step to high-urgency rules" });
  await add.focus();
  await page.keyboard.press("Enter");
  const first = page.getByRole("combobox", { name: "Step 1: notify" }).last();
  await first.focus();
  await page.keyboard.press("Enter"); // opens the list on its first choice: the new address
  await expect(page.getByRole("menuitemcheckbox", { name: `E-mail ${address}` })).toBeVisible();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
  await expect(first).toHaveText(/E-mail alice\.pager/);
  await add.focus();
  await page.keyboard.press("Enter");
  const second = page.getByRole("combobox", { name: "Step 2: notify" }).last();
  await second.focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitemcheckbox", { name: `E-mail ${address}` })).toBeVisible();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
  await expect(second).toHaveText(/E-mail alice\.pager/);
  const after = page.getByRole("spinbutton", { name: "Step 2: after (minutes)" }).last();
  await after.focus();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("12");
  await expect(page.getByRole("heading", { name: /your unsaved changes/ })).toBeVisible();
  await expect(p1.getByRole("listitem")).toHaveCount(2);
  await expect(p1.getByRole("listitem").nth(1)).toContainText("After 12 min");
  await page.keyboard.press("Enter"); // submits the rules form
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByRole("heading", { name: /your saved rules/ })).toBeVisible();
  await expect(p1.getByRole("listitem").nth(1)).toContainText("After 12 min");

  await expect(page.getByRole("heading", { name: "Microsoft Teams" })).toBeVisible();
  await expect(page.getByText("Teams bot not set up")).toBeVisible();
  await page.getByRole("button", { name: "Get my calendar link" }).click();
  await expect(page.getByRole("textbox", { name: "Subscription URL" })).toHaveValue(/\/api\/v1\/calendars\/users\/.+\.ics$/);
  await expect(page.getByRole("button", { name: "Copy Subscription URL" })).toBeVisible();

  await auditPage(page, "profile", "/profile");
});

test("admin: create, rename and delete teams, invite Carol as a team admin, an API key shown once and revoked", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Admin", "/admin");
  const teams = page.getByRole("table", { name: "Teams" });
  await page.getByLabel("New team's name").fill("Night shift");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(teams.getByRole("row", { name: /Night shift/ })).toBeVisible();
  await expect(page.getByLabel("New team's name")).toHaveValue("");
  await page.getByLabel("New team's name").fill("Scratch");
  await page.getByRole("button", { name: "Create team" }).click();
  await page.getByRole("button", { name: "Rename Scratch" }).click();
  await page.getByRole("dialog").getByLabel("Name").fill("Scratch two");
  await page.getByRole("dialog").getByRole("button", { name: "Rename" }).click();
  await page.getByRole("button", { name: "Delete Scratch two" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("table", { name: "Teams" }).getByRole("row", { name: /Scratch/ })).toHaveCount(0);
  await page.getByRole("button", { name: "Members of Night shift" }).click();
  await expect(page).toHaveURL(/tab=members&team=/);
  await page.getByRole("textbox", { name: "E-mail" }).fill("carol@example.com");
  await page.getByLabel("Team role").selectOption("admin");
  await page.getByRole("button", { name: "Invite" }).click();
  const members = page.getByRole("table", { name: "Members of Night shift" });
  await expect(members.getByRole("row", { name: /carol@example\.com/ }).getByText("Invited, not signed in yet")).toBeVisible();
  await expect(members.getByLabel("Team role of carol@example.com")).toHaveValue("admin");

  await page.getByRole("tab", { name: "Users" }).click();
  await expect(page.getByRole("table", { name: "Users" }).getByRole("row", { name: /Alice \(demo\)/ })).toContainText("Admin");

  await page.getByRole("tab", { name: "API keys" }).click();
  await expect(page).toHaveURL(/tab=keys/);
  await page.getByLabel("Key name").fill("CI deploys");
  await page.getByRole("checkbox", { name: /^write/ }).check();
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByRole("textbox", { name: "API key" })).toHaveValue(/^oa_[a-z0-9]{12}_/);
  const secret = await page.getByRole("textbox", { name: "API key" }).inputValue();
  const asKey = () => page.request.get(`${hostInfo().http}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
  expect((await asKey()).status()).toBe(200);
  await page.getByRole("button", { name: "I have copied it" }).click();
  await expect(page.getByRole("textbox", { name: "API key" })).toHaveCount(0);
  const row = page.getByRole("table", { name: "API keys" }).getByRole("row", { name: /CI deploys/ });
  await expect(row).toContainText("read, write");
  await expect(row).toContainText("Does not expire");
  await row.getByRole("button", { name: "Revoke CI deploys" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByText(/^Revoked /)).toBeVisible();
  // Revoked at the API, not only in the list: the key no longer signs anyone in.
  expect((await asKey()).status()).toBe(401);

  await auditPage(page, "admin", "/admin");
  await auditPage(page, "admin-keys", "/admin?tab=keys");
});
