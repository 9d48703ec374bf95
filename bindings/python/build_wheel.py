"""Builds the platform wheel of the Python binding with the shared library inside, with nothing but
the standard library (no network, no setuptools, no `wheel` package). Called by
tools/build/wheel.sh (`make wheel`).

    python3 bindings/python/build_wheel.py --lib dist/lib/libonderwijsregio.so.0.1.0 --out dist

Writes <out>/onderwijsregio-<version>-py3-none-<platform>.whl (PEP 427): the package
onderwijsregio/ (every .py file and py.typed), the library as onderwijsregio/_lib/libonderwijsregio.so.0,
and the .dist-info (METADATA from pyproject.toml and README.md, WHEEL with Root-Is-Purelib: false,
entry_points.txt for the console script, RECORD with SHA-256 digests). Deterministic: every entry
carries the same timestamp (SOURCE_DATE_EPOCH, else 1980-01-01).

The platform tag is linux_<machine> by default: the library links the system's libcurl, libcrypto
and libpcre2, which the manylinux policies do not allow, so it is a wheel for this kind of host
(Debian 12, Ubuntu 22.04 or newer, with those libraries), not for PyPI. --platform (or
$ONDERWIJSREGIO_WHEEL_PLATFORM) sets another tag, e.g. manylinux_2_36_x86_64.
"""
from __future__ import annotations

import argparse
import base64
import ctypes
import csv
import hashlib
import io
import os
import platform
import re
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "onderwijsregio"
SONAME = "libonderwijsregio.so.0"


def project_metadata() -> dict[str, Any]:
    """[project] of pyproject.toml (tomllib on 3.11+, else the few scalar fields by pattern)."""
    text = (HERE / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:   # Python 3.10
        project: dict[str, Any] = {}
        section = None
        for line in text.splitlines():
            header = re.match(r"^\[(.+)\]\s*$", line)
            if header:
                section = header.group(1)
                continue
            field = re.match(r'^([A-Za-z_-]+)\s*=\s*"(.*)"\s*$', line)
            if field and section == "project":
                project[field.group(1)] = field.group(2)
            elif field and section == "project.scripts":
                project.setdefault("scripts", {})[field.group(1)] = field.group(2)
        return project
    result: dict[str, Any] = tomllib.loads(text)["project"]
    return result


def package_version() -> str:
    namespace: dict[str, Any] = {}
    exec((PACKAGE / "_version.py").read_text(encoding="utf-8"), namespace)
    return str(namespace["__version__"])


def library_version(lib: Path) -> str:
    library = ctypes.CDLL(str(lib))
    library.oreg_version.restype = ctypes.c_char_p
    version: bytes = library.oreg_version()
    return version.decode("ascii")


def digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def metadata_text(project: dict[str, Any], version: str) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {version}",
             f"Summary: {project.get('description', '')}"]
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    for author in project.get("authors", []) or []:
        if isinstance(author, dict) and author.get("name"):
            lines.append(f"Author: {author['name']}")
    if project.get("keywords"):
        lines.append("Keywords: " + ",".join(project["keywords"]))
    for classifier in project.get("classifiers", []) or []:
        lines.append(f"Classifier: {classifier}")
    readme = HERE / "README.md"
    text = "\n".join(lines) + "\n"
    if readme.exists():
        text += "Description-Content-Type: text/markdown; charset=UTF-8\n\n" + readme.read_text(encoding="utf-8")
    return text


def default_platform() -> str:
    machine = platform.machine().lower() or "unknown"
    return f"linux_{machine}"


def build(lib: Path, out: Path, plat: str) -> Path:
    project = project_metadata()
    version = package_version()
    if project.get("version") and project["version"] != version:
        raise SystemExit(f"pyproject.toml says version {project['version']}, onderwijsregio/_version.py {version}")
    lib_version = library_version(lib)
    if lib_version != version:
        raise SystemExit(f"{lib} is version {lib_version}, the binding {version}: bump "
                         "bindings/python/onderwijsregio/_version.py and pyproject.toml together with the library")
    name = project["name"]
    dist_info = f"{name}-{version}.dist-info"
    tag = f"py3-none-{plat}"
    wheel_name = f"{name}-{version}-{tag}.whl"
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    stamp = time.gmtime(max(epoch, 315532800))[:6]

    entries: list[tuple[str, bytes, int]] = []
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if path.is_dir() or "__pycache__" in relative.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if relative.parts[0] == "_lib" and path.name != "README":
            continue   # only the library given on the command line goes in
        if path.suffix not in (".py", ".typed") and path.name not in ("py.typed", "README"):
            continue
        entries.append((f"onderwijsregio/{relative.as_posix()}", path.read_bytes(), 0o644))
    entries.append((f"onderwijsregio/_lib/{SONAME}", lib.read_bytes(), 0o755))

    scripts = project.get("scripts", {}) or {}
    entry_points = "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())
    wheel_text = (f"Wheel-Version: 1.0\nGenerator: onderwijsregio build_wheel.py\nRoot-Is-Purelib: false\n"
                  f"Tag: {tag}\n")
    entries += [
        (f"{dist_info}/METADATA", metadata_text(project, version).encode("utf-8"), 0o644),
        (f"{dist_info}/WHEEL", wheel_text.encode("utf-8"), 0o644),
        (f"{dist_info}/entry_points.txt", entry_points.encode("utf-8"), 0o644),
        (f"{dist_info}/top_level.txt", b"onderwijsregio\n", 0o644),
    ]
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for arcname, data, _ in entries:
        writer.writerow([arcname, digest(data), len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    entries.append((f"{dist_info}/RECORD", record.getvalue().encode("utf-8"), 0o644))

    out.mkdir(parents=True, exist_ok=True)
    target = out / wheel_name
    temporary = out / (wheel_name + ".tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for arcname, data, mode in entries:
            info = zipfile.ZipInfo(arcname, date_time=stamp)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    os.replace(temporary, target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lib", required=True, type=Path, help="the built libonderwijsregio.so.0.x.y")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--platform", default=os.environ.get("ONDERWIJSREGIO_WHEEL_PLATFORM") or default_platform())
    args = parser.parse_args()
    lib = args.lib.resolve()
    if not lib.is_file():
        print(f"{args.lib} does not exist: run `make dist` first", file=sys.stderr)
        return 1
    if not re.fullmatch(r"[a-z0-9_]+", args.platform):
        print(f"not a platform tag: {args.platform!r}", file=sys.stderr)
        return 2
    print(build(lib, args.out, args.platform))
    return 0


if __name__ == "__main__":
    sys.exit(main())
