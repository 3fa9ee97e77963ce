// Filters of the incident list: status, severity, team, service, assigned to me, and title search.
import { Dropdown, Option, SearchBox, Switch, makeStyles, tokens } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { SEVERITIES, STATUSES, type IncidentFilters, type IncidentStatus } from "../api/incidents";
import type { Service, Team } from "../api/catalog";

const useStyles = makeStyles({
  bar: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  field: { minWidth: "0", maxWidth: "100%", width: "160px" },
  search: { minWidth: "0", maxWidth: "100%", width: "240px" },
});

interface Props {
  value: IncidentFilters;
  onChange: (f: IncidentFilters) => void;
  teams: Team[];
  services: Service[];
}

export function IncidentFilterBar({ value, onChange, teams, services }: Props) {
  const s = useStyles();
  const [text, setText] = useState(value.q ?? "");
  // Search as the person types, once they pause, without a request per keystroke.
  useEffect(() => {
    const t = window.setTimeout(() => {
      if ((value.q ?? "") !== text) onChange({ ...value, q: text || undefined });
    }, 300);
    return () => window.clearTimeout(t);
  }, [text]);
  const teamName = teams.find((t) => t.id === value.team_id)?.name ?? "";
  const serviceName = services.find((x) => x.id === value.service_id)?.name ?? "";
  return (
    <div className={s.bar} role="search">
      <SearchBox
        className={s.search}
        aria-label="Search titles"
        placeholder="Search titles"
        value={text}
        onChange={(_, d) => setText(d.value)}
      />
      <Dropdown
        className={s.field}
        aria-label="Status"
        multiselect
        placeholder="Any status"
        selectedOptions={value.status}
        value={value.status.join(", ")}
        onOptionSelect={(_, d) => onChange({ ...value, status: d.selectedOptions as IncidentStatus[] })}
      >
        {STATUSES.map((st) => (
          <Option key={st} value={st}>
            {st}
          </Option>
        ))}
      </Dropdown>
      <Dropdown
        className={s.field}
        aria-label="Severity"
        multiselect
        placeholder="Any severity"
        selectedOptions={value.severity}
        value={value.severity.join(", ")}
        onOptionSelect={(_, d) => onChange({ ...value, severity: d.selectedOptions })}
      >
        {SEVERITIES.map((sev) => (
          <Option key={sev} value={sev}>
            {sev}
          </Option>
        ))}
      </Dropdown>
      <Dropdown
        className={s.field}
        aria-label="Team"
        placeholder="Any team"
        selectedOptions={value.team_id ? [value.team_id] : [""]}
        value={teamName}
        onOptionSelect={(_, d) => onChange({ ...value, team_id: d.optionValue || undefined })}
      >
        <Option value="">Any team</Option>
        {teams.map((t) => (
          <Option key={t.id} value={t.id}>
            {t.name}
          </Option>
        ))}
      </Dropdown>
      <Dropdown
        className={s.field}
        aria-label="Service"
        placeholder="Any service"
        selectedOptions={value.service_id ? [value.service_id] : [""]}
        value={serviceName}
        onOptionSelect={(_, d) => onChange({ ...value, service_id: d.optionValue || undefined })}
      >
        <Option value="">Any service</Option>
        {services.map((x) => (
          <Option key={x.id} value={x.id}>
            {x.name}
          </Option>
        ))}
      </Dropdown>
      <Switch
        label="Assigned to me"
        checked={!!value.mine}
        onChange={(_, d) => onChange({ ...value, mine: d.checked || undefined })}
      />
    </div>
  );
}
