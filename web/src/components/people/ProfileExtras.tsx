// My Teams connection (what the bot knows) and my calendar subscription link.
import { Badge, Body1, Button, Caption1, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import { CalendarLtrRegular } from "@fluentui/react-icons";
import { useCalendarLink, useTeamsConnection } from "../../api/people";
import { formatTime } from "../../time";
import { Loading, ProblemBar } from "../States";
import { CopyField } from "../CopyField";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0, maxWidth: "720px" },
  status: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS },
});

export function TeamsConnectionStatus() {
  const s = useStyles();
  const teams = useTeamsConnection();
  const c = teams.data;
  return (
    <section className={s.section} aria-labelledby="teams-title">
      <Subtitle1 as="h2" id="teams-title">
        Microsoft Teams
      </Subtitle1>
      <ProblemBar error={teams.error} />
      {teams.isPending ? (
        <Loading label="Loading Teams connection…" />
      ) : c ? (
        <>
          <div className={s.status}>
            {!c.bot_enabled ? (
              <Badge appearance="tint" color="subtle">
                Teams bot not set up
              </Badge>
            ) : c.connected ? (
              <Badge appearance="tint" color="success">
                Connected
              </Badge>
            ) : (
              <Badge appearance="tint" color="warning">
                Not connected
              </Badge>
            )}
            {c.connected && c.since && <Caption1>Chat with the OpenAlert bot known since {formatTime(c.since)}.</Caption1>}
          </div>
          <Body1>
            {!c.bot_enabled
              ? "This OpenAlert runs without its Teams bot, so nothing is sent to Teams; an administrator sets it up (docs/teams.md)."
              : c.connected
                ? "The OpenAlert bot can message you in Teams: add a Microsoft Teams contact method to be paged there."
                : "The OpenAlert bot has no chat with you yet: install the OpenAlert app in Teams, or add a Microsoft Teams contact method and the bot opens one on the first page."}
          </Body1>
        </>
      ) : null}
    </section>
  );
}

export function CalendarLink() {
  const s = useStyles();
  const link = useCalendarLink();
  return (
    <section className={s.section} aria-labelledby="calendar-title">
      <Subtitle1 as="h2" id="calendar-title">
        Calendar subscription
      </Subtitle1>
      <Body1>Your shifts in Outlook or any calendar app. A new link replaces the previous one.</Body1>
      <div>
        <Button icon={<CalendarLtrRegular />} onClick={() => link.mutate()} disabled={link.isPending}>
          {link.data ? "Get a new link" : "Get my calendar link"}
        </Button>
      </div>
      {link.data && <CopyField label="Subscription URL" hint="Keep it secret: anyone with it sees your shifts." value={link.data} />}
      <ProblemBar error={link.error} />
    </section>
  );
}
