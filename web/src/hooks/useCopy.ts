// Copy to the clipboard, with the state a button shows; "copied" falls back to "idle" after a while.
import { useEffect, useState } from "react";

export type CopyState = "idle" | "copied" | "failed";

export function useCopy(resetMs = 4_000): { state: CopyState; copy: (text: string) => Promise<boolean> } {
  const [state, setState] = useState<CopyState>("idle");
  useEffect(() => {
    if (state === "idle") return;
    const t = setTimeout(() => setState("idle"), resetMs);
    return () => clearTimeout(t);
  }, [state, resetMs]);
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
      return true;
    } catch {
      // No clipboard (an insecure origin, a refused permission): callers leave the text selectable.
      setState("failed");
      return false;
    }
  };
  return { state, copy };
}
