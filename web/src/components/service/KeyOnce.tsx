// The one answer that carries an integration's key (create, rotate): the key, the warning that
// it will not be shown again, and the setup with the key filled in. Held only in page state.
import { Button, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from "@fluentui/react-components";
import type { IntegrationCreated } from "../../api/services";
import { CopyBlock } from "./CopyBlock";
import { SetupView } from "./SetupView";

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
});

export function KeyOnce({ created, onDone }: { created: IntegrationCreated; onDone: () => void }) {
  const s = useStyles();
  return (
    <div className={s.box}>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Copy the key now</MessageBarTitle>
          You won't see it again: only its hash is kept. Lost it? Rotate the key to get a new one.
        </MessageBarBody>
      </MessageBar>
      <CopyBlock label="Integration key" text={created.key} inline />
      <SetupView setup={created.setup} headingLevel={4} />
      <div>
        <Button onClick={onDone}>I have copied it</Button>
      </div>
    </div>
  );
}
