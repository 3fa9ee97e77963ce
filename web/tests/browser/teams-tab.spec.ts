// The console as the Teams personal tab, inside a stub of the Teams host.
//
// Real: the built console at /tab with the Teams JS SDK, its postMessage protocol, MSAL, devhost's
// identity provider and API. Stubbed: Teams itself — a page served by Playwright at
// https://teams.microsoft.com (an origin teams-js accepts; nothing reaches the network) that
// frames the tab and answers `initialize` (frame context, client type, runtime config), and
// `getContext` (theme "dark", the user, the deep link's subEntityId), and sends theme changes.
// The stub offers no nested-app-auth bridge (that needs Entra and a real Teams client), so MSAL's
// nestable client falls back to the standard one and signs in silently (ssoSilent, a hidden
// frame) from the identity provider's session — Alice signed in once at the top level first —
// as a Teams client without nested app auth would. That frame is a third-party one under
// Teams, so it needs third-party cookies: a profile that allows them, not Playwright's incognito
// contexts, where Chromium blocks them for good (where a browser blocks them, only nested app
// auth signs in without a prompt; docs/console.md).
import AxeBuilder from "@axe-core/playwright";
import { chromium, type BrowserContext, type Page } from "@playwright/test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM } from "./harness/chromium";
import { expect, postAlert, printedUrls, shoot, signIn, test } from "./harness/fixtures";

const TEAMS = "https://teams.microsoft.com";

/** A browser profile of a person's own with third-party cookies allowed (its cookie setting;
 * without it this Chromium blocks them here too), without Local Network Access checks (they refuse a public origin, the stub's,
 * framing a loopback one, devhost's: real Teams frames a public console). */
async function ownProfile(dir: string): Promise<BrowserContext> {
  mkdirSync(join(dir, "Default"));
  const prefs = { profile: { cookie_controls_mode: 0, block_third_party_cookies: false } };
  writeFileSync(join(dir, "Default", "Preferences"), JSON.stringify(prefs));
  return chromium.launchPersistentContext(dir, {
    ...CHROMIUM,
    args: [...CHROMIUM.args, "--disable-features=LocalNetworkAccessChecks"],
    ignoreHTTPSErrors: true,
    timezoneId: "Europe/Berlin",
  });
}

/** The stub host page: frames `tabUrl`, answers the SDK, records what it was asked. */
function stubHost(tabUrl: string, subEntityId: string): string {
  const context = {
    theme: "dark",
    entityId: "console",
    subEntityId,
    loginHint: "demo-alice@example.com",
    userPrincipalName: "demo-alice@example.com",
    userObjectId: "demo-alice",
    tid: "00000000-0000-4000-8000-00000000a11e",
    hostName: "Teams",
    hostClientType: "web",
    frameContext: "content",
    locale: "en-us",
  };
  const runtime = { apiVersion: 4, supports: { pages: {}, teamsCore: {} } };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Microsoft Teams (stub)</title>
<style>body{margin:0} iframe{border:0;width:100vw;height:100vh;display:block}</style></head>
<body><iframe title="OpenAlert" src="${tabUrl}"></iframe>
<script>
  const frame = document.querySelector("iframe");
  const origin = new URL(${JSON.stringify(tabUrl)}).origin;
  window.asked = [];
  window.addEventListener("message", (e) => {
    if (e.source !== frame.contentWindow || !e.data || typeof e.data.func !== "string") return;
    const m = e.data;
    window.asked.push(m.func);
    const reply = (args) => frame.contentWindow.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, e.origin);
    if (m.func === "initialize") reply(["content", "web", ${JSON.stringify(JSON.stringify(runtime))}, "2.58.0"]);
    if (m.func === "getContext") reply([${JSON.stringify(context)}]);
  });
  // What Teams sends when the person switches its theme.
  window.setTeamsTheme = (theme) => frame.contentWindow.postMessage({ func: "themeChange", args: [theme] }, origin);
