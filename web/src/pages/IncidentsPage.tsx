// Incidents: filters, counts per status, the polled list with continuation paging, bulk actions.
import { Button, Text, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { canAct, useSession } from "../api/context";
import { useIncidentList } from "../api/incidents";
import { useNames, useServices, useTeams } from "../api/catalog";
import { useIncidentFilters } from "../hooks/useIncidentFilters";
import { IncidentFilterBar } from "../components/IncidentFilterBar";
import { IncidentTable } from "../components/IncidentTable";
import { BulkBar } from "../components/BulkBar";
import { StatusCounts } from "../components/StatusCounts";
import { Empty, Loading, ProblemBar } from "../components/States";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  pager: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
});

export function IncidentsPage() {
  const s = useStyles();
  const { me } = useSession();
  const [filters, setFilters] = useIncidentFilters();
  // Continuation tokens of the pages before this one; [] is the first page.
  const [pages, setPages] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const continuation = pages.at(-1);
  const list = useIncidentList(filters, continuation);
  const teams = useTeams();
  const services = useServices();
  const name = useNames();
  const actor = canAct(me);
  const items = list.data?.items ?? [];
  const change = (f: typeof filters) => {
    setPages([]);
    setSelected(new Set());
    setFilters(f);
  };
  return (
    <section className={s.page} aria-labelledby="incidents-title">
      <Title2 as="h1" id="incidents-title">
        Incidents
      </Title2>
      <StatusCounts filters={filters} onPick={(status) => change({ ...filters, status: [status] })} />
      <IncidentFilterBar value={filters} onChange={change} teams={teams.data ?? []} services={services.data ?? []} />
      {actor && <BulkBar selected={selected} onDone={() => setSelected(new Set())} />}
      <ProblemBar error={list.error} />
      {list.isPending ? (
        <Loading label="Loading incidents…" />
      ) : items.length === 0 ? (
        <Empty>No incidents match these filters.</Empty>
      ) : (
        <IncidentTable items={items} selected={selected} onSelect={setSelected} selectable={actor} name={name} />
      )}
      <div className={s.pager}>
        <Button disabled={pages.length === 0} onClick={() => setPages([])}>
          First page
        </Button>
        <Button
          disabled={!list.data?.continuation}
          onClick={() => list.data?.continuation && setPages([...pages, list.data.continuation])}
        >
          Next page
        </Button>
        {pages.length > 0 && <Text>Page {pages.length + 1}</Text>}
      </div>
    </section>
  );
}
