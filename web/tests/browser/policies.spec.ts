import { auditPage, expect, expectAccessible, signIn, test } from "./harness/fixtures";

test("an admin builds a policy step by step, sees the server's messages and preview, and keeps versions", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Admin", "/oncall");
  // Who is on call in "Demo primary" now, as the on-call page (the API) says.
  const nowLine = await page.getByText(/^Now: (Alice|Bob) \(demo\)$/).textContent();
  const onCall = nowLine!.replace("Now: ", "");

  await page.getByRole("button", { name: "Configure" }).click();
  await page.getByRole("menuitem", { name: "Escalation policies" }).click();
  const demo = page.getByRole("row").filter({ hasText: "Demo policy" });
  await expect(demo).toContainText("Demo service");
  await page.getByRole("button", { name: "New policy" }).click();
  await expect(page.getByRole("heading", { name: "New escalation policy", level: 1 })).toBeVisible();
  await page.getByLabel("Name").fill("Follow the sun");
  // Other specs add teams to the shared store: name the one whose schedule and people it uses.
  await page.getByLabel("Team").selectOption({ label: "Demo team" });

  // Steps added and ordered by keyboard alone: pick a type, Tab to "Add step", Enter.
  const step = (n: number, label: string) => page.getByRole("group", { name: `Step ${n}: ${label}` });
  const add = async (label: string) => {
    await page.getByLabel("New step").selectOption({ label });
    await page.getByLabel("New step").press("Tab");
    await expect(page.getByRole("button", { name: "Add step" })).toBeFocused();
    await page.keyboard.press("Enter");
  };
  await add("Notify who is on call (schedule)");
  await step(2, "Notify who is on call (schedule)").getByRole("button", { name: "Move step 2 up" }).focus();
  await page.keyboard.press("Enter");
  const schedule = step(1, "Notify who is on call (schedule)");
  // Focus stays with the moved step (now first: its "up" is disabled, so on "down").
  await expect(schedule.getByRole("button", { name: "Move step 1 down" })).toBeFocused();
  await schedule.getByLabel("Schedule").selectOption({ label: "Demo primary (Demo team)" });

  await add("Wait");
  await step(3, "Wait").getByRole("button", { name: "Move step 3 up" }).click();
  await add("Continue only in time windows");
  await step(4, "Continue only in time windows").getByRole("button", { name: "Move step 4 up" }).click();
  const wait = step(2, "Wait");
  await wait.getByLabel("Minutes to wait").fill("-5");
  const window = step(3, "Continue only in time windows");
  await window.getByLabel("Time zone").fill("Europe/Berlin");
  await window.getByLabel("Outside the windows").selectOption({ label: "Wait until a window opens" });
  await window.getByRole("checkbox", { name: "Sat" }).check();
  await expect(step(4, "Notify people")).toBeVisible();

  // The server refuses the negative wait and the empty people list; each message on its field.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(wait.getByText("Input should be greater than 0")).toBeVisible();
  await expect(wait.getByLabel("Minutes to wait")).toHaveAttribute("aria-invalid", "true");
  await expect(step(4, "Notify people").getByText(/at least 1 item/)).toBeVisible();
  // Every kind of field the editor draws, its error messages included, passes axe.
  await expectAccessible(page);

  await wait.getByLabel("Minutes to wait").fill("10");
  await step(4, "Notify people").getByRole("combobox", { name: "People" }).click();
  await page.getByRole("menuitemcheckbox", { name: "Bob (demo)" }).click();
  await page.keyboard.press("Escape");

  // The draft's preview (debounced, from the server): step 1 pages whoever is on call now.
  const preview = page.getByRole("list", { name: "Steps that would fire" });
  await expect(preview.getByRole("list", { name: "Paged at step 1" })).toContainText(onCall);
  await expect(preview.getByRole("list", { name: "Paged at step 4" })).toContainText("Bob (demo)");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Follow the sun", level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/escalation-policies\/pol-/);
  const versions = page.getByRole("list", { name: "Saved versions" });
  await expect(versions).toContainText("Version 1 (current)");

  // An edit is a new version; an old one can be read and restored (saved as the next version).
  await page.getByRole("group", { name: "Step 2: Wait" }).getByLabel("Minutes to wait").fill("15");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(versions).toContainText("Version 2 (current)");
  await page.getByRole("button", { name: "View version 1" }).click();
  const dialog = page.getByRole("dialog", { name: /Version 1/ });
  await expect(dialog.getByRole("list", { name: "Steps of version 1" })).toContainText("Wait 10 min");
  await dialog.getByRole("button", { name: "Restore this version" }).click();
  await expect(page.getByText("Version 1 is loaded into the editor")).toBeVisible();
  await expect(page.getByRole("group", { name: "Step 2: Wait" }).getByLabel("Minutes to wait")).toHaveValue("10");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(versions).toContainText("Version 3 (current)");
});

test("the policy pages pass the page bar", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Admin", "/escalation-policies");
  await auditPage(page, "policies", "/escalation-policies");
  await auditPage(page, "policy", "/escalation-policies/pol-demo");
});
