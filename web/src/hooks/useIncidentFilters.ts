// The incident list's filters live in the URL, so a filtered view can be shared or bookmarked.
import { useSearchParams } from "react-router";
import { SEVERITIES, STATUSES, type IncidentFilters, type IncidentStatus } from "../api/incidents";

export const DEFAULT_STATUS: IncidentStatus[] = ["triggered", "acknowledged", "snoozed"];

export function parseFilters(params: URLSearchParams): IncidentFilters {
  const status = params.has("status")
    ? (params.get("status") ?? "").split(",").filter((s): s is IncidentStatus => (STATUSES as string[]).includes(s))
    : DEFAULT_STATUS;
  const severity = (params.get("severity") ?? "")
    .split(",")
    .filter((s) => (SEVERITIES as readonly string[]).includes(s));
  const f: IncidentFilters = { status, severity };
  const team = params.get("team");
  const service = params.get("service");
  const q = params.get("q");
  if (team) f.team_id = team;
  if (service) f.service_id = service;
  if (q) f.q = q;
  if (params.get("mine") === "1") f.mine = true;
  return f;
}

export function formatFilters(f: IncidentFilters): URLSearchParams {
  const p = new URLSearchParams();
  const sameAsDefault = f.status.length === DEFAULT_STATUS.length && DEFAULT_STATUS.every((s) => f.status.includes(s));
  if (!sameAsDefault) p.set("status", f.status.join(","));
  if (f.severity.length) p.set("severity", f.severity.join(","));
  if (f.team_id) p.set("team", f.team_id);
  if (f.service_id) p.set("service", f.service_id);
  if (f.q) p.set("q", f.q);
  if (f.mine) p.set("mine", "1");
  return p;
}

export function useIncidentFilters(): [IncidentFilters, (f: IncidentFilters) => void] {
  const [params, setParams] = useSearchParams();
  return [parseFilters(params), (f) => setParams(formatFilters(f), { replace: true })];
}
