// Bulk acknowledge / resolve of the selected incidents (alert storms). The API answers per id;
// what it refused is listed with its problem detail.
import { Button, MessageBar, MessageBarBody, makeStyles, tokens, Text } from "@fluentui/react-components";
import { CheckmarkCircleRegular, CheckmarkRegular } from "@fluentui/react-icons";
import { useBulkAction } from "../api/incidents";
import { ProblemBar } from "./States";

const useStyles = makeStyles({
  bar: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

function problemDetail(problem: Record<string, unknown> | null): string {
  const d = problem?.detail ?? problem?.title;
  return typeof d === "string" ? d : "refused";
}

export function BulkBar({ selected, onDone }: { selected: Set<string>; onDone: () => void }) {
  const s = useStyles();
  const bulk = useBulkAction();
  const ids = [...selected];
  const run = (action: "acknowledge" | "resolve") => bulk.mutate({ action, ids }, { onSuccess: onDone });
  const result = bulk.data;
  return (
    <>
      <div className={s.bar} role="group" aria-label="Bulk actions">
        <Text>{ids.length} selected</Text>
        <Button icon={<CheckmarkRegular />} disabled={!ids.length || bulk.isPending} onClick={() => run("acknowledge")}>
          Acknowledge selected
        </Button>
        <Button icon={<CheckmarkCircleRegular />} disabled={!ids.length || bulk.isPending} onClick={() => run("resolve")}>
          Resolve selected
        </Button>
      </div>
      {result && (
        <MessageBar intent={result.failed ? "warning" : "success"} politeness="polite">
          <MessageBarBody>
            {result.action}: {result.succeeded} done
            {result.failed ? `, ${result.failed} refused: ` : ""}
            {result.results
              .filter((r) => r.outcome === "problem")
              .map((r) => `${r.id} (${problemDetail(r.problem)})`)
              .join("; ")}
          </MessageBarBody>
        </MessageBar>
      )}
      <ProblemBar error={bulk.error} />
    </>
  );
}
