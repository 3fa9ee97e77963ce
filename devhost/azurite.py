"""Start Azurite (Azure Storage emulator from npm) on loopback for ``make run`` and tests."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# Azurite's well-known development account (published in Azurite's README; not a secret).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def free_port(preferred: int | None = None) -> int:
    """``preferred`` when it is free, else any free loopback port."""
    for candidate in ([preferred] if preferred else []) + [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise OSError("no free port")


@dataclass
class Azurite:
    process: subprocess.Popen[bytes]
    blob_port: int
    queue_port: int
    table_port: int

    @property
    def connection_string(self) -> str:
        base = "http://127.0.0.1"
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={base}:{self.blob_port}/{ACCOUNT};"
            f"QueueEndpoint={base}:{self.queue_port}/{ACCOUNT};"
            f"TableEndpoint={base}:{self.table_port}/{ACCOUNT};"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_azurite(
    binary: Path, data_dir: Path, *, default_ports: bool = True, timeout: float = 30.0
) -> Azurite:
    """Start Azurite; uses 10000-10002 when free (``default_ports``), else free ports."""
    data_dir.mkdir(parents=True, exist_ok=True)
    blob = free_port(10000 if default_ports else None)
    queue = free_port(10001 if default_ports else None)
    table = free_port(10002 if default_ports else None)
    if not binary.exists():
        raise FileNotFoundError(
            f"Azurite not found at {binary}; run `make setup` to install it into .tools/"
        )
    process = subprocess.Popen(
        [
            str(binary),
            "--silent",
            "--skipApiVersionCheck",
            "--disableProductStyleUrl",
            "--location",
            str(data_dir),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(blob),
            "--queueHost",
            "127.0.0.1",
            "--queuePort",
            str(queue),
            "--tableHost",
            "127.0.0.1",
            "--tablePort",
            str(table),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    azurite = Azurite(process, blob, queue, table)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Azurite exited with code {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", blob)) == 0:
                return azurite
        time.sleep(0.1)
    azurite.stop()
    raise TimeoutError("Azurite did not start listening")
