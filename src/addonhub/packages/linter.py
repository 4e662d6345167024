"""Running Mozilla's addons-linter (npm) beside the store's own checks, as AMO does, when a
setting names it. Its messages join the report; a message the store already has is not repeated."""

import json
import subprocess
from pathlib import Path

from addonhub.packages.report import Report

TIMEOUT_SECONDS = 300


class LinterFailed(Exception):
    pass


def run_addons_linter(executable: str, package: Path, listed: bool) -> dict:
    command = [executable, str(package), "--output", "json", "--boring"]
    if not listed:
        command.append("--self-hosted")
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LinterFailed(f"addons-linter could not run: {error}") from None
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise LinterFailed(f"addons-linter gave no JSON (exit {result.returncode}): {result.stderr[-500:]}") from None


def merge_linter_output(report: Report, output: dict) -> None:
    seen = {(m.code, m.file or "", m.line) for m in report.messages}
    for kind in ("errors", "warnings", "notices"):
        for message in output.get(kind, []):
            key = (message.get("code", ""), message.get("file") or "", message.get("line"))
            if key in seen:
                continue
            seen.add(key)
            description = message.get("description", "")
            report.add(
                kind[:-1], key[0], message.get("message", ""),
                " ".join(description) if isinstance(description, list) else str(description),
                file=message.get("file"), line=message.get("line"),
            )
