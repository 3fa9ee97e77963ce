import { describe, expect, it } from "vitest";
import { formatTime, relative } from "../../src/time";
import { twoZones } from "../../src/pages/OnCallPage";

describe("time", () => {
  it("formats in another zone with its name", () => {
    expect(formatTime("2026-12-02T10:00:00Z", "Asia/Tokyo")).toMatch(/(19:00|07:00 PM).*GMT\+9/);
  });

  it("says how far away a moment is", () => {
    expect(relative("2026-12-02T10:05:00Z", Date.parse("2026-12-02T10:00:00Z"))).toMatch(/5 min/);
  });

  it("shows a hand-off in the viewer's zone and the schedule's when they differ", () => {
    const both = twoZones("2026-12-02T10:00:00Z", "Asia/Tokyo", "Europe/Berlin");
    expect(both).toMatch(/11:00.*GMT\+1.*\(.*19:00.*GMT\+9\)|11:00 AM.*GMT\+1.*\(.*07:00 PM.*GMT\+9\)/);
    expect(twoZones("2026-12-02T10:00:00Z", "Asia/Tokyo", "Asia/Tokyo")).not.toContain("(");
  });
});
