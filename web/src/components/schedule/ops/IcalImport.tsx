// Import an external calendar (an .ics file, or a URL the server reads) as overrides: the API's dry
// run shows what would be created and what is skipped and why; Import then writes exactly that.
import {
  Badge,
  Body1,
  Button,
  Field,
  Input,
  Radio,
  RadioGroup,
  MessageBar,
  MessageBarBody,
  Select,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowImportRegular, EyeRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { fieldMessage } from "../../../api/problem";
import { nameOf, useIcalImport, type IcalImportBody, type ImportResult } from "../../../api/scheduleOps";
import { useMembers } from "../../../api/people";
import type { Schedule } from "../../../pages/schedule/types";
import { Empty, ProblemBar } from "../../States";
import { ZonedRange } from "./ZonedTime";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  form: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", gap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalS },
  field: { flexBasis: "200px", minWidth: 0, maxWidth: "420px", flexGrow: 1 },
  file: { fontFamily: tokens.fontFamilyBase, fontSize: tokens.fontSizeBase300, color: tokens.colorNeutralForeground1, maxWidth: "100%" },
  scroll: { overflowX: "auto", maxWidth: "100%" },
  table: { minWidth: "520px" },
});

type Options = Pick<IcalImportBody, "days" | "all_day">;

export function IcalImport({ schedule }: { schedule: Schedule }) {
  const s = useStyles();
  const members = useMembers(schedule.team_id);
  const preview = useIcalImport(schedule.id);
  const commit = useIcalImport(schedule.id);
  const [source, setSource] = useState<"file" | "url">("file");
  const [ics, setIcs] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [fileName, setFileName] = useState("");
  const [options, setOptions] = useState<Options>({ days: 90, all_day: "import" });
  const body = (dryRun: boolean): IcalImportBody =>
    source === "file" ? { ics: ics ?? "", url: null, ...options, dry_run: dryRun } : { ics: null, url, ...options, dry_run: dryRun };
  const ready = source === "file" ? ics !== null : url.trim() !== "";
  // A changed file or option makes the preview stale: it must be looked at again before importing.
  const reset = () => {
    preview.reset();
    commit.reset();
  };
  const result = preview.data;
  return (
    <section className={s.section} aria-labelledby="ical-import-title">
      <Subtitle1 as="h2" id="ical-import-title">
        Import a calendar
      </Subtitle1>
      <Body1>
        Each event becomes an override for the person it names (our user id, an attendee&apos;s e-mail, or an e-mail or user id as
        its title). A new import replaces the overrides of the previous one in the same window.
      </Body1>
      <form
        className={s.form}
        onSubmit={(e) => {
          e.preventDefault();
          preview.mutate(body(true));
        }}
      >
        <Field className={s.field} label="Import from">
          <RadioGroup
            layout="horizontal"
            value={source}
            onChange={(_, d) => {
              reset();
              setIcs(null); // the file input is drawn anew, empty
              setFileName("");
              setSource(d.value as "file" | "url");
            }}
          >
            <Radio value="file" label="A file" />
            <Radio value="url" label="A URL" />
          </RadioGroup>
        </Field>
        {source === "file" ? (
          <Field className={s.field} label="Calendar file (.ics)" validationMessage={fieldMessage(preview.error, "ics")}>
            {/* A native file input (Fluent has none): the render function gives it the Field's id
                and ARIA attributes, so its label and messages reach it. */}
            {(fieldProps) => (
              <input
                {...fieldProps}
                className={s.file}
                type="file"
                accept=".ics,text/calendar"
                onChange={async (e) => {
                  const file = e.currentTarget.files?.[0];
                  reset();
                  setFileName(file?.name ?? "");
                  setIcs(file ? await file.text() : null);
                }}
              />
            )}
          </Field>
        ) : (
          <Field
            className={s.field}
            label="Calendar URL"
            hint="https; the server reads it once"
            validationMessage={fieldMessage(preview.error, "url") ?? fieldMessage(commit.error, "url")}
          >
            <Input
              type="url"
              value={url}
              onChange={(_, d) => {
                reset();
                setUrl(d.value);
              }}
            />
          </Field>
        )}
        <Field className={s.field} label="How far ahead" validationMessage={fieldMessage(preview.error, "days")}>
          <Select
            value={String(options.days)}
            onChange={(_, d) => {
              reset();
              setOptions({ ...options, days: Number(d.value) });
            }}
          >
            <option value="30">30 days</option>
            <option value="90">90 days</option>
            <option value="180">180 days</option>
            <option value="366">A year</option>
          </Select>
        </Field>
        <Field className={s.field} label="All-day events">
          <Select
            value={options.all_day}
            onChange={(_, d) => {
              reset();
              setOptions({ ...options, all_day: d.value as Options["all_day"] });
            }}
          >
            <option value="import">Import as whole days</option>
            <option value="skip">Skip them</option>
          </Select>
        </Field>
        <Button type="submit" icon={<EyeRegular />} disabled={!ready || preview.isPending}>
          Preview import
        </Button>
      </form>
      <ProblemBar error={["ics", "url", "days"].some((f) => fieldMessage(preview.error, f)) ? null : preview.error} />
      {result && <ImportPreview result={result} schedule={schedule} names={(id) => nameOf(members.data, id)} file={fileName} />}
      {result && !commit.data && (
        <div>
          <Button appearance="primary" icon={<ArrowImportRegular />} disabled={commit.isPending} onClick={() => commit.mutate(body(false))}>
            Import {result.created.length} override{result.created.length === 1 ? "" : "s"}
          </Button>
        </div>
      )}
      <ProblemBar error={fieldMessage(commit.error, "url") ? null : commit.error} />
      {commit.data && (
        <MessageBar intent="success" politeness="polite">
          <MessageBarBody>
            Imported {commit.data.created.length} override{commit.data.created.length === 1 ? "" : "s"} ({commit.data.merged} already there,{" "}
            {commit.data.skipped} skipped).
          </MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}

function ImportPreview({
  result,
  schedule,
  names,
  file,
}: {
  result: ImportResult;
  schedule: Schedule;
  names: (id: string) => string;
  file: string;
}) {
  const s = useStyles();
  const skipped = result.events.filter((e) => e.outcome !== "imported");
  return (
    <>
      <Subtitle1 as="h3" id="ical-created-title">
        What will be created{file ? ` from ${file}` : ""}
      </Subtitle1>
      {result.created.length === 0 ? (
        <Empty>Nothing new: the import would add no override.</Empty>
      ) : (
        <div className={s.scroll} role="region" aria-label="Overrides the import creates" tabIndex={0}>
          <Table className={s.table} aria-labelledby="ical-created-title" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Who</TableHeaderCell>
                <TableHeaderCell>When</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {result.created.map((o) => (
                <TableRow key={`${o.user}-${o.start}`}>
                  <TableCell>{names(o.user)}</TableCell>
                  <TableCell>
                    <ZonedRange start={o.start} end={o.end} zone={schedule.time_zone} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {skipped.length > 0 && (
        <>
          <Subtitle1 as="h3" id="ical-skipped-title">
            Left out
          </Subtitle1>
          <div className={s.scroll} role="region" aria-label="Events the import leaves out" tabIndex={0}>
            <Table className={s.table} aria-labelledby="ical-skipped-title" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Event</TableHeaderCell>
                  <TableHeaderCell>Outcome</TableHeaderCell>
                  <TableHeaderCell>Why</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {skipped.map((e) => (
                  <TableRow key={e.uid}>
                    <TableCell>{e.summary || e.uid}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={e.outcome === "merged" ? "informative" : "warning"}>
                        {e.outcome === "merged" ? "Already there" : "Skipped"}
                      </Badge>
                    </TableCell>
                    <TableCell>{e.reason ?? ""}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </>
      )}
    </>
  );
}
