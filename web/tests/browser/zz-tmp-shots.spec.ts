import { expect, hostInfo, settled, signIn, test } from "./harness/fixtures";

test("tmp shots", async ({ page }) => {
  await signIn(page, "Alice (demo)", "Admin", "/schedules/sch-demo?tab=timeline&range=week&at=2027-03-25");
  await settled(page);
  await page.screenshot({ path: "/tmp/sui-dst-week.png", fullPage: true });
  await page.goto(hostInfo().https + "/schedules/sch-demo?tab=timeline&range=day&at=2027-03-28");
  await settled(page);
  await page.screenshot({ path: "/tmp/sui-dst-day.png", fullPage: true });
  await page.goto(hostInfo().https + "/schedules/sch-demo?tab=timeline&range=month");
  await settled(page);
  await page.screenshot({ path: "/tmp/sui-month.png", fullPage: true });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(hostInfo().https + "/schedules/sch-demo?tab=layers");
  await settled(page);
  await expect(page.getByTestId("preview-summary")).toBeVisible();
  await page.screenshot({ path: "/tmp/sui-layers-phone.png", fullPage: true });
  await page.goto(hostInfo().https + "/schedules");
  await page.getByRole("button", { name: "New schedule" }).click();
  await page.screenshot({ path: "/tmp/sui-new-phone.png", fullPage: true });
});
