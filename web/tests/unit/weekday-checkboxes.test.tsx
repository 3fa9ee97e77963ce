// Weekday checkboxes inside a Field: each day toggles itself (a Field gives its one control id to
// every control in it, so each day's label pointed at Monday and Saturday could not be ticked).
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { newStep, type DraftStep } from "../../src/components/policy/draft";
import { TimeWindowFields } from "../../src/components/policy/TimeWindowFields";
import { RestrictionsField } from "../../src/components/schedule/layers/RestrictionsField";

const inFluent = (ui: React.ReactNode) => render(<FluentProvider theme={webLightTheme}>{ui}</FluentProvider>);

describe("weekday checkboxes", () => {
  it("a layer's restriction window: Saturday ticks Saturday", () => {
    const onChange = vi.fn();
    inFluent(
      <RestrictionsField layerName="Europe" path="layers.0.restrictions" value={[{ weekdays: [0, 1, 2, 3, 4], start: "08:00", end: "20:00" }]} onChange={onChange} error={null} />,
    );
    const days = screen.getAllByRole("checkbox");
    expect(new Set(days.map((d) => d.id)).size).toBe(7);
    fireEvent.click(screen.getByLabelText("Sat"));
    expect(onChange).toHaveBeenLastCalledWith([{ weekdays: [0, 1, 2, 3, 4, 5], start: "08:00", end: "20:00" }]);
  });

  it("a policy step's time window: Saturday ticks Saturday", () => {
    const onChange = vi.fn();
    const step = newStep("time_window", { zone: "Europe/Berlin" }) as Extract<DraftStep, { type: "time_window" }>;
    const weekdays = step.ranges[0]!.weekdays;
    inFluent(<TimeWindowFields step={step} index={0} onChange={onChange} error={null} />);
    expect(new Set(screen.getAllByRole("checkbox").map((d) => d.id)).size).toBe(7);
    fireEvent.click(screen.getByLabelText("Sat"));
    const ranges = (onChange.mock.lastCall![0] as typeof step).ranges;
    expect(ranges[0]!.weekdays).toEqual(weekdays.includes(5) ? weekdays.filter((d) => d !== 5) : [...weekdays, 5].sort());
  });
});
