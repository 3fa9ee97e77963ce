import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { NewScheduleDialog } from "../../src/components/schedule/NewScheduleDialog";
import { json, renderWith } from "./render";

describe("NewScheduleDialog", () => {
  it("posts name, team and zone, and shows the API's message on the field it names", async () => {
    const { calls } = renderWith(<NewScheduleDialog teams={[{ id: "team-1", name: "Ops" } as never]} />, {
      handler: () =>
        json(
          { title: "Invalid input", status: 400, detail: "time_zone: unknown", field: "time_zone", errors: [{ field: "time_zone", message: "time_zone must be an IANA zone name" }] },
          { status: 400 },
        ),
    });
    fireEvent.click(screen.getByRole("button", { name: "New schedule" }));
    fireEvent.change(await screen.findByRole("textbox", { name: /^Name/ }), { target: { value: "Primary" } });
    fireEvent.click(screen.getByRole("button", { name: "Create" }));
    expect(await screen.findByText("time_zone must be an IANA zone name")).toBeTruthy();
    expect(screen.queryByText("Invalid input")).toBeNull();
    const post = calls.find((c) => c.method === "POST")!;
    expect(await post.json()).toMatchObject({ name: "Primary", team_id: "team-1", layers: [], time_zone: expect.any(String) });
  });
});
