// Header (navigation, theme, sign-out) around every page; wraps rather than scrolls on phones.
// Embedded in the Teams tab it drops the theme menu and sign-out: Teams owns both.
import { Button, Menu, MenuItem, MenuItemRadio, MenuList, MenuPopover, MenuTrigger, Text, makeStyles, tokens } from "@fluentui/react-components";
import {
  AlertUrgentRegular,
  CalendarRegular,
  ChevronDownRegular,
  PeopleRegular,
  PersonRegular,
  SettingsRegular,
  SignOutRegular,
  WeatherMoonRegular,
  WeatherSunnyRegular,
} from "@fluentui/react-icons";
import { Suspense } from "react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { useSession } from "../api/context";
import type { ThemePreference } from "../theme";
import { ErrorBoundary } from "./ErrorBoundary";
import { Loading } from "./States";

const useStyles = makeStyles({
  header: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, marginRight: tokens.spacingHorizontalM },
  nav: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, flexGrow: 1 },
  link: {
    display: "inline-flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    textDecorationLine: "none",
    // The hover and selected foregrounds differ from the resting one only in high contrast (Teams'
    // "contrast" theme), where the selected background is a bright highlight.
    ":hover": { backgroundColor: tokens.colorSubtleBackgroundHover, color: tokens.colorNeutralForeground1Hover },
  },
  active: {
    backgroundColor: tokens.colorSubtleBackgroundSelected,
    color: tokens.colorNeutralForeground1Selected,
    fontWeight: tokens.fontWeightSemibold,
  },
  main: {
    padding: tokens.spacingHorizontalM,
    maxWidth: "1200px",
    marginLeft: "auto",
    marginRight: "auto",
    boxSizing: "border-box",
    minWidth: 0,
  },
  tools: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXS },
});

// Configuration pages, behind one menu so the header stays one line on a phone.
const CONFIGURE: [string, string][] = [
  ["/schedules", "Schedules"],
  ["/escalation-policies", "Escalation policies"],
  ["/services", "Services and integrations"],
  ["/heartbeats", "Heartbeats"],
  ["/admin", "Teams, people and API keys"],
];

interface Props {
  mode: "light" | "dark";
  preference: ThemePreference;
  onPreference: (p: ThemePreference) => void;
  embedded?: boolean;
}

export function AppShell({ mode, preference, onPreference, embedded = false }: Props) {
  const s = useStyles();
  const { me, signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const configuring = CONFIGURE.some(([path]) => location.pathname.startsWith(path));
  const cls = ({ isActive }: { isActive: boolean }) => (isActive ? `${s.link} ${s.active}` : s.link);
  return (
    <>
      <header className={s.header}>
        <Text className={s.brand}>OpenAlert</Text>
        <nav className={s.nav} aria-label="Main">
          <NavLink to="/incidents" className={cls}>
            <AlertUrgentRegular aria-hidden /> Incidents
          </NavLink>
          <NavLink to="/oncall" className={cls}>
            <PeopleRegular aria-hidden /> On call now
          </NavLink>
          <NavLink to="/shifts" className={cls}>
            <CalendarRegular aria-hidden /> My shifts
          </NavLink>
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Button
                appearance="subtle"
                className={configuring ? `${s.link} ${s.active}` : s.link}
                icon={<SettingsRegular />}
                iconPosition="before"
              >
                Configure <ChevronDownRegular aria-hidden />
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                {CONFIGURE.map(([path, label]) => (
                  <MenuItem key={path} onClick={() => void navigate(path)}>
                    {label}
                  </MenuItem>
                ))}
              </MenuList>
            </MenuPopover>
          </Menu>
        </nav>
        <div className={s.tools}>
          {!embedded && (
            <Menu
              checkedValues={{ theme: [preference] }}
              onCheckedValueChange={(_, d) => onPreference((d.checkedItems[0] ?? "system") as ThemePreference)}
            >
              <MenuTrigger disableButtonEnhancement>
                <Button
                  appearance="subtle"
                  aria-label={`Theme: ${preference}`}
                  icon={mode === "dark" ? <WeatherMoonRegular /> : <WeatherSunnyRegular />}
                />
              </MenuTrigger>
              <MenuPopover>
                <MenuList>
                  <MenuItemRadio name="theme" value="system">Follow the system</MenuItemRadio>
                  <MenuItemRadio name="theme" value="light">Light</MenuItemRadio>
                  <MenuItemRadio name="theme" value="dark">Dark</MenuItemRadio>
                </MenuList>
              </MenuPopover>
            </Menu>
          )}
          <NavLink to="/profile" className={cls} title={`${me.display_name}: my profile`}>
            <PersonRegular aria-hidden />
            <Text size={200}>{me.display_name}</Text>
          </NavLink>
          {!embedded && (
            <Button appearance="subtle" aria-label="Sign out" icon={<SignOutRegular />} onClick={() => void signOut()} />
          )}
        </div>
      </header>
      <main className={s.main}>
        <ErrorBoundary resetKey={location.pathname}>
          {/* Pages load on first visit: the header stays while one does. */}
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </main>
    </>
  );
}
