import type { FullConfig } from "@playwright/test";
import { startHost } from "./host";

// One devhost for the whole run; spec files read it from OA_HOST (workers inherit the env).
export default async function globalSetup(_config: FullConfig) {
  const { info, stop } = await startHost();
  process.env.OA_HOST = JSON.stringify(info);
  return stop;
}
