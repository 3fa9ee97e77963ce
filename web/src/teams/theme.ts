// Teams' theme names → Fluent's Teams themes; "data-theme" names the mode for tests and styles.
import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, type Theme } from "@fluentui/react-components";

export interface HostTheme {
  theme: Theme;
  mode: "light" | "dark" | "contrast";
}

/** `app.Context.app.theme` or a theme-change event: "default" | "dark" | "contrast" (newer hosts
 * may send others, e.g. "glass": shown as light, Teams' default). */
export function teamsTheme(name: string | undefined): HostTheme {
  if (name === "dark") return { theme: teamsDarkTheme, mode: "dark" };
  if (name === "contrast") return { theme: teamsHighContrastTheme, mode: "contrast" };
  return { theme: teamsLightTheme, mode: "light" };
}
