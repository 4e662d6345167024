"""Extracts the storefront's interface strings into messages.pot and merges them into every
locale's messages.po (`make translations`); translators then fill in the new entries. The app
compiles the .po files itself when it starts (addonhub.web.languages), so nothing else is built."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "src" / "addonhub" / "web" / "translations"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


def main() -> None:
    template = TRANSLATIONS / "messages.pot"
    subprocess.run([*PYBABEL, "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "ngettext:1,2",
                    "--no-location", "--omit-header", "--sort-output", "-o", str(template), str(ROOT)], check=True)
    subprocess.run([*PYBABEL, "update", "-i", str(template), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
                    "--ignore-obsolete"], check=True)


if __name__ == "__main__":
    main()
