// A policy's saved versions: read one as it was, and load it into the editor to save it again
// (restoring is a new version; history is never rewritten).
import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Subtitle1,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { HistoryRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { usePolicyVersion, usePolicyVersions, type Policy } from "../../api/policies";
import { formatTime } from "../../time";
import { Loading, ProblemBar } from "../States";
import { PolicySummary } from "./PolicySummary";

const useStyles = makeStyles({
  panel: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  list: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  item: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS, justifyContent: "space-between" },
});

function VersionDialog({ policyId, version, canRestore, name, onRestore, onClose }: {
  policyId: string;
  version: number | null;
  canRestore: boolean;
  name: (id: string) => string;
  onRestore: (policy: Policy) => void;
  onClose: () => void;
}) {
  const found = usePolicyVersion(policyId, version);
  return (
    <Dialog open={version !== null} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>
            Version {version}
            {found.data ? `: ${found.data.name}` : ""}
          </DialogTitle>
          <DialogContent>
            <ProblemBar error={found.error} />
            {found.isPending && <Loading label="Loading the version…" />}
            {found.data && <PolicySummary policy={found.data} name={name} />}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
            {canRestore && found.data && (
              <Button appearance="primary" onClick={() => onRestore(found.data)}>
                Restore this version
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

export function VersionsPanel({ policyId, current, canRestore, name, onRestore }: {
  policyId: string;
  current: number;
  canRestore: boolean;
  name: (id: string) => string;
  onRestore: (policy: Policy) => void;
}) {
  const s = useStyles();
  const versions = usePolicyVersions(policyId);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section className={s.panel} aria-labelledby="versions-title">
      <Subtitle1 as="h2" id="versions-title">
        Versions
      </Subtitle1>
      <ProblemBar error={versions.error} />
      {versions.isPending ? (
        <Loading label="Loading versions…" />
      ) : (
        <ul className={s.list} aria-label="Saved versions">
          {(versions.data ?? []).map((v) => (
            <li key={v.version} className={s.item}>
              <span>
                <Text weight="semibold">
                  Version {v.version}
                  {v.version === current ? " (current)" : ""}
                </Text>{" "}
                <Caption1>
                  {v.name}, {v.steps} steps{v.updated_at ? `, ${formatTime(v.updated_at)}` : ""}
                </Caption1>
              </span>
              <Button icon={<HistoryRegular />} size="small" onClick={() => setOpen(v.version)}>
                View version {v.version}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <VersionDialog
        policyId={policyId}
        version={open}
        canRestore={canRestore}
        name={name}
        onClose={() => setOpen(null)}
        onRestore={(policy) => {
          setOpen(null);
          onRestore(policy);
        }}
      />
    </section>
  );
}
