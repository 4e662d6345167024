"""Builds the corpus of real extensions the package tests and the validation benchmark run on.

Debian packages a few dozen browser extensions as `webext-*` packages. This script downloads the
ones listed in PACKAGES with `apt-get download` (it runs `apt-get update` first when apt does not
know them yet), extracts each with `dpkg-deb -x` into a scratch tree, finds the extension folders
in it (the folders holding a manifest.json: under usr/share/webext/, usr/share/mozilla/extensions/,
usr/share/chromium/extensions/, usr/lib/...) and zips each into build/<name>.xpi (Firefox) or
build/<name>.zip (Chromium). Thunderbird add-ons ship as ready-made .xpi files and are copied.

Debian replaces bundled copies of fonts and libraries with symlinks into other packages
(/usr/share/fonts/..., /usr/share/javascript/...). Those are resolved into real file contents, as a
browser loading the installed folder would see them: inside the extracted tree when the target is
in the same package, or else in one of the package's dependencies, which is then downloaded and
extracted next to it (smallest first, until every link resolves) and recorded in the index.

Output, in build/ (git-ignored):
  <name>.xpi | <name>.zip   one package per extension folder, files in sorted order with fixed
                            timestamps and permissions, so a rebuild gives the same bytes
  corpus.json               the index: for each package its Debian package and version, target
                            browser, where it came from, the packages its symlinks resolved into
  cache/                    downloaded .deb files and their extracted trees

A second run with the same Debian versions does nothing (`--force` rebuilds). Needs only apt-get
and dpkg-deb (Debian's own tools) and the package archive; run as root on a fresh machine (CI),
or as a user who can run `apt-get update`.

    python tests/corpus/build.py [--out DIR] [--force] [--quiet]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "build"

# The Debian packages of the corpus. Each may hold several extensions (a Firefox and a Chromium
# folder); the corpus gets one package per folder.
PACKAGES = (
    "webext-ublock-origin-firefox",
    "webext-ublock-origin-chromium",
    "webext-privacy-badger",
    "webext-foxyproxy",
    "webext-treestyletab",
    "webext-keepassxc-browser",
    "webext-browserpass",
    "webext-debianbuttons",
    "webext-form-history-control",
    "webext-lightbeam",
    "webext-proxy-switcher",
    "webext-bulk-media-downloader",
    # Thunderbird add-ons, shipped as .xpi files.
    "webext-tbsync",
    "webext-dav4tbsync",
    "webext-eas4tbsync",
    "webext-quicktext",
    "webext-xnotepp",
    "webext-mailmindr",
    "webext-allow-html-temp",
)

# Dependencies looked into for symlink targets are downloaded only when a link needs one, smallest
# first, and never when they are this big (a browser, a mail client, the C library).
MAX_DEPENDENCY_KIB = 20 * 1024
MAX_DEPENDENCIES = 8
MAX_SYMLINK_HOPS = 40
# Fixed zip metadata: a rebuild from the same .deb files gives byte-identical packages.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_LEVEL = 9
# Bump when the output changes for the same inputs.
FORMAT = 1


class CorpusError(Exception):
    """The corpus cannot be built; the message says why and what to do."""


@dataclass
class Dependency:
    package: str
    version: str
    files: int = 0  # files of the corpus that came from it


@dataclass
class Entry:
    name: str                # file name stem in build/
    file: str                # file name in build/
    package: str             # Debian package
    version: str             # Debian version
    application: str         # firefox | chromium | thunderbird
    target: str              # ValidationOptions.target to validate it with: firefox | chromium
    source: str              # where the folder (or .xpi) is in the Debian package
    addon_version: str | None = None
    addon_id: str | None = None
    manifest_version: int | None = None
    update_url: str | None = None  # the update_url the target browser reads, if any
    files: int = 0
    size: int = 0
    sha256: str = ""
    dependencies: list[Dependency] = field(default_factory=list)

    @property
    def listed(self) -> bool:
        """A package with its own update_url is self-hosted: it can only be an unlisted submission."""
        return self.update_url is None

    def path(self, out: Path) -> Path:
        return out / self.file


def log_to(quiet: bool):
    return (lambda *args: None) if quiet else (lambda *args: print("corpus:", *args, file=sys.stderr, flush=True))


# apt -----------------------------------------------------------------------------------------

def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise CorpusError(f"{command[0]} is not installed: the corpus is built from Debian packages with "
                          "apt-get and dpkg-deb, on a Debian machine.") from None


class Apt:
    """apt-get download and dpkg-deb -x, with the .deb files and trees kept in a cache folder."""

    def __init__(self, cache: Path, log):
        self.debs = cache / "debs"
        self.trees = cache / "trees"
        self.log = log
        self.updated = False
        self.update_output = ""
        self._info: dict[str, dict[str, str] | None] = {}

    def update(self) -> None:
        if self.updated:
            return
        self.log("apt-get update")
        result = _run(["apt-get", "update", "-qq"])
        self.updated = True
        self.update_output = result.stderr.strip()  # apt-get update exits 0 on some fetch failures
        if result.returncode != 0:
            raise CorpusError("`apt-get update` failed: the corpus needs Debian's package archive (and root, or a "
                              f"user allowed to update apt's lists).\n{result.stderr.strip()}")

    def info(self, package: str) -> dict[str, str] | None:
        """The candidate version's control fields, or None when apt does not know the package."""
        if package not in self._info:
            self.prefetch([package])
        return self._info[package]

    def forget(self) -> None:
        self._info = {}

    def prefetch(self, packages) -> None:
        """Looks packages up with one apt-cache call (each call reads the whole package lists)."""
        wanted = [package for package in packages if package not in self._info]
        if not wanted:
            return
        for package in wanted:
            self._info[package] = None
        # apt-cache fails as a whole when one name is unknown: then ask one by one.
        result = _run(["apt-cache", "show", "--no-all-versions", *wanted])
        if result.returncode != 0 and len(wanted) > 1:
            for package in wanted:
                del self._info[package]
                self.prefetch([package])
            return
        for stanza in result.stdout.split("\n\n"):
            fields: dict[str, str] = {}
            key = None
            for line in stanza.splitlines():
                if line[:1] in (" ", "\t") and key:
                    fields[key] += "\n" + line.strip()
                elif ":" in line:
                    key, value = line.split(":", 1)
                    fields[key] = value.strip()
            if fields.get("Package") in self._info and self._info[fields["Package"]] is None:
                self._info[fields["Package"]] = fields

    def known(self, package: str) -> dict[str, str]:
        info = self.info(package)
        if info is None and not self.updated:
            self.update()
            self.forget()
            info = self.info(package)
        if info is None:
            said = f"\n`apt-get update` said:\n{self.update_output}" if self.update_output else ""
            raise CorpusError(f"apt does not know the package {package} (after `apt-get update`): is Debian's archive "
                              f"reachable, and is this Debian 12 (bookworm) or later with main in its sources?{said}")
        return info

    def download(self, package: str, version: str) -> Path:
        """The .deb of package at version, from the cache or apt-get download."""
        self.debs.mkdir(parents=True, exist_ok=True)
        wanted = self.debs / _deb_name(package, version)
        if wanted.exists():
            return wanted
        for attempt in range(2):
            self.log(f"apt-get download {package}={version}")
            scratch = self.debs / f".download-{package}"
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir()
            # As root, apt drops to the _apt user to download and warns when it cannot write here.
            result = _run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", f"{package}={version}"],
                          cwd=scratch)
            got = sorted(scratch.glob("*.deb"))
            if result.returncode == 0 and len(got) == 1:
                got[0].replace(wanted)
                shutil.rmtree(scratch, ignore_errors=True)
                return wanted
            shutil.rmtree(scratch, ignore_errors=True)
            if attempt == 0 and not self.updated:
                self.update()  # stale lists: the archive no longer has that file
                continue
            raise CorpusError(f"`apt-get download {package}={version}` failed: the corpus needs Debian's package "
                              f"archive to be reachable.\n{result.stderr.strip()}")
        raise AssertionError("unreachable")

    def tree(self, package: str, version: str) -> Path:
        """The package's files, extracted with dpkg-deb -x (once)."""
        deb = self.download(package, version)
        tree = self.trees / deb.stem
        done = tree / ".extracted"
        if done.exists():
            return tree
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        result = _run(["dpkg-deb", "-x", str(deb), str(tree)])
        if result.returncode != 0:
            raise CorpusError(f"`dpkg-deb -x {deb.name}` failed:\n{result.stderr.strip()}")
        done.touch()
        return tree


