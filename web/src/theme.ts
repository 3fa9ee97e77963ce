// Light/dark theme: follows the OS until the person picks one; the pick is remembered per browser.
import { useEffect, useState } from "react";
import { webDarkTheme, webLightTheme, type Theme } from "@fluentui/react-components";

export type ThemePreference = "system" | "light" | "dark";
const KEY = "openalert.theme";
const QUERY = "(prefers-color-scheme: dark)";

function systemDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(QUERY).matches;
}

function stored(): ThemePreference {
  const v = window.localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

export function resolveMode(pref: ThemePreference, osDark: boolean): "light" | "dark" {
  return pref === "system" ? (osDark ? "dark" : "light") : pref;
}

export function useThemePreference(): {
  mode: "light" | "dark";
  theme: Theme;
  preference: ThemePreference;
  setPreference: (p: ThemePreference) => void;
} {
  const [preference, setPref] = useState<ThemePreference>(stored);
  const [osDark, setOsDark] = useState(systemDark);
  useEffect(() => {
    if (typeof window.matchMedia !== "function") return;
    const mq = window.matchMedia(QUERY);
    const onChange = () => setOsDark(mq.matches);
    mq.addEventListener("change", onChange);
    return () => mq.removeEventListener("change", onChange);
  }, []);
  const setPreference = (p: ThemePreference) => {
    if (p === "system") window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, p);
    setPref(p);
  };
  const mode = resolveMode(preference, osDark);
  return { mode, theme: mode === "dark" ? webDarkTheme : webLightTheme, preference, setPreference };
}
