// Browser tests: Debian's Chromium (Playwright cannot download its own here) against devhost
// serving the built console; the harness starts devhost once for all spec files.
import { defineConfig } from "@playwright/test";
import { CHROMIUM } from "./tests/browser/harness/chromium";

export default defineConfig({
  testDir: "tests/browser",
  testMatch: "*.spec.ts",
  globalSetup: "./tests/browser/harness/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    ignoreHTTPSErrors: true,
    launchOptions: CHROMIUM,
    trace: "retain-on-failure",
    colorScheme: "light",
    // A zone away from UTC, so the pages show hand-offs in two zones as people see them.
    timezoneId: "Europe/Berlin",
  },
});
