// Read-only text to paste elsewhere (a key, a URL, a sender's configuration) with a copy button.
import { Button, Caption1, Label, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import { CheckmarkRegular, CopyRegular } from "@fluentui/react-icons";
import { useId } from "react";
import { useCopy } from "../../hooks/useCopy";

const useStyles = makeStyles({
  block: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS, minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
  pre: {
    margin: 0,
    padding: tokens.spacingVerticalS,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    overflowX: "auto",
    whiteSpace: "pre",
    maxHeight: "320px",
    ":focus-visible": { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
  },
  inline: { whiteSpace: "pre-wrap", overflowWrap: "anywhere" },
  copied: { color: tokens.colorStatusSuccessForeground1 },
});

interface Props {
  label: string;
  text: string;
  /** One line (a key, a URL): wrap instead of scrolling sideways. */
  inline?: boolean;
  /** Show the label as a heading of this level (a sender's snippet in a list of them). */
  heading?: "h3" | "h4";
}

export function CopyBlock({ label, text, inline = false, heading }: Props) {
  const s = useStyles();
  const id = useId();
  const { state, copy: copyText } = useCopy();
  const copy = () => copyText(text);
  return (
    <div className={s.block}>
      <div className={s.head}>
        {heading ? (
          <Subtitle2 as={heading} id={`${id}-label`}>
            {label}
          </Subtitle2>
        ) : (
          <Label id={`${id}-label`}>{label}</Label>
        )}
        <span>
          <Caption1 aria-live="polite" className={state === "copied" ? s.copied : undefined}>
            {state === "copied" ? "Copied" : state === "failed" ? "Could not copy: select the text and copy it" : ""}
          </Caption1>{" "}
          <Button
            size="small"
            icon={state === "copied" ? <CheckmarkRegular /> : <CopyRegular />}
            onClick={() => void copy()}
            aria-label={`Copy ${label}`}
          >
            Copy
          </Button>
        </span>
      </div>
      {/* Focusable so a keyboard can scroll a long snippet; labelled by its heading. */}
      <pre className={inline ? `${s.pre} ${s.inline}` : s.pre} tabIndex={0} role="region" aria-labelledby={`${id}-label`}>
        {text}
      </pre>
    </div>
  );
}
