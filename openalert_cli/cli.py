"""``openalert``: the command line. Today one command, ``openalert import opsgenie``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx

from openalert_cli.api import OpenAlert, Refused
from openalert_cli.opsgenie import account
from openalert_cli.opsgenie.client import REGIONS, Opsgenie, OpsgenieError
from openalert_cli.opsgenie.importer import Importer, Options
from openalert_cli.opsgenie.me import import_me
from openalert_cli.opsgenie.plan import Plan
from openalert_cli.opsgenie.verify import compare


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="openalert")
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import configuration from another tool")
    src = imp.add_subparsers(dest="source", required=True)
    o = src.add_parser("opsgenie", help="import an Opsgenie account")
    o.add_argument(
        "--opsgenie-key",
        default=os.environ.get("OPSGENIE_API_KEY"),
        help="API key with read and configuration access (env OPSGENIE_API_KEY)",
    )
    o.add_argument("--region", choices=sorted(REGIONS), default="us")
    o.add_argument("--opsgenie-url", help="Opsgenie API base URL (overrides --region)")
    o.add_argument(
        "--openalert-url",
        default=os.environ.get("OPENALERT_URL"),
        help="the deployment's base URL, e.g. https://oa.example.com (env OPENALERT_URL)",
    )
    o.add_argument(
        "--openalert-token",
        default=os.environ.get("OPENALERT_TOKEN"),
        help="an OpenAlert API key (oa_...) with write scope, or an Entra access token "
        "(env OPENALERT_TOKEN)",
    )
    o.add_argument("--team", action="append", default=[], help="only this Opsgenie team (repeat)")
    o.add_argument("--global-team", help="Opsgenie team that takes objects owned by no team")
    o.add_argument(
        "--add-missing-users",
        action="store_true",
        help="add people who never signed in as pending users (by e-mail)",
    )
    o.add_argument("--dry-run", action="store_true", help="write the plan only; change nothing")
    o.add_argument(
        "--out",
        type=Path,
        default=Path("opsgenie-import"),
        help="where plan.json, plan.md and integration-keys.json go",
    )
    o.add_argument(
        "--verify-weeks",
        type=int,
        default=4,
        help="compare on-call hour by hour with Opsgenie's timeline (0: skip)",
    )
    o.add_argument(
        "--me",
        action="store_true",
        help="signed in as yourself: bring your own contact methods and notification rule over",
    )
    o.add_argument(
        "--verify-from",
        type=datetime.fromisoformat,
        help="start of the comparison (ISO date-time with offset; default: now)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not (args.opsgenie_key and args.openalert_url and args.openalert_token):
        print(
            "openalert: --opsgenie-key, --openalert-url and --openalert-token are required",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    opsgenie = Opsgenie(args.opsgenie_key, base_url=args.opsgenie_url or REGIONS[args.region])

    def progress(method: str, path: str) -> None:
        print(f"write {method} {path}", flush=True)

    api = OpenAlert(args.openalert_url, args.openalert_token, on_write=progress)
    try:
        if args.me:
            plan = import_me(opsgenie, api, dry_run=args.dry_run)
            return _finish(args, plan, opsgenie, api, started)
        acc = account.read(opsgenie)
        opts = Options(
            teams=frozenset(args.team),
            dry_run=args.dry_run,
            global_team=args.global_team,
            add_missing_users=args.add_missing_users,
            keys_file=args.out / "integration-keys.json",
        )
        importer = Importer(acc, api, opts)
        plan = importer.run()
        if not args.dry_run and args.verify_weeks > 0:
            now = args.verify_from or datetime.now(UTC)
            for s in acc.schedules:
                if s.id in importer.ids.schedules:
                    plan.verification.append(
                        compare(
                            opsgenie,
                            api,
                            og_schedule=s,
                            schedule_id=importer.ids.schedules[s.id],
                            users=importer.ids.users,
                            start=now,
                            weeks=args.verify_weeks,
                        )
                    )
    except (Refused, OpsgenieError, httpx.TransportError) as exc:
        # Keys refused, a server down, an error retrying does not fix: nothing half-done is
        # lost (the next run carries on), so say what failed and stop.
        print(f"openalert: {exc}", file=sys.stderr)
        return 2
    finally:
        opsgenie.close()
        api.close()
    return _finish(args, plan, opsgenie, api, started)


def _finish(
    args: argparse.Namespace, plan: Plan, opsgenie: Opsgenie, api: OpenAlert, started: float
) -> int:
    """Write and print the plan; exit 1 when the on-call comparison found a differing hour."""
    args.out.mkdir(parents=True, exist_ok=True)
    title = "Opsgenie import plan (dry run)" if args.dry_run else "Opsgenie import"
    (args.out / "plan.json").write_text(plan.to_json())
    (args.out / "plan.md").write_text(plan.to_markdown(title))
    print(plan.to_markdown(title))
    print(
        f"opsgenie calls {opsgenie.calls} (throttled {opsgenie.throttled}), "
        f"openalert calls {api.calls} (writes {api.writes}), "
        f"{time.monotonic() - started:.1f} s",
        flush=True,
    )
    differing = sum(len(v["differences"]) for v in plan.verification)
    return 1 if differing else 0
