// My contact methods: list, add, verify with the code the API sent, remove.
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Field,
  Input,
  Select,
  Subtitle1,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, DeleteRegular, ShieldCheckmarkRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useSession } from "../../api/context";
import {
  type ContactKind,
  type ContactMethod,
  useAddContactMethod,
  useContactMethods,
  useDeleteContactMethod,
  useVerifyContactMethod,
} from "../../api/people";
import { fieldMessage } from "../../api/problem";
import { Empty, Loading, ProblemBar } from "../States";
import { ConfirmDialog } from "./ConfirmDialog";

export const KIND_LABELS: Record<ContactKind, string> = {
  email: "E-mail",
  sms: "SMS",
  voice: "Voice call",
  teams: "Microsoft Teams",
  webhook: "Webhook",
  console: "Console log",
};
const ADDRESS_HINTS: Record<ContactKind, string> = {
  email: "An e-mail address; a code is sent to it.",
  sms: "A phone number in E.164 form, e.g. +4915112345678; a code is sent by SMS.",
  voice: "A phone number in E.164 form; a call reads the code out.",
  teams: "Your Entra object id (filled in: yours); the OpenAlert bot messages you 1:1.",
  webhook: "An https URL that receives JSON.",
  console: "No address: the message is written to the log (local runs).",
};

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  item: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  what: { display: "flex", flexDirection: "column", flexGrow: 1, minWidth: 0, overflowWrap: "anywhere" },
  form: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "flex-end" },
  grow: { flexGrow: 1, minWidth: "200px" },
});

function VerifyForm({ method, onDone }: { method: ContactMethod; onDone: () => void }) {
  const s = useStyles();
  const verify = useVerifyContactMethod();
  const [code, setCode] = useState("");
  return (
    <form
      className={s.form}
      onSubmit={(e) => {
        e.preventDefault();
        verify.mutate({ id: method.id, code: code.trim() }, { onSuccess: onDone });
      }}
    >
      <Field
        label={`Code sent to ${method.address}`}
        hint="6 digits, valid 15 minutes."
        validationMessage={fieldMessage(verify.error, "code")}
      >
        <Input value={code} onChange={(_, d) => setCode(d.value)} inputMode="numeric" autoComplete="one-time-code" />
      </Field>
      <Button type="submit" appearance="primary" icon={<ShieldCheckmarkRegular />} disabled={verify.isPending}>
        Verify
      </Button>
      {!fieldMessage(verify.error, "code") && <ProblemBar error={verify.error} />}
    </form>
  );
}

function MethodItem({ method, verifying, onVerify }: { method: ContactMethod; verifying: boolean; onVerify: (on: boolean) => void }) {
  const s = useStyles();
  const remove = useDeleteContactMethod();
  const [confirm, setConfirm] = useState(false);
  const name = `${KIND_LABELS[method.kind]} ${method.address}`.trim();
  return (
    <li className={s.item} aria-label={name}>
      <div className={s.what}>
        <Body1>
          {KIND_LABELS[method.kind]}
          {method.label && ` · ${method.label}`}
        </Body1>
        <Caption1>{method.address || "—"}</Caption1>
      </div>
      {method.verified ? (
        <Badge appearance="tint" color="success">
          Verified
        </Badge>
      ) : (
        <>
          <Badge appearance="tint" color="warning">
            Not verified
          </Badge>
          {!verifying && <Button onClick={() => onVerify(true)}>Enter code</Button>}
        </>
      )}
      <Button icon={<DeleteRegular />} aria-label={`Remove ${name}`} onClick={() => setConfirm(true)} />
      {verifying && !method.verified && <VerifyForm method={method} onDone={() => onVerify(false)} />}
      <ConfirmDialog
        open={confirm}
        title="Remove this contact method?"
        action="Remove"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => setConfirm(false)}
        onConfirm={() => remove.mutate(method.id, { onSuccess: () => setConfirm(false) })}
      >
        {name} will no longer be paged. Rules naming it then reach nobody there.
      </ConfirmDialog>
    </li>
  );
}

function AddForm({ onAdded }: { onAdded: (m: ContactMethod) => void }) {
  const s = useStyles();
  const { me } = useSession();
  const add = useAddContactMethod();
  const [kind, setKind] = useState<ContactKind>("email");
  const [address, setAddress] = useState("");
  const [label, setLabel] = useState("");
  return (
    <form
      className={s.form}
      aria-label="Add a contact method"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate(
          { kind, address: address.trim(), label: label.trim() },
          {
            onSuccess: (m) => {
              setAddress("");
              setLabel("");
              onAdded(m);
            },
          },
        );
      }}
    >
      <Field label="Kind" validationMessage={fieldMessage(add.error, "kind")}>
        <Select
          value={kind}
          onChange={(_, d) => {
            const next = d.value as ContactKind;
            setKind(next);
            if (next === "teams") setAddress(me.id);
          }}
        >
          {(Object.keys(KIND_LABELS) as ContactKind[]).map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </Select>
      </Field>
      {kind !== "console" && (
        <Field className={s.grow} label="Address" hint={ADDRESS_HINTS[kind]} validationMessage={fieldMessage(add.error, "address")}>
          <Input value={address} onChange={(_, d) => setAddress(d.value)} type={kind === "email" ? "email" : "text"} />
        </Field>
      )}
      <Field label="Label (optional)" validationMessage={fieldMessage(add.error, "label")}>
        <Input value={label} onChange={(_, d) => setLabel(d.value)} />
      </Field>
      <Button type="submit" appearance="primary" icon={<AddRegular />} disabled={add.isPending}>
        Add
      </Button>
      {!fieldMessage(add.error, "address") && !fieldMessage(add.error, "kind") && <ProblemBar error={add.error} />}
    </form>
  );
}

export function ContactMethods() {
  const s = useStyles();
  const methods = useContactMethods();
  const [verifying, setVerifying] = useState<string | null>(null);
  return (
    <section className={s.section} aria-labelledby="methods-title">
      <Subtitle1 as="h2" id="methods-title">
        Contact methods
      </Subtitle1>
      <Caption1>E-mail, SMS and voice numbers are paged only once verified with the code sent to them.</Caption1>
      <ProblemBar error={methods.error} />
      {methods.isPending ? (
        <Loading label="Loading contact methods…" />
      ) : !methods.data?.length ? (
        <Empty>No contact methods yet: pages reach you nowhere but the log.</Empty>
      ) : (
        <ul className={s.list} aria-label="My contact methods">
          {methods.data.map((m) => (
            <MethodItem key={m.id} method={m} verifying={verifying === m.id} onVerify={(on) => setVerifying(on ? m.id : null)} />
          ))}
        </ul>
      )}
      <AddForm onAdded={(m) => !m.verified && setVerifying(m.id)} />
    </section>
  );
}
