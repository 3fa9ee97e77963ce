// The console as the Teams personal tab, inside a stub of the Teams host.
//
// Real: the built console at /tab with the Teams JS SDK and its postMessage protocol, MSAL (its
// nested-app-auth client and its standard one), devhost's identity provider and API.
// Stubbed: Teams — a page Playwright serves at https://teams.microsoft.com (an origin teams-js
// trusts; nothing reaches the network) that frames /tab and answers teams-js: `initialize`
// (frame context, client type, SDK version, runtime config), `getContext` (theme "dark", the
// user, the deep link's subEntityId), theme changes, and, where it offers nested app auth, the
// bridge's `GetInitContext` / `GetToken` — handing out tokens devhost's identity provider issued
// to Alice in a sign-in at the top level, as Teams hands out tokens from its own session.
//
// Without the bridge MSAL falls back to its standard client, which signs in silently (ssoSilent,
// a hidden frame) from the identity provider's session. That frame is a third-party one under
// Teams, so it needs third-party cookies: a browser profile that allows them, not Playwright's
// incognito contexts, where Chromium blocks them for good.
//
// Chromium's Local Network Access checks refuse a public origin (the stub's) framing a loopback
// one (devhost's); real Teams frames a public console, so the checks are off here.
import AxeBuilder from "@axe-core/playwright";
import { chromium, type BrowserContext, type Page } from "@playwright/test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM } from "./harness/chromium";
import { expect, postAlert, printedUrls, shoot, signIn, test } from "./harness/fixtures";

const TEAMS = "https://teams.microsoft.com";
const LAUNCH = { ...CHROMIUM, args: [...CHROMIUM.args, "--disable-features=LocalNetworkAccessChecks"] };
const TENANT = "00000000-0000-4000-8000-00000000a11e";
const ALICE = { oid: "demo-alice", email: "demo-alice@example.com", name: "Alice (demo)" };

test.use({ launchOptions: LAUNCH });

interface Tokens {
  access_token: string;
  id_token: string;
  expires_in: number;
  scope: string;
}

/** What the stub's nested-app-auth bridge hands out: Alice's tokens, as Teams would. */
interface Broker {
  tokens: Tokens;
  /** The identity provider's host, the MSAL account's environment. */
  environment: string;
}

/** The stub host page: frames `tabUrl`, answers teams-js (and nested app auth when `broker` is
 * given), records what it was asked in `window.asked`. */
