// A schedule's day-to-day changes through the real devhost: an override added by keyboard through
// its dialog, "Take over now", a swap offered by one person and accepted by another in a second
// browser, and a calendar import previewed (dry run) before it is written; the ops and calendar
// tabs audited. The seed's "Demo primary" (sch-demo) rotates Alice and Bob daily in Asia/Tokyo.
import type { Locator, Page } from "@playwright/test";
import { auditPage, expect, signIn, test } from "./harness/fixtures";

const OPS = "/schedules/sch-demo?tab=ops";
const CALENDAR = "/schedules/sch-demo?tab=calendar";
const DAY = 86_400_000;

/** yyyy-mm-dd of a day `days` from now (the datetime-local inputs take it with a wall time). */
function dayFromNow(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
}

/** Press Tab until `target` has focus (a datetime-local input takes a Tab per date and time
 * part before focus leaves it), failing after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 10) {
  for (let n = 0; n < max; n++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

/** Who the ops tab says is on call now (once it has loaded). */
async function onCallNow(page: Page): Promise<string> {
  const now = page.getByRole("region", { name: "On call now" });
  const who = now.locator("strong");
  await expect(who).toBeVisible();
  return (await who.textContent()) ?? "";
}

test("overrides: added through the dialog by keyboard alone, then listed with their source", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Admin", OPS);
  const add = page.getByRole("button", { name: "Add override" });
  await add.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Add override" });
  const who = dialog.getByLabel("Who is on call");
  await expect(who).toBeFocused();
  await expect(who.getByRole("option", { name: "Bob (demo)" })).toHaveCount(1);
  await page.keyboard.type("Bob");
  await expect(who).toHaveValue("demo-bob");
  const day = dayFromNow(10);
  await tabTo(page, dialog.getByLabel("Start"));
  await dialog.getByLabel("Start").fill(`${day}T10:00`);
  await tabTo(page, dialog.getByLabel("End"));
  await dialog.getByLabel("End").fill(`${day}T12:30`);
  await page.keyboard.press("Enter"); // submits the form
  await expect(dialog).toHaveCount(0);
  await expect(add).toBeFocused(); // focus returns to where the dialog was opened

  // Listed in the viewer's zone (Europe/Berlin here), the exact instant typed.
  const table = page.getByRole("table", { name: "Overrides" });
  const row = table.getByRole("row").filter({ hasText: "Bob (demo)" }).filter({ hasText: "Manual" });
  await expect(row).toHaveCount(1);
  const typed = await page.evaluate((v) => new Date(v).getTime(), `${day}T10:00`);
  const shown = await row.locator("time").first().getAttribute("datetime");
  expect(Date.parse(shown ?? "")).toBe(typed);

  // Escape closes a reopened dialog without saving.
  await add.click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveCount(1);

  await auditPage(page, "schedule-ops", OPS);
});

test("take over now as Bob, then a swap offered by Alice and accepted by Bob", async ({ page, browser }) => {
  await signIn(page, "Alice (demo)", "Admin", OPS);
  // The daily rotation decides who holds the shift now; make it Alice, so Bob has one to take.
  const setUp = (await onCallNow(page)) === "Bob (demo)";
  if (setUp) {
    await page.getByRole("button", { name: "Take over now" }).click();
    await page.getByRole("dialog", { name: "Take over now?" }).getByRole("button", { name: "Take over" }).click();
    await expect(page.getByText(/^You are on call until/)).toBeVisible();
  }
  await expect.poll(() => onCallNow(page)).toBe("Alice (demo)");

  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  try {
    await signIn(bob, "Bob (demo)", "Admin", OPS);
    expect(await onCallNow(bob)).toBe("Alice (demo)");
    await bob.getByRole("button", { name: "Take over now" }).click();
    const confirm = bob.getByRole("dialog", { name: "Take over now?" });
    await expect(confirm).toContainText("instead of Alice (demo)");
    await confirm.getByRole("button", { name: "Take over" }).click();
    await expect(bob.getByText(/^You are on call until/)).toBeVisible();
    // When Alice held the shift by an override of her own (above), it gives way to Bob's: he
    // alone is on call, not both.
    await expect.poll(() => onCallNow(bob)).toBe("Bob (demo)");
    await expect(bob.getByRole("button", { name: "Take over now" })).toHaveCount(0);

    // Alice offers her next shift to Bob; Bob sees it and accepts.
    await page.reload();
    const offer = page.getByRole("region", { name: "Offer one of my shifts" });
    await expect(offer.getByLabel("My shift").locator("option").first()).toBeAttached();
    await offer.getByLabel("Offer to").selectOption({ label: "Bob (demo)" });
    await offer.getByRole("button", { name: "Offer swap" }).click();
    await expect(page.getByText(/^Offered .* to Bob \(demo\)\.$/)).toBeVisible();
    const swaps = page.getByRole("table", { name: "Swaps" });
    await expect(swaps.getByRole("row").filter({ hasText: "Waiting for an answer" })).toHaveCount(1);

    await bob.reload();
    const mine = bob.getByRole("table", { name: "Swaps" }).getByRole("row").filter({ hasText: "Waiting for an answer" });
    await mine.getByRole("button", { name: "Accept: Alice (demo)'s shift" }).click();
    await expect(bob.getByRole("table", { name: "Swaps" }).getByRole("row").filter({ hasText: "Accepted" })).toHaveCount(1);
    await expect(bob.getByRole("table", { name: "Overrides" }).getByRole("row").filter({ hasText: "Swap" })).toHaveCount(1);
  } finally {
    await bobContext.close();
  }
});

test("calendar: an .ics previewed (what will be created) then imported; subscription link and export", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, "Alice (demo)", "Admin", CALENDAR);
  const day = dayFromNow(20).replaceAll("-", "");
  const ics = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//schedule-ops spec//EN",
    "BEGIN:VEVENT",
    "UID:spec-bob-1",
    `DTSTART:${day}T080000Z`,
    `DTEND:${day}T110000Z`,
    "SUMMARY:demo-bob",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "UID:spec-nobody-1",
    `DTSTART:${day}T120000Z`,
    `DTEND:${day}T130000Z`,
    "SUMMARY:nobody@example.com",
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
  await page.getByLabel("Calendar file (.ics)").setInputFiles({ name: "handover.ics", mimeType: "text/calendar", buffer: Buffer.from(ics) });
  await page.getByRole("button", { name: "Preview import" }).click();
  const created = page.getByRole("table", { name: "What will be created from handover.ics" });
  await expect(created.getByRole("row").filter({ hasText: "Bob (demo)" })).toHaveCount(1);
  const left = page.getByRole("table", { name: "Left out" });
  await expect(left.getByRole("row").filter({ hasText: "nobody@example.com" })).toContainText("no known user matches");
  await page.getByRole("button", { name: "Import 1 override" }).click();
  await expect(page.getByText("Imported 1 override (0 already there, 1 skipped).")).toBeVisible();

  await page.getByRole("button", { name: "Get the subscription link" }).click();
  const url = page.getByRole("textbox", { name: /Subscription URL/ });
  await expect(url).toHaveValue(/\/api\/v1\/calendars\/sch-demo\/.+\.ics$/);
  await page.getByRole("button", { name: "Copy Subscription URL (keep it secret)" }).click();
  await expect(page.getByText("Copied.", { exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await url.inputValue());

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download .ics" }).click()]);
  expect(download.suggestedFilename()).toBe("Demo primary.ics");

  await auditPage(page, "schedule-calendar", CALENDAR);
});