def _deb_name(package: str, version: str) -> str:
    return f"{package}_{version.replace(':', '%3a')}.deb"


def _depends(info: dict[str, str]) -> list[str]:
    """The packages a package depends on or recommends (every alternative, in order)."""
    names: list[str] = []
    for key in ("Pre-Depends", "Depends", "Recommends"):
        for clause in info.get(key, "").split(","):
            for alternative in clause.split("|"):
                name = alternative.strip().split(" ")[0].split(":")[0]
                if name and name not in names:
                    names.append(name)
    return names


# a union of extracted trees, resolving symlinks as the installed system would ----------------

class Union:
    """Extracted package trees seen as one file system rooted at /, as if the packages were
    installed together. Symlinks (absolute or relative) are resolved inside it, never on the host."""

    def __init__(self, roots: list[tuple[str, Path]]):
        self.roots = roots  # (package, extracted tree)

    def _lookup(self, path: PurePosixPath) -> tuple[str, Path] | None:
        relative = str(path).lstrip("/")
        for package, root in self.roots:
            real = root / relative
            if os.path.lexists(real):
                return package, real
        return None

    def resolve(self, path: PurePosixPath) -> tuple[PurePosixPath, str, Path] | None:
        """(canonical path, package holding it, real path), or None if it (or a link on the way) dangles."""
        pending = list(path.parts[1:] if path.is_absolute() else path.parts)
        current = PurePosixPath("/")
        hops = 0
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                current = current.parent
                continue
            candidate = current / part
            found = self._lookup(candidate)
            if found is None:
                return None
            if os.path.islink(found[1]):
                hops += 1
                if hops > MAX_SYMLINK_HOPS:
                    return None
                target = PurePosixPath(os.readlink(found[1]))
                if target.is_absolute():
                    current = PurePosixPath("/")
                    pending = list(target.parts[1:]) + pending
                else:
                    pending = list(target.parts) + pending
                continue
            current = candidate
        if current == PurePosixPath("/"):
            return current, self.roots[0][0], self.roots[0][1]
        found = self._lookup(current)
        if found is None:
            return None
        return current, found[0], found[1]

    def listdir(self, canonical: PurePosixPath) -> list[str]:
        names: set[str] = set()
        relative = str(canonical).lstrip("/")
        for _, root in self.roots:
            real = root / relative
            if real.is_dir() and not real.is_symlink():
                names.update(os.listdir(real))
        return sorted(names)

    def is_dir(self, canonical: PurePosixPath) -> bool:
        relative = str(canonical).lstrip("/")
        return any((root / relative).is_dir() for _, root in self.roots)


