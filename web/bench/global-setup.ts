import { startHost } from "../tests/browser/harness/host";

export const BULK_INCIDENTS = Number(process.env.OA_BENCH_INCIDENTS ?? 10_000);

export default async function globalSetup() {
  const { info, stop } = await startHost(["--incidents", String(BULK_INCIDENTS)]);
  process.env.OA_HOST = JSON.stringify(info);
  return stop;
}