</script></body></html>`;
}

/** The harness's axe bar (WCAG 2.1 A/AA, 0 serious or critical) over the host page and the tab
 * inside it: Fluent's focus sentinels excluded in the frame too. */
async function expectAccessibleInTeams(page: Page, rules?: string[]) {
  const builder = new AxeBuilder({ page });
  const result = await (rules ? builder.withRules(rules) : builder.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]))
    .exclude(["iframe", "[data-tabster-dummy]"])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`).join(", ")}`)).toEqual([]);
}

async function openInTeams(page: Page, tabUrl: string, subEntityId: string) {
  await page.route(`${TEAMS}/**`, (route) =>
    route.fulfill({ contentType: "text/html", body: stubHost(tabUrl, subEntityId) }),
  );
  // teams-js prefetches its list of valid host origins from a CDN; offline here (its built-in
  // list already has teams.microsoft.com).
  await page.route("https://res.cdn.office.net/**", (route) => route.abort());
  await page.goto(`${TEAMS}/_stub/personal-tab`);
}

test("the Teams tab signs in without a prompt, opens the deep-linked incident, follows the Teams theme", async ({
  host,
}) => {
  const dir = mkdtempSync(join(tmpdir(), "teams-tab-"));
  const profile = await ownProfile(dir);
  try {
    await inTeams(profile.pages()[0] ?? (await profile.newPage()), host.https);
  } finally {
    await profile.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function inTeams(page: Page, consoleUrl: string) {
  const title = `Teams tab ${Date.now()}`;
  await postAlert({ title, id: `tab-${Date.now()}` });
  await expect.poll(() => printedUrls(title).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const incidentId = new URL(printedUrls(title)[0]!).pathname.split("/").pop()!;
  // An identity-provider session, as a person signed in to the organisation has.
  await signIn(page, "Alice (demo)", "Responder", "/incidents");

  const signInPages: string[] = [];
  page.on("framenavigated", (f) => {
    const url = new URL(f.url());
    if (url.pathname.endsWith("/authorize") && url.searchParams.get("prompt") !== "none") signInPages.push(f.url());
  });
  await openInTeams(page, `${consoleUrl}/tab`, `incident:${incidentId}`);
  const tab = page.frameLocator("iframe[title=OpenAlert]");
  await expect(tab.getByRole("heading", { name: new RegExp(title) })).toBeVisible();
  const frame = page.frames().find((f) => f.url().startsWith(consoleUrl))!;
  expect(new URL(frame.url()).pathname).toBe(`/tab/incidents/${incidentId}`);
  expect(signInPages, "no sign-in page inside Teams").toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { asked: string[] }).asked)).toEqual(
    expect.arrayContaining(["initialize", "getContext"]),
  );
  // Compact header: Teams owns the theme and the session.
  await expect(tab.getByRole("link", { name: "Incidents" })).toBeVisible();
  await expect(tab.getByRole("button", { name: "Sign out" })).toHaveCount(0);

  // Teams' theme, and its changes while the tab is open.
  await expect(tab.locator("[data-theme=dark]")).toHaveCount(1);
  await expect(tab.locator("[role=progressbar]")).toHaveCount(0);
  await expectAccessibleInTeams(page);
  await shoot(page, "teams-tab-dark");
  const setTheme = (theme: string) =>
    page.evaluate((t) => (window as unknown as { setTeamsTheme(t: string): void }).setTeamsTheme(t), theme);
  await setTheme("contrast");
  await expect(tab.locator("[data-theme=contrast]")).toHaveCount(1);
  await expectAccessibleInTeams(page, ["color-contrast", "link-in-text-block"]);
  await shoot(page, "teams-tab-contrast");
  await setTheme("default");
  await expect(tab.locator("[data-theme=light]")).toHaveCount(1);
  await expectAccessibleInTeams(page, ["color-contrast", "link-in-text-block"]);
  await shoot(page, "teams-tab-light");
  // Teams on a phone.
  await page.setViewportSize({ width: 360, height: 740 });
  const width = () =>
    frame.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  await expect.poll(width).toEqual({ scroll: 360, client: 360 });
  await shoot(page, "teams-tab-phone");

  // Navigation stays inside the tab (its pages live under /tab), by keyboard.
  await tab.getByRole("link", { name: "Incidents" }).press("Enter");
  await expect.poll(() => new URL(frame.url()).pathname).toBe("/tab/incidents");
}

test("/tab opened in a browser is the plain console", async ({ page, host }) => {
  await signIn(page, "Alice (demo)", "Responder", "/incidents");
  await page.goto(`${host.https}/tab`);
  await expect(page).toHaveURL(`${host.https}/incidents`);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});
