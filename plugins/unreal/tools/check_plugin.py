#!/usr/bin/env python3
"""Checks what can be checked of the Unreal plugin without the engine: the .uplugin descriptor,
that each module it names has its folder and a matching Build.cs class, that every module a
Build.cs depends on and that lives in the plugin exists, and that every header declaring
reflected types includes its `<File>.generated.h` last and exports with the module's API macro.
Exits non-zero naming every problem. Usage: check_plugin.py [plugin dir]"""

import json
import pathlib
import re
import sys

ENGINE_MODULES = {"Core", "CoreUObject", "Engine", "Json", "Projects", "RenderCore", "RHI", "UMG", "Slate", "SlateCore"}


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[1] / "EtridLightning")
    problems = []
    descriptors = list(root.glob("*.uplugin"))
    if len(descriptors) != 1:
        return fail([f"{root}: expected one .uplugin, found {len(descriptors)}"])
    descriptor = json.loads(descriptors[0].read_text(encoding="utf-8"))
    if descriptor.get("FileVersion") != 3:
        problems.append("FileVersion must be 3")
    source = root / "Source"
    plugin_modules = {p.parent.name for p in source.rglob("*.Build.cs")}
    for module in descriptor.get("Modules", []):
        name = module.get("Name", "")
        if module.get("Type") not in {"Runtime", "Editor", "RuntimeNoCommandlet", "Developer"}:
            problems.append(f"module {name}: unknown Type {module.get('Type')!r}")
        build = source / name / f"{name}.Build.cs"
        if not build.is_file():
            problems.append(f"module {name}: no {build.relative_to(root)}")
    for build in source.rglob("*.Build.cs"):
        name = build.parent.name
        text = build.read_text(encoding="utf-8")
        if not re.search(rf"public class {name} : ModuleRules", text):
            problems.append(f"{build.relative_to(root)}: no class {name} : ModuleRules")
        for listed in re.findall(r"DependencyModuleNames\.AddRange\(new string\[\] \{([^}]*)\}", text):
            for dependency in (d.strip().strip('"') for d in listed.split(",")):
                if dependency and dependency not in ENGINE_MODULES and dependency not in plugin_modules:
                    problems.append(f"{build.relative_to(root)}: depends on unknown module {dependency}")
        api = f"{name.upper()}_API"
        for header in (build.parent / "Public").glob("*.h") if (build.parent / "Public").is_dir() else []:
            text = header.read_text(encoding="utf-8")
            if not re.search(r"^(UCLASS|USTRUCT|UENUM)\(", text, re.M):
                continue
            includes = re.findall(r'^#include "([^"]+)"', text, re.M)
            generated = f"{header.stem}.generated.h"
            if not includes or includes[-1] != generated:
                problems.append(f"{header.relative_to(root)}: the last include must be {generated}")
            for declared in re.findall(r"^(?:class|struct) (\w+_API)? ?\w+", text, re.M):
                if declared and declared != api:
                    problems.append(f"{header.relative_to(root)}: exports with {declared}, not {api}")
            for kind in re.findall(r"^(?:UCLASS|USTRUCT)\([^)]*\)\s*\n(?:class|struct) (?!\w+_API)", text, re.M):
                problems.append(f"{header.relative_to(root)}: a reflected type without {api}")
    return fail(problems) if problems else ok(root)


def fail(problems) -> int:
    for problem in problems:
        print(f"check_plugin: {problem}", file=sys.stderr)
    return 1


def ok(root) -> int:
    print(f"check_plugin: {root.name} descriptor, modules and reflected headers are consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
