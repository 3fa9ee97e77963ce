// Administration: teams, members and their team roles, API keys, users. The tab (and the team on
// the Members tab) live in the URL, so a link lands on the same view.
import { Caption1, Tab, TabList, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { useSearchParams } from "react-router";
import { KeysTab } from "../components/people/admin/KeysTab";
import { MembersTab } from "../components/people/admin/MembersTab";
import { TeamsTab } from "../components/people/admin/TeamsTab";
import { UsersTab } from "../components/people/admin/UsersTab";

const TABS = { teams: "Teams", members: "Members", keys: "API keys", users: "Users" } as const;
type TabName = keyof typeof TABS;

const useStyles = makeStyles({
  // Fluent's Text is inline: stack the title and its caption.
  header: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  tabs: { flexWrap: "wrap" },
});

export function AdminPage() {
  const s = useStyles();
  const [params, setParams] = useSearchParams();
  const raw = params.get("tab");
  const tab: TabName = raw && raw in TABS ? (raw as TabName) : "teams";
  const go = (next: TabName, team?: string) => {
    const p = new URLSearchParams();
    if (next !== "teams") p.set("tab", next);
    if (team) p.set("team", team);
    setParams(p);
  };
  return (
    <section className={s.page} aria-labelledby="admin-title">
      <div className={s.header}>
        <Title2 as="h1" id="admin-title">
          Administration
        </Title2>
        <Caption1>Teams, people and API keys. What you may change depends on your role; the API has the last word.</Caption1>
      </div>
      <TabList className={s.tabs} selectedValue={tab} onTabSelect={(_, d) => go(d.value as TabName)} aria-label="Administration sections">
        {(Object.keys(TABS) as TabName[]).map((t) => (
          <Tab key={t} value={t} id={`admin-tab-${t}`}>
            {TABS[t]}
          </Tab>
        ))}
      </TabList>
      <div role="tabpanel" aria-labelledby={`admin-tab-${tab}`}>
        {tab === "teams" && <TeamsTab onMembers={(id) => go("members", id)} />}
        {tab === "members" && <MembersTab teamId={params.get("team") ?? undefined} onTeam={(id) => go("members", id)} />}
        {tab === "keys" && <KeysTab />}
        {tab === "users" && <UsersTab />}
      </div>
    </section>
  );
}