@dataclass
class Collected:
    files: list[tuple[str, Path, str]]  # (path in the package, real file, Debian package it came from)
    dangling: list[tuple[str, str]]     # (path in the package, link target)


def collect(union: Union, folder: PurePosixPath) -> Collected:
    """Every regular file under folder, following symlinks to files and folders, in sorted order."""
    files: list[tuple[str, Path, str]] = []
    dangling: list[tuple[str, str]] = []

    def walk(virtual: PurePosixPath, inside: str, ancestors: tuple[PurePosixPath, ...]) -> None:
        resolved = union.resolve(virtual)
        if resolved is None:
            dangling.append((inside or ".", _link_chain(union, virtual)))
            return
        canonical, package, real = resolved
        if union.is_dir(canonical):
            if canonical in ancestors:
                return  # a link back up the tree
            for name in union.listdir(canonical):
                if name == ".extracted" and canonical == PurePosixPath("/"):
                    continue
                walk(canonical / name, f"{inside}/{name}" if inside else name, ancestors + (canonical,))
        elif stat.S_ISREG(os.stat(real).st_mode):
            files.append((inside, real, package))

    walk(folder, "", ())
    files.sort(key=lambda item: item[0])
    return Collected(files, dangling)


def _link_chain(union: Union, virtual: PurePosixPath) -> str:
    """Where a dangling path's last link points, for the error message."""
    current = PurePosixPath("/")
    for part in virtual.parts[1:]:
        found = union._lookup(current / part)
        if found is None:
            return str(current / part)
        if os.path.islink(found[1]):
            return os.readlink(found[1])
        current = current / part
    return str(virtual)


