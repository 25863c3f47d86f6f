"""Check pinned dependencies against a local copy of the PyPA advisory database.

    python scripts/audit_dependencies.py requirements.lock /path/to/advisory-database

pip-audit asks PyPI's or OSV's online service; where those cannot be reached, this reads
the same advisories (OSV records, github.com/pypa/advisory-database, one YAML file per
advisory under vulns/<package>/) from a checkout. Prints each pinned package found
affected, with the advisory and the versions that fix it; exits 1 if any.
"""

import argparse
import sys
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def pinned(lock: Path) -> dict[str, Version]:
    packages = {}
    for number, line in enumerate(lock.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, separator, version = line.partition("==")
        if not separator:
            sys.exit(f"{lock}:{number}: not a pinned requirement (name==version): {line}")
        packages[canonicalize_name(name)] = Version(version.split(";")[0].strip())
    return packages


def affects(affected: dict, version: Version) -> bool:
    if str(version) in {str(v) for v in affected.get("versions") or []}:
        return True
    for versions in affected.get("ranges") or []:
        if versions.get("type") != "ECOSYSTEM":
            continue
        inside = False
        for event in versions.get("events") or []:
            kind, bound = next(iter(event.items()))
            try:
                at = Version(str(bound)) if str(bound) != "0" else None
            except InvalidVersion:
                continue
            if kind == "introduced" and (at is None or version >= at):
                inside = True
            elif at is not None and (
                (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at)
            ):
                inside = False
        if inside:
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path)
    parser.add_argument("database", type=Path, help="a checkout of pypa/advisory-database")
    args = parser.parse_args()
    packages = pinned(args.lock)
    found = 0
    for folder in sorted((args.database / "vulns").iterdir()):
        name = canonicalize_name(folder.name)
        if name not in packages:
            continue
        for record in sorted(folder.glob("*.yaml")):
            advisory = yaml.safe_load(record.read_text())
            for affected in advisory.get("affected") or []:
                package = affected.get("package") or {}
                if canonicalize_name(package.get("name", "")) != name:
                    continue
                if affects(affected, packages[name]):
                    found += 1
                    fixed = sorted(
                        {
                            str(event["fixed"])
                            for versions in affected.get("ranges") or []
                            if versions.get("type") == "ECOSYSTEM"
                            for event in versions.get("events") or []
                            if "fixed" in event
                        }
                    )
                    print(
                        f"{name} {packages[name]}: {advisory['id']} "
                        f"(fixed in {', '.join(fixed) or 'no release'})"
                    )
    checked = sum(
        1
        for folder in (args.database / "vulns").iterdir()
        if canonicalize_name(folder.name) in packages
    )
    print(
        f"{len(packages)} pinned packages, {checked} with advisories on record, "
        f"{found} known vulnerabilities affecting the pinned versions"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
