import { describe, expect, it } from "vitest";
import { formatTime, relative } from "../../src/time";
import { nowAndNext } from "../../src/api/schedules";

describe("time", () => {
  it("formats in another zone with its name", () => {
    expect(formatTime("2026-12-02T10:00:00Z", "Asia/Tokyo")).toMatch(/(19:00|07:00 PM).*GMT\+9/);
  });

  it("says how far away a moment is", () => {
    expect(relative("2026-12-02T10:05:00Z", Date.parse("2026-12-02T10:00:00Z"))).toMatch(/5 min/);
  });
});

describe("nowAndNext", () => {
  const shifts = [
    { user: "a", start: "2026-12-02T00:00:00Z", end: "2026-12-03T00:00:00Z", source: null },
    { user: "a", start: "2026-12-03T00:00:00Z", end: "2026-12-04T00:00:00Z", source: null },
    { user: "b", start: "2026-12-04T00:00:00Z", end: "2026-12-05T00:00:00Z", source: null },
  ];

  it("finds the current shift and the next different person", () => {
    const { now, next } = nowAndNext(shifts, Date.parse("2026-12-02T12:00:00Z"));
    expect(now?.user).toBe("a");
    expect(next?.user).toBe("b");
  });

  it("has nobody now in a gap", () => {
    expect(nowAndNext(shifts, Date.parse("2026-12-06T00:00:00Z")).now).toBeNull();
  });
});