function stubHost(tabUrl: string, subEntityId: string, broker: Broker | null): string {
  const context = {
    theme: "dark",
    entityId: "console",
    subEntityId,
    loginHint: ALICE.email,
    userPrincipalName: ALICE.email,
    userObjectId: ALICE.oid,
    tid: TENANT,
    hostName: "Teams",
    hostClientType: "web",
    frameContext: "content",
    locale: "en-us",
  };
  const runtime = { apiVersion: 4, supports: { pages: {}, teamsCore: {}, ...(broker ? { nestedAppAuth: {} } : {}) } };
  const account = broker && {
    homeAccountId: `${ALICE.oid}.${TENANT}`,
    environment: broker.environment,
    tenantId: TENANT,
    username: ALICE.email,
    localAccountId: ALICE.oid,
    name: ALICE.name,
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Microsoft Teams (stub)</title>
<style>body{margin:0} iframe{border:0;width:100vw;height:100vh;display:block}</style></head>
<body><iframe title="OpenAlert" src="${tabUrl}"></iframe>
<script>
  const frame = document.querySelector("iframe");
  const origin = new URL(${JSON.stringify(tabUrl)}).origin;
  const tokens = ${JSON.stringify(broker?.tokens ?? null)};
  const account = ${JSON.stringify(account)};
  window.asked = [];
  const naa = (req) => {
    const res = { messageType: "NestedAppAuthResponse", requestId: req.requestId, success: true };
    if (req.method === "GetInitContext") res.initContext = { sdkName: "teams-stub", sdkVersion: "1.0.0", capabilities: {} };
    else if (req.method === "GetToken") Object.assign(res, { token: { ...tokens, properties: null }, account });
    else Object.assign(res, { success: false, error: { status: "USER_INTERACTION_REQUIRED" } });
    return res;
  };
  window.addEventListener("message", (e) => {
    if (e.source !== frame.contentWindow || !e.data || typeof e.data.func !== "string") return;
    const m = e.data;
    const reply = (args) => frame.contentWindow.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, e.origin);
    if (m.func === "nestedAppAuth.execute") {
      const req = JSON.parse(m.data);
      window.asked.push(req.method);
      // The bridge's answers carry no id: teams-js hands them to MSAL's listener.
      frame.contentWindow.postMessage({ args: [null, JSON.stringify(naa(req))] }, e.origin);
      return;
    }
    window.asked.push(m.func);
    if (m.func === "initialize") reply(["content", "web", "2.58.0", ${JSON.stringify(JSON.stringify(runtime))}]);
    if (m.func === "getContext") reply([${JSON.stringify(context)}]);
  });
  // What Teams sends when the person switches its theme.
  window.setTeamsTheme = (theme) => frame.contentWindow.postMessage({ func: "themeChange", args: [theme] }, origin);
</script></body></html>`;
}

async function openInTeams(page: Page, tabUrl: string, subEntityId: string, broker: Broker | null) {
  await page.route(`${TEAMS}/**`, (route) =>
    route.fulfill({ contentType: "text/html", body: stubHost(tabUrl, subEntityId, broker) }),
  );
  // teams-js prefetches its list of valid host origins from a CDN; offline here (its built-in
  // list already has teams.microsoft.com).
  await page.route("https://res.cdn.office.net/**", (route) => route.abort());
  await page.goto(`${TEAMS}/_stub/personal-tab`);
}

/** Sign-in pages (the identity provider's authorize page) any frame of `page` opens; `silent`
 * counts the prompt=none ones (MSAL's hidden frame) too. */
function watchSignInPages(page: Page, { silent }: { silent: boolean }): string[] {
  const seen: string[] = [];
  page.on("framenavigated", (f) => {
    const url = new URL(f.url());
    if (url.pathname.endsWith("/authorize") && (silent || url.searchParams.get("prompt") !== "none")) seen.push(f.url());
  });
  return seen;
}

/** An incident to deep-link to: its id and title. */
async function anIncident(): Promise<{ id: string; title: string }> {
  const title = `Teams tab ${Date.now()}`;
  await postAlert({ title, id: `tab-${Date.now()}` });
  await expect.poll(() => printedUrls(title).length, { timeout: 20_000 }).toBeGreaterThan(0);
  return { id: new URL(printedUrls(title)[0]!).pathname.split("/").pop()!, title };
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

test("in Teams with nested app auth: no sign-in page, the deep-linked incident, Teams' theme and its changes", async ({
  page,
  host,
}) => {
  const incident = await anIncident();
  // Alice's tokens for the stub's broker. Her identity-provider session stays out of reach of
  // the tab: this incognito context blocks third-party cookies, so only the bridge can sign in.
  const tokenResponse = page.waitForResponse(
    (r) => new URL(r.url()).pathname.endsWith("/oauth2/v2.0/token") && r.request().method() === "POST",
  );
  await signIn(page, "Alice (demo)", "Responder", "/incidents");
  const broker = { tokens: (await (await tokenResponse).json()) as Tokens, environment: new URL(host.https).host };

  const signInPages = watchSignInPages(page, { silent: true });
  await openInTeams(page, `${host.https}/tab`, `incident:${incident.id}`, broker);
  const tab = page.frameLocator("iframe[title=OpenAlert]");
  await expect(tab.getByRole("heading", { name: new RegExp(incident.title) })).toBeVisible();
  const frame = page.frames().find((f) => f.url().startsWith(host.https))!;
  expect(new URL(frame.url()).pathname).toBe(`/tab/incidents/${incident.id}`);
  expect(signInPages, "no sign-in page, not even a silent one").toEqual([]);
  const asked = await page.evaluate(() => (window as unknown as { asked: string[] }).asked);
  expect(asked).toEqual(expect.arrayContaining(["initialize", "getContext", "GetInitContext", "GetToken"]));
  expect(asked, "no interactive sign-in").not.toContain("GetTokenPopup");
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
});

test("in Teams without nested app auth: a silent sign-in from the identity provider's session", async ({ host }) => {
  const incident = await anIncident();
  const dir = mkdtempSync(join(tmpdir(), "teams-tab-"));
  const profile = await ownProfile(dir);
  try {
    const page = profile.pages()[0] ?? (await profile.newPage());
    await signIn(page, "Alice (demo)", "Responder", "/incidents");
    const signInPages = watchSignInPages(page, { silent: false });
    await openInTeams(page, `${host.https}/tab`, `incident:${incident.id}`, null);
    const tab = page.frameLocator("iframe[title=OpenAlert]");
    await expect(tab.getByRole("heading", { name: new RegExp(incident.title) })).toBeVisible();
    await expect(tab.locator("[data-theme=dark]")).toHaveCount(1);
    expect(signInPages, "no sign-in page inside Teams").toEqual([]);
  } finally {
    await profile.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A browser profile of a person's own with third-party cookies allowed (its cookie setting;
 * without it this Chromium blocks them here too). */
async function ownProfile(dir: string): Promise<BrowserContext> {
  mkdirSync(join(dir, "Default"));
  const prefs = { profile: { cookie_controls_mode: 0, block_third_party_cookies: false } };
  writeFileSync(join(dir, "Default", "Preferences"), JSON.stringify(prefs));
  return chromium.launchPersistentContext(dir, { ...LAUNCH, ignoreHTTPSErrors: true, timezoneId: "Europe/Berlin" });
}

test("/tab opened in a browser is the plain console", async ({ page, host }) => {
  await signIn(page, "Alice (demo)", "Responder", "/incidents");
  await page.goto(`${host.https}/tab`);
  await expect(page).toHaveURL(`${host.https}/incidents`);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});
