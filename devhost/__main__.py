"""``python -m devhost run|queues|deadletter|token`` — see docs/devhost.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from devhost.config import DevhostError

if TYPE_CHECKING:
    from devhost.host import Host


def _run(args: argparse.Namespace) -> int:
    from devhost.azurite import start_azurite
    from devhost.host import Host
    from devhost.shutdown import busy_threads

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app_dir = Path(args.app_dir).resolve()
    state = Path(args.state)
    if not state.is_absolute():
        state = app_dir / state
    azurite = None
    if args.azurite:
        azurite = start_azurite(Path(args.azurite), state.parent / "azurite")
        # The app's storage setting must point at the ports this Azurite actually got.
        os.environ["AzureWebJobsStorage"] = azurite.connection_string
        print(
            f"Azurite blob endpoint: http://127.0.0.1:{azurite.blob_port}/devstoreaccount1",
            flush=True,
        )
    console_dir = Path(args.console_dir) if args.console_dir else None
    if console_dir is not None and not console_dir.is_absolute():
        console_dir = app_dir / console_dir
    host = Host(
        app_dir=app_dir,
        state_path=state,
        host=args.host,
        port=args.port,
        https_port=args.https_port,
        console_dir=console_dir,
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await host.start()
        if host.console_dir is not None:
            print(f"OpenAlert console: {host.base_url}/", flush=True)
        print(f"OpenAlert devhost ready: {host.base_url}", flush=True)
        for line in _idp_lines(host):
            print(line, flush=True)
        for url in host.urls():
            print(f"  {url}", flush=True)
        await stop.wait()
        await host.stop()

    try:
        asyncio.run(main())
    except DevhostError as exc:
        print(f"devhost: {exc}", file=sys.stderr)
        return 2
    finally:
        if azurite is not None:
            azurite.stop()
    busy = busy_threads()
    if busy:
        # Threads still inside a synchronous function: their messages are back on the queue,
        # and interpreter exit would wait for each of them (a 30 s call, 30 s).
        logging.getLogger("devhost").info("exiting with %d worker thread(s) still busy", len(busy))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


def _idp_lines(host: Host) -> list[str]:
    """Where MSAL finds the development identity provider (https: MSAL refuses http)."""
    if host.https_url is None:
        return []
    lines = [f"  https (self-signed, {host.tls_cert}): {host.https_url}"]
    tenant = os.environ.get("ENTRA_TENANT_ID", "")
    if os.environ.get("DEVHOST_IDP_ENABLED", "").lower() == "true" and tenant:
        lines.append(f"  sign-in authority (MSAL): {host.https_url}/.devhost/idp/{tenant}/v2.0")
    return lines


def _broker(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from devhost.servicebus import Broker

    return Broker(Path(args.state))


def _queues(args: argparse.Namespace) -> int:
    broker = _broker(args)
    print(json.dumps(broker.counts(), indent=2))
    broker.close()
    return 0


def _deadletter(args: argparse.Namespace) -> int:
    broker = _broker(args)
    if args.action == "peek":
        print(
            json.dumps(
                [m.as_json() for m in broker.peek_deadletter(args.queue, args.limit)], indent=2
            )
        )
    else:
        # A running devhost notices resubmitted messages within its idle wait; the HTTP admin
        # endpoint wakes the consumer at once.
        print(json.dumps({"resubmitted": broker.resubmit_deadletter(args.queue)}))
    broker.close()
    return 0


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else None


def main(argv: list[str]) -> int:
    if argv[:1] == ["token"]:
        from devhost import idp_token

        return idp_token.token_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m devhost")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve function_app.py")
    run.add_argument("--app-dir", default=".")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=7071)
    run.add_argument("--state", default=".devhost/state.sqlite")
    run.add_argument("--azurite", help="path to the azurite binary to start alongside")
    run.add_argument(
        "--https-port",
        type=int,
        default=_env_int("DEVHOST_HTTPS_PORT"),
        help="also serve over https (self-signed) on this port; MSAL needs an https authority",
    )
    run.add_argument(
        "--console-dir",
        default=os.environ.get("DEVHOST_CONSOLE_DIR", "web/dist"),
        help="the built web console to serve at / (default web/dist; '' to serve none)",
    )
    run.set_defaults(handler=_run)
    queues = sub.add_parser("queues", help="queue counts")
    queues.add_argument("--state", default=".devhost/state.sqlite")
    queues.set_defaults(handler=_queues)
    dl = sub.add_parser("deadletter", help="peek or resubmit dead-lettered messages")
    dl.add_argument("action", choices=["peek", "resubmit"])
    dl.add_argument("queue")
    dl.add_argument("--limit", type=int, default=50)
    dl.add_argument("--state", default=".devhost/state.sqlite")
    dl.set_defaults(handler=_deadletter)
    sub.add_parser("token", help="print a development access token (see docs/auth.md)")
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
