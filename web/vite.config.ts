import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import { resolve } from "node:path";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // The entry (React, Fluent, MSAL) is ~690 KB minified; the budget that matters is its gzipped
    // size with its preloads (300 KB, measured by `python -m bench console`), not Vite's 500 KB.
    chunkSizeWarningLimit: 800,
    // The MSAL redirect bridge is its own bundled page, outside the app (console.md §1).
    rolldownOptions: {
      input: {
        main: resolve(import.meta.dirname, "index.html"),
        redirect: resolve(import.meta.dirname, "redirect.html"),
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:7071", "/config.json": "http://127.0.0.1:7071" } },
  test: {
    environment: "happy-dom",
    include: ["tests/unit/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/unit/setup.ts"],
    // Fluent and React load once per worker instead of once per file: most of the run's time.
    isolate: false,
    // Fluent's menu motion cancels its Web Animation when a test unmounts mid-animation; happy-dom
    // reports that cancellation as an unhandled AbortError. Nothing else is ignored.
    onUnhandledError: (error) => !(error.name === "AbortError" && /animation was canceled/.test(error.message)),
  },
});
