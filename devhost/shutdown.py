"""What devhost does on SIGTERM so that it is gone within 2 seconds and leaves nothing dangling.

The order, in ``Host.stop``: stop timers and stop taking messages; give in-flight invocations
``GRACE_S`` to finish; cancel the rest and return their messages to the queue at once (the
message is redelivered on the next start instead of waiting out its lock); stop plugins and the
HTTP server (requests still running get ``GRACE_S``); close the HTTP client sessions the app
left open, as the Functions host does by ending the worker process; then ``__main__`` exits
without waiting for worker threads still inside a synchronous function (their messages are
back on the queue already).
"""

from __future__ import annotations

import gc
import logging
import threading

import aiohttp

log = logging.getLogger("devhost")

#: How long in-flight invocations and HTTP requests get to finish after SIGTERM.
GRACE_S = 0.5


async def close_client_sessions() -> int:
    """Close every aiohttp session still open in this process (the app's per-process clients:
    outbound HTTP, Azure SDK transports). Left to the garbage collector at exit they are
    reported as "Unclosed client session" errors."""
    closed = 0
    for obj in gc.get_objects():
        if isinstance(obj, aiohttp.ClientSession) and not obj.closed:
            try:
                await obj.close()
            except Exception as exc:  # a session bound to another loop (a worker thread's)
                log.info("could not close an HTTP client session: %s", exc)
                continue
            closed += 1
    return closed


def busy_threads() -> list[threading.Thread]:
    """Non-daemon threads other than this one: interpreter exit would wait for each of them."""
    current = threading.current_thread()
    return [t for t in threading.enumerate() if t is not current and not t.daemon and t.is_alive()]
