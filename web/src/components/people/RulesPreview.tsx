// The server's answer to "a page arrives now": who hears it where, and when.
import { Badge, Body1, Caption1, MessageBar, MessageBarBody, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import type { PersonPlan, RulesPreview as Preview } from "../../api/people";
import { formatTime } from "../../time";
import { KIND_LABELS } from "./ContactMethods";

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  plans: { display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(260px, 1fr))", gap: tokens.spacingHorizontalL },
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  item: { display: "flex", flexDirection: "column", overflowWrap: "anywhere" },
});

const SET_NAMES: Record<PersonPlan["rule_set"], string> = {
  default: "your default rules",
  important: "your high-urgency rules",
  fallback: "the fallback: every usable method now and again after 5 minutes",
};

function minutes(m: number): string {
  return m === 0 ? "At once" : `After ${m} min`;
}

function Plan({ id, title, plan }: { id: string; title: string; plan: PersonPlan }) {
  const s = useStyles();
  return (
    <section className={s.box} aria-labelledby={id}>
      <Subtitle2 as="h3" id={id}>
        {title}
      </Subtitle2>
      <Caption1>Uses {SET_NAMES[plan.rule_set]}.</Caption1>
      {plan.note && <Body1>{plan.note}</Body1>}
      <ol className={s.list} aria-label={`${title}: deliveries`}>
        {plan.deliveries.map((d, n) => (
          <li key={n} className={s.item}>
            <Body1>
              {minutes(d.after_minutes)} ({formatTime(d.at)}): {d.methods.map((m) => `${KIND_LABELS[m.kind]}${m.label ? ` (${m.label})` : ""}`).join(", ")}
            </Body1>
            {d.held_by_quiet_hours && (
              <div>
                <Badge appearance="tint" color="informative">
                  Held by quiet hours
                </Badge>
              </div>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function RulesPreview({ preview, draft, describe }: { preview: Preview; draft: boolean; describe: (contact: string) => string }) {
  const s = useStyles();
  return (
    <section className={s.box} aria-labelledby="preview-title">
      <Subtitle2 as="h2" id="preview-title">
        If a page arrives now ({draft ? "your unsaved changes" : "your saved rules"})
      </Subtitle2>
      {preview.unmatched.length > 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>
            These contacts reach none of your verified methods, so their steps page nobody: {preview.unmatched.map(describe).join(", ")}.
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={s.plans}>
        <Plan id="preview-important" title="A P1 (high-urgency step)" plan={preview.important} />
        <Plan id="preview-default" title="Any other page" plan={preview.default} />
      </div>
      <Caption1>Escalation steps marked high urgency (as P1 policies' are) use the high-urgency rules; the others the default ones.</Caption1>
    </section>
  );
}
