"""CPU accounting around a measurement, from /proc: how busy the server, wrk and everything else
were, in cores (1.0 = one CPU fully busy). On a shared machine, "everything else" tells whether
a figure was taken on a quiet machine."""

import os
import resource
import time
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    fields = [int(value) for value in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / _TICKS_PER_SECOND


def _process_seconds(pid: int) -> float:
    text = open(f"/proc/{pid}/stat").read()
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND  # utime, stime


def _tree_seconds(pid: int) -> float:
    """CPU seconds of a process and of its children now alive (PostgreSQL's postmaster and the
    backends serving the store's connections, which a measurement keeps open)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
            parent = int(text[text.rindex(")") + 2:].split()[1])
            if int(entry.name) == pid or parent == pid:
                total += _process_seconds(int(entry.name))
        except (OSError, ValueError):  # the process ended meanwhile
            continue
    return total


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """Use around one wrk run: `with CpuMeter(server_pid) as meter: ...`, then `meter.cores`. With
    a database_pid (a PostgreSQL postmaster), the database's processes are counted apart, so that
    the work the server hands its database is not taken for a noisy neighbour."""

    def __init__(self, server_pid: int, database_pid: int | None = None):
        self.server_pid, self.database_pid = server_pid, database_pid
        self.cores: dict[str, float] = {}

    def _database_seconds(self) -> float:
        return _tree_seconds(self.database_pid) if self.database_pid else 0.0

    def __enter__(self):
        self._start = (time.monotonic(), _machine_busy_seconds(), _process_seconds(self.server_pid), _children_seconds(),
                       self._database_seconds())
        return self

    def __exit__(self, *exc):
        wall, machine, server, children, database = self._start
        elapsed = time.monotonic() - wall
        machine = _machine_busy_seconds() - machine
        server = _process_seconds(self.server_pid) - server
        wrk = _children_seconds() - children  # wrk is the only child reaped meanwhile
        database = max(0.0, self._database_seconds() - database)  # a backend that ended takes its seconds along
        self.cores = {
            "server": round(server / elapsed, 2),
            **({"database": round(database / elapsed, 2)} if self.database_pid else {}),
            "wrk": round(wrk / elapsed, 2),
            "other": round(max(0.0, machine - server - wrk - database) / elapsed, 2),
            "machine": round(machine / elapsed, 2),
        }
        return False


def busy_cores(seconds: float = 5.0) -> float:
    """How many CPUs the whole machine kept busy over the next `seconds`."""
    started, busy = time.monotonic(), _machine_busy_seconds()
    time.sleep(seconds)
    return (_machine_busy_seconds() - busy) / (time.monotonic() - started)


def wait_for_quiet(timeout: float, threshold: float = 0.25) -> float:
    """Waits (up to timeout seconds) until the machine is nearly idle; returns the last busy level."""
    deadline = time.monotonic() + timeout
    while True:
        busy = busy_cores()
        if busy < threshold or time.monotonic() >= deadline:
            return busy
        print(f"  the machine is busy ({busy:.2f} CPUs): waiting for it to quiet down", flush=True)
