// What the Teams tab shows before the console itself: connecting to Teams, a sign-in the host
// could not do silently, or (framed by a page that is not Teams) what this address is for.
import { Button, Link, Text, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { OpenRegular, PersonRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { Loading, ProblemBar } from "../components/States";

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalXL,
    maxWidth: "560px",
    boxSizing: "border-box",
  },
  actions: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalM },
});

export type TabStatus = "connecting" | "sign-in" | "not-in-teams";

interface Props {
  status: TabStatus;
  /** The interactive sign-in (Teams' own dialog with nested app auth, else a popup); resolves
   * once signed in, when the tab goes on to the console. */
  onSignIn?: () => Promise<void>;
}

/** The console's own address, for opening it in a browser instead of the tab. */
const consoleUrl = () => new URL("/incidents", window.location.origin).href;

export function TabPage({ status, onSignIn }: Props) {
  const s = useStyles();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (status === "connecting") {
    return (
      <main className={s.page}>
        <Loading label="Connecting to Microsoft Teams…" />
      </main>
    );
  }
  const inBrowser = (
    <Link href={consoleUrl()} target="_blank" rel="noopener">
      Open OpenAlert in the browser <OpenRegular aria-hidden />
    </Link>
  );
  if (status === "not-in-teams") {
    return (
      <main className={s.page}>
        <Title2 as="h1">OpenAlert for Microsoft Teams</Title2>
        <Text>
          This address is OpenAlert&apos;s tab in Microsoft Teams, and Teams did not answer here. Add the OpenAlert app in
          Teams, or use the console in the browser.
        </Text>
        <div className={s.actions}>{inBrowser}</div>
      </main>
    );
  }
  const signIn = async () => {
    setBusy(true);
    setError(null);
    try {
      await onSignIn?.();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className={s.page}>
      <Title2 as="h1">Sign in to OpenAlert</Title2>
      <Text>Teams could not sign you in to OpenAlert on its own: sign in to continue.</Text>
      <ProblemBar error={error} />
      <div className={s.actions}>
        <Button appearance="primary" icon={<PersonRegular />} disabled={busy} onClick={() => void signIn()}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
        {inBrowser}
      </div>
    </main>
  );
}
