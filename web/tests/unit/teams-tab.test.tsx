// The Teams tab's pure parts: where a deep link lands, Teams' theme names, and the sign-in page
// the tab shows when Teams cannot sign the person in silently.
import { FluentProvider, teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme } from "@fluentui/react-components";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { TabPage } from "../../src/pages/TabPage";
import { isTabPath, outsideTeams, pageForSubEntity } from "../../src/teams/paths";
import { teamsTheme } from "../../src/teams/theme";

describe("deep links", () => {
  it("opens the incident a card's Open button names, else the list", () => {
    expect(pageForSubEntity("incident:inc-42")).toBe("/incidents/inc-42");
    expect(pageForSubEntity("incident:a/b")).toBe("/incidents/a%2Fb");
    expect(pageForSubEntity(undefined)).toBe("/incidents");
    expect(pageForSubEntity("schedule:x")).toBe("/incidents");
  });

  it("knows the tab's paths and their plain-console twins", () => {
    expect(isTabPath("/tab")).toBe(true);
    expect(isTabPath("/tab/incidents/1")).toBe(true);
    expect(isTabPath("/table")).toBe(false);
    expect(outsideTeams("/tab")).toBe("/incidents");
    expect(outsideTeams("/tab/oncall")).toBe("/oncall");
  });
});

describe("Teams theme", () => {
  it("maps Teams' names to Fluent's Teams themes", () => {
    expect(teamsTheme("default")).toEqual({ theme: teamsLightTheme, mode: "light" });
    expect(teamsTheme("dark")).toEqual({ theme: teamsDarkTheme, mode: "dark" });
    expect(teamsTheme("contrast")).toEqual({ theme: teamsHighContrastTheme, mode: "contrast" });
    expect(teamsTheme("glass").mode).toBe("light");
  });
});

describe("TabPage", () => {
  it("offers sign-in and shows why it failed", async () => {
    const onSignIn = async () => {
      throw new Error("The popup was blocked");
    };
    render(
      <FluentProvider theme={teamsLightTheme}>
        <TabPage status="sign-in" onSignIn={onSignIn} />
      </FluentProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("The popup was blocked")).toBeTruthy();
    expect(screen.getByRole("link", { name: /Open OpenAlert in the browser/ }).getAttribute("target")).toBe("_blank");
  });

  it("explains the address when Teams does not answer", () => {
    render(
      <FluentProvider theme={teamsLightTheme}>
        <TabPage status="not-in-teams" />
      </FluentProvider>,
    );
    expect(screen.getByRole("heading", { name: "OpenAlert for Microsoft Teams" })).toBeTruthy();
  });
});
