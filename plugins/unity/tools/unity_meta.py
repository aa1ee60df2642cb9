#!/usr/bin/env python3
"""Writes and checks the Unity `.meta` files of the com.etrid.lightning package.

Unity gives every asset a GUID stored in `<asset>.meta`; a package installed from git or a
tarball is immutable, so Unity cannot create them there: every file and folder Unity imports must
ship with one. This script owns that rule.

  --write   creates each missing `.meta` with a GUID derived from the package-relative path
            (uuid5), so reruns and other machines produce the same GUIDs. Existing `.meta` files,
            such as the hand-written PluginImporter ones of the native libraries, are never
            touched.
  --check   (CI) fails, listing every problem: an asset without a `.meta`, an orphan `.meta`, a
            malformed `.meta`, duplicate GUIDs, a scene/prefab script GUID that matches no
            `.meta`, invalid JSON in package.json or an assembly definition, and package.json
            `samples` paths that do not exist.
  --guid P  prints the GUID --write gives the package-relative path P (for scene references).

What Unity imports, and so what needs a `.meta`: every file and folder of the package except
hidden ones (`.gitignore`) and those whose name ends with `~`. The contents of `Samples~` are the
exception: Unity copies a sample into Assets/ with its `.meta` files when the user imports it,
so they need them too. `Documentation~` is never imported and gets none.

Native libraries are built, not committed (Runtime/Plugins/.gitignore), while their
hand-written `.meta` files are: such a `.meta` without its library is expected, not an orphan.

Python 3.11, standard library only. Usage: unity_meta.py (--write | --check | --guid PATH)
[--package DIR]; the package defaults to ../com.etrid.lightning next to this script.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path

DEFAULT_PACKAGE = Path(__file__).resolve().parent.parent / "com.etrid.lightning"

# The namespace of every GUID --write derives: fixed forever, or every GUID would change.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "com.etrid.lightning")

# Folders whose name ends with "~" are invisible to Unity; of these, only the samples' contents
# are ever imported (into the user's Assets/ folder, .meta files included).
IMPORTED_TILDE_FOLDERS = {"Samples~"}

# Native libraries: their PluginImporter settings (platform, CPU) cannot be derived from a
# name, so their .meta files are written by hand; the libraries themselves are build outputs.
NATIVE_SUFFIXES = (".so", ".dll", ".dylib", ".a", ".bundle", ".aar", ".jar")
NATIVE_ROOT = "Runtime/Plugins/"

COMMON_FIELDS = "  externalObjects: {}\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n"

# The importer block per file extension, as Unity 2021.3 writes it.
IMPORTERS = {
    ".cs": "MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n"
    "  executionOrder: 0\n  icon: {instanceID: 0}\n  userData: \n  assetBundleName: \n"
    "  assetBundleVariant: \n",
    ".asmdef": "AssemblyDefinitionImporter:\n" + COMMON_FIELDS,
    ".asmref": "AssemblyDefinitionReferenceImporter:\n" + COMMON_FIELDS,
    ".md": "TextScriptImporter:\n" + COMMON_FIELDS,
    ".txt": "TextScriptImporter:\n" + COMMON_FIELDS,
    ".json": "TextScriptImporter:\n" + COMMON_FIELDS,
    ".unity": "DefaultImporter:\n" + COMMON_FIELDS,
}
FOLDER_IMPORTER = "folderAsset: yes\nDefaultImporter:\n" + COMMON_FIELDS
MANIFEST_IMPORTER = "PackageManifestImporter:\n" + COMMON_FIELDS

GUID_LINE = re.compile(r"^guid: ([0-9a-f]{32})$", re.MULTILINE)
SCRIPT_REF = re.compile(r"m_Script: \{fileID: 11500000, guid: ([0-9A-Za-z]+), type: 3\}")
SERIALIZED_ASSETS = (".unity", ".prefab", ".asset")
JSON_ASSETS = (".asmdef", ".asmref")


def guid_for(rel: str) -> str:
    """The GUID --write gives the asset at package-relative POSIX path `rel`."""
    return uuid.uuid5(GUID_NAMESPACE, rel).hex


def rel_of(package: Path, path: Path) -> str:
    """`path` relative to the package, with forward slashes (the GUID input)."""
    return path.relative_to(package).as_posix()


def assets(package: Path) -> dict[str, bool]:
    """Every package-relative path Unity imports, mapped to whether it is a folder."""
    found: dict[str, bool] = {}

    def visit(folder: Path, imported: bool) -> None:
        for entry in sorted(folder.iterdir()):
            name = entry.name
            if name.startswith(".") or name.endswith(".meta"):
                continue
            if name.endswith("~"):
                # The folder itself is never an asset; its contents are only if imported later.
                if entry.is_dir() and name in IMPORTED_TILDE_FOLDERS and folder == package:
                    visit(entry, True)
                continue
            if imported:
                found[rel_of(package, entry)] = entry.is_dir()
            if entry.is_dir():
                visit(entry, imported)

    visit(package, True)
    return found


def meta_files(package: Path) -> list[Path]:
    """Every .meta file in the package, hidden folders aside."""
    return sorted(
        path
        for path in package.rglob("*.meta")
        if not any(part.startswith(".") for part in path.relative_to(package).parts)
    )


def meta_text(rel: str, is_dir: bool) -> str:
    """The .meta --write creates for `rel`.

    Raises ValueError for a file whose importer cannot be chosen by extension (native
    libraries, textures, ...): write that .meta by hand.
    """
    if is_dir:
        importer = FOLDER_IMPORTER
    elif rel == "package.json":
        importer = MANIFEST_IMPORTER
    else:
        suffix = Path(rel).suffix.lower()
        if suffix in NATIVE_SUFFIXES:
            raise ValueError(f"{rel}: a native library needs a hand-written PluginImporter .meta")
        if suffix not in IMPORTERS:
            raise ValueError(f"{rel}: no importer known for '{suffix}' files; write its .meta by hand")
        importer = IMPORTERS[suffix]
    return f"fileFormatVersion: 2\nguid: {guid_for(rel)}\n{importer}"


def is_native_placeholder(package: Path, meta: Path) -> bool:
    """Whether `meta` is the committed .meta of a native library that is not built here."""
    rel = rel_of(package, meta)[: -len(".meta")]
    return rel.startswith(NATIVE_ROOT) and rel.lower().endswith(NATIVE_SUFFIXES)


def write(package: Path) -> int:
    """Creates the missing .meta files; returns the exit status."""
    status = 0
    created = 0
    for rel, is_dir in assets(package).items():
        meta = package / (rel + ".meta")
        if meta.exists():
            continue
        try:
            text = meta_text(rel, is_dir)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
            continue
        meta.write_text(text, encoding="utf-8", newline="\n")
        print(f"created {rel}.meta")
        created += 1
    print(f"unity_meta: created {created} .meta file(s) in {package}")
    return status


def check_metas(package: Path, found: dict[str, bool], errors: list[str]) -> set[str]:
    """Checks every asset's .meta and every .meta's asset; returns the GUIDs seen."""
    for rel in found:
        if not (package / (rel + ".meta")).is_file():
            errors.append(f"missing .meta: {rel} (run unity_meta.py --write)")

    guids: dict[str, str] = {}
    for meta in meta_files(package):
        rel_meta = rel_of(package, meta)
        rel = rel_meta[: -len(".meta")]
        if rel not in found and not is_native_placeholder(package, meta):
            errors.append(f"orphan .meta (no asset Unity imports): {rel_meta}")
        text = meta.read_text(encoding="utf-8")
        match = GUID_LINE.search(text)
        if not text.startswith("fileFormatVersion: 2\n") or match is None:
            errors.append(f"malformed .meta (needs 'fileFormatVersion: 2' and a 32-hex guid): {rel_meta}")
            continue
        is_folder_meta = "\nfolderAsset: yes\n" in text
        if rel in found and found[rel] != is_folder_meta:
            kind = "a folder" if found[rel] else "a file"
            errors.append(f".meta of {kind} says folderAsset {'no' if found[rel] else 'yes'}: {rel_meta}")
        guid = match.group(1)
        if guid in guids:
            errors.append(f"duplicate guid {guid}: {guids[guid]} and {rel_meta}")
        else:
            guids[guid] = rel_meta
    return set(guids)


def check_script_refs(package: Path, found: dict[str, bool], guids: set[str], errors: list[str]) -> None:
    """Each script a scene, prefab or asset references must be a script of this package."""
    for rel, is_dir in found.items():
        if is_dir or not rel.endswith(SERIALIZED_ASSETS):
            continue
        text = (package / rel).read_text(encoding="utf-8")
        for guid in SCRIPT_REF.findall(text):
            if guid not in guids:
                errors.append(f"{rel}: m_Script guid {guid} matches no .meta in the package")


def load_json(package: Path, rel: str, errors: list[str]) -> object:
    """The parsed JSON file, or None after recording why it is invalid."""
    try:
        return json.loads((package / rel).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        errors.append(f"invalid JSON in {rel}: {error}")
        return None


def check_manifest(package: Path, errors: list[str]) -> None:
    """package.json parses, names the package and version, and its samples exist."""
    manifest = load_json(package, "package.json", errors)
    if manifest is None:
        return
    if not isinstance(manifest, dict):
        errors.append("package.json: not a JSON object")
        return
    for field in ("name", "version", "displayName", "unity"):
        if not isinstance(manifest.get(field), str) or not manifest[field]:
            errors.append(f"package.json: missing string field '{field}'")
    samples = manifest.get("samples", [])
    if not isinstance(samples, list):
        errors.append("package.json: 'samples' is not an array")
        return
    for index, sample in enumerate(samples):
        path = sample.get("path") if isinstance(sample, dict) else None
        if not isinstance(path, str) or not path:
            errors.append(f"package.json: samples[{index}] has no 'path'")
        elif not (package / path).is_dir():
            errors.append(f"package.json: samples[{index}].path '{path}' is not a folder of the package")
        if not isinstance(sample, dict) or not sample.get("displayName"):
            errors.append(f"package.json: samples[{index}] has no 'displayName'")


def check_assembly_definitions(package: Path, found: dict[str, bool], errors: list[str]) -> None:
    """Each .asmdef/.asmref parses; each .asmdef has a name no other one has."""
    names: dict[str, str] = {}
    rels = [rel for rel, is_dir in found.items() if not is_dir and rel.endswith(JSON_ASSETS)]
    for rel in rels:
        parsed = load_json(package, rel, errors)
        if parsed is None or not rel.endswith(".asmdef"):
            continue
        name = parsed.get("name") if isinstance(parsed, dict) else None
        if not isinstance(name, str) or not name:
            errors.append(f"{rel}: no 'name'")
        elif name in names:
            errors.append(f"{rel}: assembly name '{name}' is also used by {names[name]}")
        else:
            names[name] = rel


def check(package: Path) -> int:
    """Runs every check; prints the problems; returns the exit status."""
    found = assets(package)
    errors: list[str] = []
    guids = check_metas(package, found, errors)
    check_script_refs(package, found, guids, errors)
    check_manifest(package, errors)
    check_assembly_definitions(package, found, errors)
    missing_natives = [
        rel_of(package, meta)[: -len(".meta")]
        for meta in meta_files(package)
        if is_native_placeholder(package, meta) and not meta.with_suffix("").exists()
    ]
    for rel in missing_natives:
        print(f"note: native library not built here: {rel} (plugins/unity/build-native.sh)")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        print(f"unity_meta: {len(errors)} problem(s) in {package}", file=sys.stderr)
        return 1
    print(f"unity_meta: {len(found)} assets, each with a .meta; {len(guids)} unique GUIDs; manifest, "
          f"assembly definitions and scene script references valid")
    return 0


def main() -> int:
    """Parses the command line and runs the chosen mode."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="create missing .meta files")
    mode.add_argument("--check", action="store_true", help="fail on any .meta or manifest problem")
    mode.add_argument("--guid", metavar="PATH", help="print the GUID derived for a package-relative path")
    parser.add_argument("--package", type=Path, default=DEFAULT_PACKAGE, help="the package folder")
    args = parser.parse_args()
    package = args.package.resolve()
    if args.guid is not None:
        print(guid_for(args.guid.strip("/")))
        return 0
    if not (package / "package.json").is_file():
        print(f"error: {package} holds no package.json", file=sys.stderr)
        return 1
    return write(package) if args.write else check(package)


if __name__ == "__main__":
    sys.exit(main())
