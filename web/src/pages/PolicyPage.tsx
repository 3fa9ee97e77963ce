// One escalation policy (or a new one at /escalation-policies/new): the step editor, its saved
// versions, and who it would page when — every rule and answer from the API.
import { Body1, Caption1, MessageBar, MessageBarBody, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useNames, useTeams, useUsers } from "../api/catalog";
import { useSession } from "../api/context";
import { canConfigure, canConfigureAny } from "../api/rights";
import { usePolicy, useSavePolicy, useWebhookChoices, type Policy } from "../api/policies";
import { useSchedules } from "../api/scheduleEditor";
import { Loading, ProblemBar } from "../components/States";
import { emptyDraft, fromPolicy, toBody, type Draft } from "../components/policy/draft";
import { PolicyForm } from "../components/policy/PolicyForm";
import { PolicySummary } from "../components/policy/PolicySummary";
import { PreviewPanel } from "../components/policy/PreviewPanel";
import type { Choices } from "../components/policy/StepFields";
import { VersionsPanel } from "../components/policy/VersionsPanel";
import { viewerZone } from "../time";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  columns: {
    display: "grid",
    gap: tokens.spacingHorizontalXXL,
    gridTemplateColumns: "minmax(0, 1fr)",
    "@media (min-width: 1100px)": { gridTemplateColumns: "minmax(0, 3fr) minmax(0, 2fr)" },
  },
  link: { color: tokens.colorBrandForegroundLink, alignSelf: "flex-start" },
  side: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXL, minWidth: 0 },
});

const same = (a: Draft, b: Draft) => JSON.stringify(toBody(a)) === JSON.stringify(toBody(b));

function useChoices(): Choices & { name: (id: string) => string } {
  const users = useUsers().data ?? [];
  const teams = useTeams().data ?? [];
  const schedules = useSchedules().data ?? [];
  const webhooks = useWebhookChoices().data ?? [];
  const known = useNames();
  return useMemo(() => {
    const more = new Map<string, string>([...schedules.map((x) => [x.id, x.name] as const), ...webhooks.map((w) => [w.id, w.name] as const)]);
    const sorted = [...users].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
    return { users: sorted, teams, schedules, webhooks, name: (id: string) => more.get(id) ?? known(id) };
  }, [users, teams, schedules, webhooks, known]);
}

/** The editor over a loaded (or new) policy; `saved` is null for a new one. */
function Editor({ saved, etag, initial }: { saved: Policy | null; etag: string | null; initial: Draft }) {
  const s = useStyles();
  const { me } = useSession();
  const navigate = useNavigate();
  const choices = useChoices();
  const [draft, setDraft] = useState(initial);
  const [restored, setRestored] = useState<number | null>(null);
  const save = useSavePolicy(saved ? { id: saved.id, etag } : null);
  const base = useMemo(() => (saved ? fromPolicy(saved) : null), [saved]);
  const dirty = !base || !same(draft, base);
  // A new policy's team is being picked: any team the caller configures will do for the form.
  const editable = saved ? canConfigure(me, saved.team_id) : canConfigureAny(me);
  const zone = viewerZone();
  const body = useMemo(() => toBody(draft), [draft]);
  const onSave = () =>
    save.mutate(body, {
      onSuccess: (policy) => {
        setRestored(null);
        if (!saved) navigate(`/escalation-policies/${policy.id}`, { replace: true });
        else setDraft(fromPolicy(policy));
      },
    });
  const discard = () => {
    if (base) setDraft(base);
    setRestored(null);
    save.reset();
  };
  return (
    <div className={s.columns}>
      <div className={s.page}>
        {restored !== null && (
          <MessageBar intent="info">
            <MessageBarBody>Version {restored} is loaded into the editor; save to make it the current version.</MessageBarBody>
          </MessageBar>
        )}
        {editable ? (
          <PolicyForm
            draft={draft}
            teams={choices.teams}
            choices={choices}
            zone={zone}
            error={save.error}
            saving={save.isPending}
            dirty={dirty}
            onChange={setDraft}
            onSave={onSave}
            onDiscard={base ? discard : null}
          />
        ) : saved ? (
          <PolicySummary policy={saved} name={choices.name} />
        ) : (
          <Body1>Only an administrator of a team can create its escalation policies.</Body1>
        )}
      </div>
      <div className={s.side}>
        {(saved || editable) && <PreviewPanel policyId={saved?.id} draft={editable && dirty ? body : null} />}
        {saved && (
          <VersionsPanel
            policyId={saved.id}
            current={saved.version}
            canRestore={editable}
            name={choices.name}
            onRestore={(version) => {
              setDraft(fromPolicy(version));
              setRestored(version.version);
            }}
          />
        )}
      </div>
    </div>
  );
}

export function PolicyPage() {
  const s = useStyles();
  const { id } = useParams();
  const isNew = id === "new";
  const policy = usePolicy(isNew ? undefined : id);
  const teams = useTeams();
  const { me } = useSession();
  const loaded = policy.data?.policy;
  const title = isNew ? "New escalation policy" : (loaded?.name ?? "Escalation policy");
  const firstTeam = teams.data?.find((t) => canConfigure(me, t.id))?.id ?? "";
  return (
    <section className={s.page} aria-labelledby="policy-title">
      <Link className={s.link} to="/escalation-policies">
        All escalation policies
      </Link>
      <Title2 as="h1" id="policy-title">
        {title}
      </Title2>
      {loaded && (
        <Caption1>
          Version {loaded.version}; an incident keeps the version it started with.
        </Caption1>
      )}
      <ProblemBar error={policy.error} />
      {isNew ? (
        teams.isPending ? (
          <Loading label="Loading teams…" />
        ) : (
          <Editor saved={null} etag={null} initial={emptyDraft(firstTeam)} />
        )
      ) : policy.isPending ? (
        <Loading label="Loading the policy…" />
      ) : loaded ? (
        <Editor key={loaded.id} saved={loaded} etag={policy.data?.etag ?? null} initial={fromPolicy(loaded)} />
      ) : null}
    </section>
  );
}
