// A read-only value with a copy button (calendar links, API key secrets).
import { Button, Field, Input, makeStyles, tokens } from "@fluentui/react-components";
import { CheckmarkRegular, CopyRegular } from "@fluentui/react-icons";
import { useRef } from "react";
import { useCopy } from "../hooks/useCopy";

const useStyles = makeStyles({
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "flex-end" },
  input: { flexGrow: 1, minWidth: "0", maxWidth: "100%" },
});

export function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const s = useStyles();
  const input = useRef<HTMLInputElement>(null);
  const { state, copy: copyText } = useCopy();
  const copy = async () => {
    // Where copying is refused, select the text for Ctrl+C.
    if (!(await copyText(value))) input.current?.select();
  };
  return (
    <div className={s.row}>
      <Field
        className={s.input}
        label={label}
        hint={hint}
        validationState={state === "copied" ? "success" : state === "failed" ? "warning" : "none"}
        validationMessage={
          state === "copied" ? "Copied." : state === "failed" ? "Copying is not allowed here: the text is selected, press Ctrl+C." : undefined
        }
      >
        <Input ref={input} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      </Field>
      <Button icon={state === "copied" ? <CheckmarkRegular /> : <CopyRegular />} onClick={copy} aria-label={`Copy ${label}`}>
        Copy
      </Button>
    </div>
  );
}
