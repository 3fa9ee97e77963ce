// A wide table scrolls inside its own labelled, focusable region, never the page (360 px phones).
import { makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  region: {
    overflowX: "auto",
    maxWidth: "100%",
    ":focus-visible": { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
    // Columns keep a readable width; a narrow screen scrolls the region sideways instead.
    "& > table": { minWidth: "760px" },
    "& td": { overflowWrap: "anywhere" },
  },
});

export function ScrollRegion({ label, children }: { label: string; children: React.ReactNode }) {
  const s = useStyles();
  return (
    <div className={s.region} role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
