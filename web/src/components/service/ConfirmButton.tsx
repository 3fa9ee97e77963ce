// A button whose action waits for a confirmation dialog (rotate a key, delete).
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
} from "@fluentui/react-components";
import { useState, type ReactElement, type ReactNode } from "react";

interface Props {
  /** The button's accessible name (and its text unless `text` is given or it is icon-only). */
  label: string;
  text?: string;
  icon?: ReactElement;
  title: string;
  confirm: string;
  onConfirm: () => void;
  disabled?: boolean;
  size?: "small" | "medium";
  children: ReactNode;
}

export function ConfirmButton({ label, text, icon, title, confirm, onConfirm, disabled, size = "medium", children }: Props) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button size={size} icon={icon} aria-label={text ? undefined : label} disabled={disabled}>
          {text}
        </Button>
      </DialogTrigger>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>{children}</DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button>Cancel</Button>
            </DialogTrigger>
            <Button
              appearance="primary"
              onClick={() => {
                setOpen(false);
                onConfirm();
              }}
            >
              {confirm}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
