"""CPU accounting around a measurement, from /proc: how busy the server, wrk and everything else
were, in cores (1.0 = one CPU fully busy). On a shared machine, "everything else" tells whether
a figure was taken on a quiet machine."""

import os
import resource
import time

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


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """Use around one wrk run: `with CpuMeter(server_pid) as meter: ...`, then `meter.cores`."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.cores: dict[str, float] = {}

    def __enter__(self):
        self._start = (time.monotonic(), _machine_busy_seconds(), _process_seconds(self.server_pid), _children_seconds())
        return self

    def __exit__(self, *exc):
        wall, machine, server, children = self._start
        elapsed = time.monotonic() - wall
        machine = _machine_busy_seconds() - machine
        server = _process_seconds(self.server_pid) - server
        wrk = _children_seconds() - children  # wrk is the only child reaped meanwhile
        self.cores = {
            "server": round(server / elapsed, 2),
            "wrk": round(wrk / elapsed, 2),
            "other": round(max(0.0, machine - server - wrk) / elapsed, 2),
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