# zips ------------------------------------------------------------------------------------------

def write_zip(destination: Path, files: list[tuple[str, Path]]) -> None:
    """A zip of files (path in the zip, real file) in the given order with fixed metadata."""
    temporary = destination.with_name(destination.name + ".partial")
    with zipfile.ZipFile(temporary, "w") as archive:
        for name, real in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, real.read_bytes(), compresslevel=ZIP_LEVEL)
    temporary.replace(destination)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# finding the extensions of a package -----------------------------------------------------------

def _application_of(path: PurePosixPath) -> str | None:
    text = str(path).lower()
    if "/chromium/" in text or "/chrome/" in text or "/google-chrome/" in text:
        return "chromium"
    if "/thunderbird/" in text or "/icedove/" in text:
        return "thunderbird"
    if "/mozilla/" in text or "/firefox" in text:
        return "firefox"
    return None


def find_extensions(union: Union, package: str) -> list[tuple[PurePosixPath, str, str]]:
    """(path, application, kind) of each extension a package installs: kind "folder" for a folder
    holding manifest.json, "xpi" for a packed add-on. A folder reached from several places (the
    generic usr/share/webext/ folder and a browser's extension folder linking to it) counts once per
    browser; one found only under usr/share/webext/ counts as a Firefox one."""
    own_root = next(root for name, root in union.roots if name == package)
    found: dict[tuple[PurePosixPath, str], tuple[PurePosixPath, str, str]] = {}
    generic: dict[PurePosixPath, tuple[PurePosixPath, str]] = {}
    for directory, subdirs, names in os.walk(own_root, followlinks=False):
        virtual_dir = PurePosixPath("/") / Path(directory).relative_to(own_root).as_posix()
        subdirs.sort()
        for name in sorted(names + [d for d in subdirs if (Path(directory) / d).is_symlink()]):
            virtual = virtual_dir / name
            if name == "manifest.json":
                holder = virtual_dir
                resolved = union.resolve(holder)
                kind = "folder"
            elif name.endswith(".xpi"):
                holder = virtual
                resolved = union.resolve(holder)
                kind = "xpi"
            elif (Path(directory) / name).is_symlink():
                # a browser's extension folder that is a link to the generic one
                resolved = union.resolve(virtual)
                if resolved is None or not union.is_dir(resolved[0]) or union.resolve(resolved[0] / "manifest.json") is None:
                    continue
                holder, kind = virtual, "folder"
            else:
                continue
            if resolved is None:
                continue
            canonical = resolved[0]
            application = _application_of(holder)
            if application is None:
                generic.setdefault(canonical, (holder, kind))
            else:
                found.setdefault((canonical, application), (holder, application, kind))
    claimed = {canonical for canonical, _ in found}
    for canonical, (holder, kind) in generic.items():
        if canonical not in claimed:
            found[(canonical, "firefox")] = (holder, "firefox", kind)
    # Not extensions: a manifest.json that is not a WebExtension's, or one inside an extension
    # folder (a bundled library's).
    folders = {canonical for (canonical, _), (_, _, kind) in found.items() if kind == "folder"}
    for key in list(found):
        canonical, kind = key[0], found[key][2]
        nested = any(other != canonical and other in canonical.parents for other in folders)
        if nested or (kind == "folder" and not _is_webextension(union, canonical / "manifest.json")):
            del found[key]
    return sorted(found.values(), key=lambda item: ({"firefox": 0, "thunderbird": 1, "chromium": 2}[item[1]], str(item[0])))


