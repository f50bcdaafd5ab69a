#!/usr/bin/env python3
"""Fails when a Swift file imports a module its target does not declare in Package.swift.

SwiftPM lets a target import any module that some dependency happens to build; this keeps each target's
dependency list the truth about what it uses. Reads `swift package dump-package`; toolchain and C system
modules are always allowed.
"""
import json
import pathlib
import re
import subprocess
import sys

ALWAYS = {"Foundation", "FoundationEssentials", "Dispatch", "Glibc", "Darwin", "CoreFoundation", "XCTest", "Testing",
          "Synchronization", "_Concurrency", "os"}

package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True,
                                    text=True).stdout)
failures = []
for target in package["targets"]:
    if target["type"] == "system":
        continue
    declared = {target["name"]}
    for dependency in target["dependencies"]:
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                declared.add(dependency[kind][0])
    root = pathlib.Path(target.get("path") or ("Tests" if target["type"] == "test" else "Sources")) / \
        ("" if target.get("path") else target["name"])
    for source in sorted(root.rglob("*.swift")):
        for number, line in enumerate(source.read_text().splitlines(), 1):
            match = re.match(r"^(?:@testable |@preconcurrency |public |internal )*import (?:struct |class |enum |func )?(\w+)", line)
            if match and match.group(1) not in declared | ALWAYS:
                failures.append(f"{source}:{number}: imports {match.group(1)}, which target {target['name']} does not declare")
for failure in failures:
    print(failure, file=sys.stderr)
sys.exit(1 if failures else 0)
