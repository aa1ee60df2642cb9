#!/usr/bin/env python3
"""Checks what can be checked of the Godot addon without a Godot 4 engine (none is obtainable
here): the .gdextension file (entry symbol, compatibility_minimum 4.2, a library per platform,
all inside the addon's bin/), the icon it names, that the sample scenes' scripts exist and their
LightningClient nodes set only properties the class exports, and that every method, signal and
property the GDScript samples use on a LightningClient or a LightningRequest is one the Rust
classes declare (#[func], #[signal], #[export]). With a built library (argument --library PATH),
also that it exports the entry symbol. Exits non-zero naming every problem.
Usage: check_addon.py [--library path/to/libetrid_godot.so]"""

import configparser
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDON = ROOT / "addons" / "etrid_lightning"
PLATFORMS = [
    "linux.debug.x86_64", "linux.release.x86_64", "windows.debug.x86_64", "windows.release.x86_64",
    "macos.debug", "macos.release", "android.debug.arm64", "android.release.arm64", "ios.debug", "ios.release",
]
# What GDScript may call on any Node / RefCounted (inherited from Godot's classes).
INHERITED = {"connect", "disconnect", "is_connected", "emit_signal", "get", "set", "call", "free",
             "queue_free", "get_parent", "add_child", "name", "is_inside_tree"}


def declared(source: pathlib.Path):
    """The #[func] methods, #[signal]s and #[export] properties a Rust class file declares."""
    text = source.read_text(encoding="utf-8")
    funcs = set(re.findall(r"#\[func\]\s*(?:pub(?:\([^)]*\))?\s+)?fn\s+(\w+)", text))
    signals = set(re.findall(r"#\[signal\]\s*fn\s+(\w+)", text))
    exports = set(re.findall(r"#\[export\]\s*(\w+)\s*:", text))
    return funcs, signals, exports


def check_gdextension(problems):
    path = ADDON / "etrid_lightning.gdextension"
    config = configparser.ConfigParser()
    config.optionxform = str
    config.read(path, encoding="utf-8")
    unquote = lambda v: v.strip().strip('"')
    conf = config["configuration"] if config.has_section("configuration") else {}
    if unquote(conf.get("entry_symbol", "")) != "gdext_rust_init":
        problems.append(f"{path.name}: entry_symbol must be gdext_rust_init")
    minimum = unquote(conf.get("compatibility_minimum", "0"))
    if tuple(int(p) for p in minimum.split(".")) < (4, 2):
        problems.append(f"{path.name}: compatibility_minimum {minimum} is below 4.2")
    libraries = config["libraries"] if config.has_section("libraries") else {}
    for platform in PLATFORMS:
        library = unquote(libraries.get(platform, ""))
        if not library:
            problems.append(f"{path.name}: no library for {platform}")
        elif not library.startswith("res://addons/etrid_lightning/bin/"):
            problems.append(f"{path.name}: {platform} library {library} is outside the addon's bin/")
    if config.has_section("icons"):
        for cls, icon in config["icons"].items():
            target = ROOT / unquote(icon).removeprefix("res://")
            if not target.is_file():
                problems.append(f"{path.name}: icon of {cls} {icon} does not exist")


def check_samples(problems):
    client_funcs, client_signals, client_exports = declared(ROOT / "rust" / "src" / "client.rs")
    request_funcs, request_signals, _ = declared(ROOT / "rust" / "src" / "request.rs")
    if not client_funcs or not client_signals or not request_signals:
        problems.append("could not read the Rust classes' declarations")
    for scene in sorted((ROOT / "demo").glob("*.tscn")):
        text = scene.read_text(encoding="utf-8")
        for script in re.findall(r'path="res://([^"]+\.gd)"', text):
            if not (ROOT / script).is_file():
                problems.append(f"{scene.name}: script {script} does not exist")
        for block in re.findall(r'\[node name="\w+" type="LightningClient"[^\]]*\]\n((?:\w+ = .*\n)*)', text):
            for prop in re.findall(r"^(\w+) = ", block, re.M):
                if prop not in client_exports:
                    problems.append(f"{scene.name}: LightningClient has no exported property {prop}")
    for script in sorted((ROOT / "demo").glob("*.gd")):
        text = script.read_text(encoding="utf-8")
        for member in re.findall(r"\bclient\.(\w+)", text):
            if member not in client_funcs | client_signals | client_exports | INHERITED:
                problems.append(f"{script.name}: LightningClient has no {member}")
        for signal in re.findall(r"\bclient\.(\w+)\.connect", text):
            if signal not in client_signals:
                problems.append(f"{script.name}: LightningClient has no signal {signal}")
        for signal in re.findall(r"\.completed\b", text):
            if "completed" not in request_signals:
                problems.append(f"{script.name}: LightningRequest has no signal completed")
        for member in re.findall(r"\brequest\.(\w+)", text):
            if member not in request_funcs | request_signals | INHERITED:
                problems.append(f"{script.name}: LightningRequest has no {member}")


def check_library(path: pathlib.Path, problems):
    if not path.is_file():
        problems.append(f"{path}: no such library")
        return
    symbols = subprocess.run(["nm", "-D", "--defined-only", str(path)], check=True,
                             capture_output=True, text=True).stdout
    if not re.search(r"\bT gdext_rust_init$", symbols, re.M):
        problems.append(f"{path.name}: does not export gdext_rust_init")


def main() -> int:
    problems = []
    check_gdextension(problems)
    check_samples(problems)
    if "--library" in sys.argv:
        check_library(pathlib.Path(sys.argv[sys.argv.index("--library") + 1]), problems)
    for problem in problems:
        print(f"check_addon: {problem}", file=sys.stderr)
    if not problems:
        print("check_addon: the .gdextension, the samples and the library are consistent")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
