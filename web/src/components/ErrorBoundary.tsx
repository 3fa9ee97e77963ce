import { Component, type ErrorInfo, type ReactNode } from "react";
import { Button } from "@fluentui/react-components";
import { ProblemBar } from "./States";

interface State {
  error: unknown;
}

/** Catches render errors (and queries with throwOnError) and shows the problem's detail. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error };
  }

  componentDidUpdate(prev: { resetKey?: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error(error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div>
        <ProblemBar error={this.state.error} />
        <Button onClick={() => this.setState({ error: null })}>Try again</Button>
      </div>
    );
  }
}
