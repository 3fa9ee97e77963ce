// Loading, empty and error states shared by every page.
import { MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { describeError } from "../api/problem";

const useStyles = makeStyles({
  empty: { padding: tokens.spacingVerticalXXL, textAlign: "center", color: tokens.colorNeutralForeground3 },
});

export function Loading({ label = "Loading…" }: { label?: string }) {
  return <Spinner label={label} size="small" />;
}

export function Empty({ children }: { children: React.ReactNode }) {
  const s = useStyles();
  return (
    <div className={s.empty}>
      <Text>{children}</Text>
    </div>
  );
}

/** An error as a message bar: the API's problem+json `detail` when there is one. */
export function ProblemBar({ error }: { error: unknown }) {
  if (!error) return null;
  const { title, detail } = describeError(error);
  return (
    <MessageBar intent="error" politeness="assertive" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {detail}
      </MessageBarBody>
    </MessageBar>
  );
}
