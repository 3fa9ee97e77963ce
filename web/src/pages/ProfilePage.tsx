// My profile: how I am paged (contact methods, rules and their preview), Teams, my calendar link.
import { Caption1, Divider, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { useSession } from "../api/context";
import { useContactMethods, useRules } from "../api/people";
import { ContactMethods } from "../components/people/ContactMethods";
import { CalendarLink, TeamsConnectionStatus } from "../components/people/ProfileExtras";
import { RulesEditor } from "../components/people/RulesEditor";
import { Loading, ProblemBar } from "../components/States";

const useStyles = makeStyles({
  // Fluent's Text is inline: stack the title and its caption.
  header: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXL, minWidth: 0 },
});

export function ProfilePage() {
  const s = useStyles();
  const { me } = useSession();
  const rules = useRules();
  const methods = useContactMethods();
  return (
    <section className={s.page} aria-labelledby="profile-title">
      <div className={s.header}>
        <Title2 as="h1" id="profile-title">
          My profile
        </Title2>
        <Caption1>
          {me.display_name} · {me.roles.length ? me.roles.map((r) => r.replace("OpenAlert.", "")).join(", ") : "no OpenAlert role"}
        </Caption1>
      </div>
      <ContactMethods />
      <Divider />
      <ProblemBar error={rules.error} />
      {rules.isPending || methods.isPending ? (
        <Loading label="Loading notification rules…" />
      ) : rules.data ? (
        <RulesEditor saved={rules.data} methods={methods.data ?? []} readOnly={me.roles.length === 0} />
      ) : null}
      <Divider />
      <TeamsConnectionStatus />
      <Divider />
      <CalendarLink />
    </section>
  );
}