def _is_webextension(union: Union, manifest: PurePosixPath) -> bool:
    resolved = union.resolve(manifest)
    try:
        value = json.loads(resolved[2].read_bytes().decode("utf-8-sig")) if resolved else None
    except ValueError:
        return True  # a broken manifest is still an extension's, for the validator to report
    return isinstance(value, dict) and "manifest_version" in value


def _names(package: str, extensions: list[tuple[PurePosixPath, str, str]]) -> list[str]:
    base = package.removeprefix("webext-")
    names = []
    for path, application, kind in extensions:
        name = base
        if application == "chromium" and not base.endswith("-chromium"):
            name = f"{base}-chromium"
        while name in names:
            name = f"{name}-{path.name}"
        names.append(name)
    return names


def _manifest_facts(manifest: dict, target: str) -> dict:
    gecko = {}
    for key in ("browser_specific_settings", "applications"):
        settings = manifest.get(key)
        if isinstance(settings, dict) and isinstance(settings.get("gecko"), dict):
            gecko = settings["gecko"]
            break
    update_url = gecko.get("update_url") if target == "firefox" else manifest.get("update_url")
    return {
        "addon_version": manifest.get("version"),
        "addon_id": gecko.get("id"),
        "manifest_version": manifest.get("manifest_version"),
        "update_url": update_url,
    }


# the build -------------------------------------------------------------------------------------

def _fingerprint(versions: dict[str, str]) -> str:
    source = Path(__file__).read_bytes()
    text = json.dumps({"format": FORMAT, "versions": versions}, sort_keys=True)
    return hashlib.sha256(source + text.encode()).hexdigest()


def load_index(out: Path = DEFAULT_OUT) -> list[Entry]:
    """The entries of an already built corpus."""
    data = json.loads((out / "corpus.json").read_text())
    entries = []
    for item in data["entries"]:
        item = dict(item)
        item["dependencies"] = [Dependency(**d) for d in item.get("dependencies", [])]
        entries.append(Entry(**item))
    return entries


def _up_to_date(out: Path, fingerprint: str) -> list[Entry] | None:
    index = out / "corpus.json"
    if not index.exists():
        return None
    try:
        data = json.loads(index.read_text())
        if data.get("fingerprint") != fingerprint:
            return None
        entries = load_index(out)
    except (ValueError, KeyError, TypeError):
        return None
    for entry in entries:
        path = entry.path(out)
        if not path.exists() or path.stat().st_size != entry.size:
            return None
    return entries


