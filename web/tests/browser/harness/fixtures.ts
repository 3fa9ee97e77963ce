// What every spec file gets: the running host, sign-in through devhost's identity provider,
// alert posting, and the page checks (axe, phone width). Import `test` and `expect` from here.
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { HostInfo } from "./host";

export { expect };
export type Role = "Admin" | "Responder" | "Viewer";

export function hostInfo(): HostInfo {
  const raw = process.env.OA_HOST;
  if (!raw) throw new Error("OA_HOST unset: run through playwright.config.ts (global setup)");
  return JSON.parse(raw) as HostInfo;
}

/** Open `path` on the console and sign in as `person` (the name on the sign-in page). */
export async function signIn(page: Page, person = "Alice (demo)", role: Role = "Responder", path = "/incidents", host = hostInfo()) {
  await page.goto(host.https + path);
  await page.getByLabel(`Role for ${person}`).selectOption({ label: role });
  await page.getByRole("button", { name: `Sign in as ${person}` }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Post an alert the way a monitoring tool (or curl) does; returns once it is accepted (202). */
export async function postAlert(fields: { title: string; [field: string]: unknown }) {
  const host = hostInfo();
  const res = await fetch(`${host.http}/api/integrations/${host.integrationKey}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ severity: "critical", ...fields }),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

/** Open `path` on the console and sign in as someone the store does not know yet: the sign-in
 * page's "Someone else" form (e-mail, name, role), as on a first install. */
export async function signInNew(page: Page, who: { email: string; name: string; role: Role }, path: string, host = hostInfo()) {
  // The console redirects to the identity provider as it starts, at times before "load".
  await page.goto(host.https + path, { waitUntil: "commit" });
  await page.getByLabel("E-mail").fill(who.email);
  await page.getByLabel("Name", { exact: true }).fill(who.name);
  await page.getByLabel("Role for someone else").selectOption({ label: who.role });
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Incident URLs the console channel printed ("NOTIFY target: subject | url") for `title`. */
export function printedUrls(title: string, host = hostInfo()): string[] {
  const log = readFileSync(host.log, "utf8");
  return log
    .split("\n")
    .filter((l) => l.includes("NOTIFY") && l.includes(title))
    .map((l) => l.slice(l.lastIndexOf("| ") + 2).trim())
    .filter((u) => u.startsWith("http"));
}

/** 0 serious or critical axe violations (WCAG 2.1 A/AA); `rules` narrows the scan (a second theme
 * of an already scanned page only changes colours, so it needs only the colour rules). */
export async function expectAccessible(page: Page, rules?: string[]) {
  const builder = new AxeBuilder({ page });
  const result = await (rules ? builder.withRules(rules) : builder.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]))
    // Fluent's focus sentinels (tabster "dummy inputs"): aria-hidden and focusable by design, they
    // pass focus on the moment they receive it, so no one ever lands on them.
    .exclude("[data-tabster-dummy]")
    .analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** No horizontal scrolling: the document is no wider than the viewport. */
export async function expectNoHorizontalScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `scrollWidth ${scroll} > clientWidth ${client}`).toBeLessThanOrEqual(client);
}

/** Wait until the page has drawn its data (no spinner left). */
export async function settled(page: Page) {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.locator("[role=progressbar]")).toHaveCount(0);
}

export const test = base.extend<{ host: HostInfo }>({
  host: async ({}, use) => use(hostInfo()),
});

// Photographs only when asked (they cost seconds each and belong in docs, not in every run).
const SHOTS = process.env.OA_SCREENSHOTS === "1" ? resolve(import.meta.dirname, "../../../../docs/console") : null;

/** docs/console/<name>.png, only under OA_SCREENSHOTS=1 (make web-screenshots). */
export async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true, animations: "disabled", caret: "hide" });
}

/** The page bar for one page of the console: open `path` (already signed in), wait for its data,
 * axe in light and dark (the theme follows the OS live), no horizontal scroll at 360 px, and the
 * three screenshots `<name>-light|dark|phone` for docs/console.md. */
export async function auditPage(page: Page, name: string, path: string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(hostInfo().https + path);
  await settled(page);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator(`[data-theme=${scheme}]`)).toHaveCount(1);
    await expectAccessible(page, scheme === "dark" ? ["color-contrast", "link-in-text-block"] : undefined);
    await shoot(page, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 360, height: 740 });
  await expect(page.locator("[data-theme=light]")).toHaveCount(1);
  await expectNoHorizontalScroll(page);
  await shoot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 800 });
}
