import { describe, expect, it } from "vitest";
import { DEFAULT_STATUS, formatFilters, parseFilters } from "../../src/hooks/useIncidentFilters";

describe("incident filters in the URL", () => {
  it("defaults to open incidents", () => {
    expect(parseFilters(new URLSearchParams()).status).toEqual(DEFAULT_STATUS);
  });

  it("round-trips every filter and drops unknown values", () => {
    const f = parseFilters(new URLSearchParams("status=resolved,bogus&severity=P1,P9&team=t1&service=s1&q=disk&mine=1"));
    expect(f).toEqual({ status: ["resolved"], severity: ["P1"], team_id: "t1", service_id: "s1", q: "disk", mine: true });
    expect(parseFilters(formatFilters(f))).toEqual(f);
  });

  it("keeps the default status out of the URL", () => {
    expect(formatFilters({ status: DEFAULT_STATUS, severity: [] }).toString()).toBe("");
  });
});