def build_corpus(out: Path | str = DEFAULT_OUT, packages: tuple[str, ...] = PACKAGES, force: bool = False,
                 quiet: bool = False) -> list[Entry]:
    """Builds (or finds up to date) the corpus in out; returns its entries. Raises CorpusError."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out / ".lock"):  # two test runs at once build it once
        return _build_corpus(out, packages, force, log_to(quiet))


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_corpus(out: Path, packages: tuple[str, ...], force: bool, log) -> list[Entry]:
    apt = Apt(out / "cache", log)
    apt.prefetch(packages)
    if any(apt.info(package) is None for package in packages):
        apt.update()  # a fresh machine has no package lists yet
        apt.forget()
        apt.prefetch(packages)
    versions = {package: apt.known(package)["Version"] for package in packages}
    fingerprint = _fingerprint(versions)
    if not force:
        entries = _up_to_date(out, fingerprint)
        if entries is not None:
            log(f"{len(entries)} packages up to date in {out}")
            return entries

    entries: list[Entry] = []
    for package in packages:
        entries.extend(_build_package(apt, out, package, versions[package], log))

    expected = {entry.file for entry in entries}
    for stale in out.iterdir():
        if stale.name not in expected and stale.suffix in (".xpi", ".zip"):
            stale.unlink()
    index = {
        "fingerprint": fingerprint,
        "about": "Built by tests/corpus/build.py from Debian's webext-* packages; see that file.",
        "entries": [asdict(entry) for entry in entries],
    }
    temporary = out / "corpus.json.partial"
    temporary.write_text(json.dumps(index, indent=2) + "\n")
    temporary.replace(out / "corpus.json")
    log(f"{len(entries)} packages in {out}")
    return entries


def _build_package(apt: Apt, out: Path, package: str, version: str, log) -> list[Entry]:
    info = apt.known(package)
    roots = [(package, apt.tree(package, version))]
    union = Union(roots)
    extensions = find_extensions(union, package)
    if not extensions:
        raise CorpusError(f"{package} {version} holds no extension folder (manifest.json) nor .xpi file.")

    # Download dependencies while symlinks dangle: smallest first, skipping the huge ones.
    pool: dict[str, tuple[int, dict[str, str]]] = {}
    considered: set[str] = {package}

    def consider(names: list[str]) -> None:
        for name in names:
            if name in considered:
                continue
            considered.add(name)
            candidate = apt.info(name)
            if candidate is None:  # a virtual package, or one this archive lacks
                continue
            size = int(candidate.get("Installed-Size", "0") or 0)
            if size <= MAX_DEPENDENCY_KIB:
                pool[name] = (size, candidate)

    while True:
        dangling = [(f"{path}/{inside}", link) for path, _, kind in extensions if kind == "folder"
                    for inside, link in collect(union, path).dangling]
        dangling += [(str(path), str(path)) for path, _, kind in extensions
                     if kind == "xpi" and union.resolve(path) is None]
        if not dangling:
            break
        if len(considered) == 1:  # first time: the package's own dependencies
            apt.prefetch(_depends(info))
            consider(_depends(info))
        if not pool or len(roots) - 1 >= MAX_DEPENDENCIES:
            details = "\n".join(f"  {where} -> {link}" for where, link in dangling[:20])
            raise CorpusError(f"{package} {version}: symlinks that none of its (small) dependencies resolves:\n{details}")
        name = min(pool, key=lambda n: (pool[n][0], n))
        size, candidate = pool.pop(name)
        log(f"{package}: looking for symlink targets in {name} {candidate['Version']} ({size} KiB)")
        roots.append((name, apt.tree(name, candidate["Version"])))
        apt.prefetch(_depends(candidate))
        consider(_depends(candidate))
        union = Union(roots)
    # Only the dependencies that resolved something are recorded (and kept).
    versions = {name: apt.info(name)["Version"] for name, _ in roots[1:]}

    entries = []
    for (path, application, kind), name in zip(extensions, _names(package, extensions)):
        target = "chromium" if application == "chromium" else "firefox"
        suffix = ".zip" if application == "chromium" else ".xpi"
        destination = out / f"{name}{suffix}"
        used: dict[str, int] = {}
        if kind == "xpi":
            _, _, real = union.resolve(path)
            shutil.copyfile(real, destination)
            with zipfile.ZipFile(destination) as archive:
                count = len([i for i in archive.infolist() if not i.is_dir()])
                manifest = json.loads(archive.read("manifest.json"))
        else:
            collected = collect(union, path)
            write_zip(destination, [(inside, real) for inside, real, _ in collected.files])
            count = len(collected.files)
            for _, _, source in collected.files:
                if source != package:
                    used[source] = used.get(source, 0) + 1
            manifest = json.loads((union.resolve(path / "manifest.json")[2]).read_bytes())
        entry = Entry(
            name=name, file=destination.name, package=package, version=version, application=application,
            target=target, source=str(path), files=count, size=destination.stat().st_size,
            sha256=_sha256(destination),
            dependencies=[Dependency(dep, versions[dep], files) for dep, files in sorted(used.items())],
            **_manifest_facts(manifest, target),
        )
        log(f"{entry.file}: {entry.files} files, {entry.size // 1024} KiB ({package} {version})")
        entries.append(entry)
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the corpus of real extensions from Debian's webext-* packages.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        entries = build_corpus(args.out, force=args.force, quiet=args.quiet)
    except CorpusError as error:
        print(f"corpus: {error}", file=sys.stderr)
        return 1
    width = max(len(entry.file) for entry in entries)
    for entry in entries:
        deps = ", ".join(f"{d.package} {d.version}" for d in entry.dependencies)
        print(f"{entry.file:{width}}  {entry.package} {entry.version}  {entry.application}"
              + (f"  (+ {deps})" if deps else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
