// The console's budget measurements (bench/bench_console.py runs this): devhost with 10,000 extra
// incidents in the store. Figures are printed; nothing here asserts a time.
import { defineConfig } from "@playwright/test";
import { CHROMIUM } from "../tests/browser/harness/chromium";

export default defineConfig({
  testDir: ".",
  testMatch: "*.bench.ts",
  globalSetup: "./global-setup.ts",
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [["list"]],
  outputDir: "../test-results/bench",
  use: { ignoreHTTPSErrors: true, launchOptions: CHROMIUM, timezoneId: "Europe/Berlin" },
});
