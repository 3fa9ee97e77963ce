import { describe, expect, it } from "vitest";
import { daySlots, localParts, place, rangeAround, shiftAnchor, startOfDay } from "../../src/components/schedule/timeline/geometry";

const BERLIN = "Europe/Berlin";

describe("timeline geometry", () => {
  it("finds local midnight as an instant", () => {
    expect(startOfDay(2027, 3, 28, BERLIN).toISOString()).toBe("2027-03-27T23:00:00.000Z");
    expect(startOfDay(2027, 3, 29, BERLIN).toISOString()).toBe("2027-03-28T22:00:00.000Z");
  });

  it("draws Berlin's spring-forward day 23/24 as wide as a normal day", () => {
    const week = rangeAround("week", new Date("2027-03-25T12:00:00Z"), BERLIN);
    const days = daySlots(week.start, week.end, BERLIN);
    expect(days).toHaveLength(7);
    const sunday = days[6]!;
    const saturday = days[5]!;
    expect(localParts(sunday.start, BERLIN)).toMatchObject({ month: 3, day: 28, weekday: 6 });
    expect(sunday.hours).toBe(23);
    expect(saturday.hours).toBe(24);
    expect(sunday.width / saturday.width).toBeCloseTo(23 / 24, 10);
    expect(days.reduce((sum, d) => sum + d.width, 0)).toBeCloseTo(1, 10);
  });

  it("draws the fall-back day 25 hours wide", () => {
    const day = rangeAround("day", new Date("2027-10-31T12:00:00Z"), BERLIN);
    expect((day.end.getTime() - day.start.getTime()) / 3_600_000).toBe(25);
    expect(daySlots(day.start, day.end, BERLIN)[0]!.hours).toBe(25);
  });

  it("starts weeks on Monday and months on the 1st, and steps between them", () => {
    const week = rangeAround("week", new Date("2027-03-28T20:00:00Z"), BERLIN);
    expect(localParts(week.start, BERLIN)).toMatchObject({ day: 22, weekday: 0, hour: 0 });
    const month = rangeAround("month", new Date("2027-03-15T00:00:00Z"), BERLIN);
    expect(daySlots(month.start, month.end, BERLIN)).toHaveLength(31);
    const next = shiftAnchor("month", new Date("2027-01-31T12:00:00Z"), 1, BERLIN);
    expect(localParts(next, BERLIN)).toMatchObject({ month: 2, day: 1 });
  });

  it("clips a shift to the range", () => {
    const start = new Date("2027-01-01T00:00:00Z");
    const end = new Date("2027-01-02T00:00:00Z");
    expect(place(new Date("2026-12-31T12:00:00Z"), new Date("2027-01-01T06:00:00Z"), start, end)).toEqual({ left: 0, width: 0.25 });
  });
});
