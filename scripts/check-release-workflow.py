"""Checks .github/workflows/release.yml, which cannot run here, against what does run here.

- it is valid YAML with the jobs build, test, test-alpine and publish;
- the build matrix covers exactly package.json's napi.targets;
- tests run on Node 20, 22 and 24, on Alpine (musl) and on arm64 runners;
- every `npm run <script>` it uses exists in package.json and every `scripts/...` file it runs exists;
- it publishes with provenance, the main package without its clone-only scripts (publish-manifest.mjs).
"""
import json
import pathlib
import re
import sys

try:
    import yaml
except ImportError:  # a fresh machine without PyYAML: install it from PyPI
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyyaml"], check=True)
    import yaml

root = pathlib.Path(__file__).resolve().parent.parent
workflow = yaml.safe_load((root / ".github/workflows/release.yml").read_text())
package = json.loads((root / "package.json").read_text())
problems = []

jobs = workflow.get("jobs", {})
for job in ("build", "test", "test-alpine", "publish"):
    if job not in jobs:
        problems.append(f"job {job!r} is missing")

built = {entry["target"] for entry in jobs.get("build", {}).get("strategy", {}).get("matrix", {}).get("include", [])}
if built != set(package["napi"]["targets"]):
    problems.append(f"build targets {sorted(built)} differ from napi.targets {sorted(package['napi']['targets'])}")

for job in ("test", "test-alpine"):
    nodes = set(map(str, jobs.get(job, {}).get("strategy", {}).get("matrix", {}).get("node", [])))
    if not {"20", "22", "24"} <= nodes:
        problems.append(f"job {job!r} does not test Node 20, 22 and 24 (has {sorted(nodes)})")
hosts = json.dumps(jobs.get("test", {})) + json.dumps(jobs.get("test-alpine", {}))
if "arm" not in hosts:
    problems.append("no arm64 test runner")
if "alpine" not in json.dumps(jobs.get("test-alpine", {})):
    problems.append("no Alpine test container")

text = (root / ".github/workflows/release.yml").read_text()
for script in re.findall(r"npm run ([\w:.-]+)", text):
    if script not in package["scripts"]:
        problems.append(f"`npm run {script}` is not a package.json script")
for path in re.findall(r"(scripts/[\w./-]+)", text):
    if not (root / path).exists():
        problems.append(f"{path} does not exist")
if "--provenance" not in text:
    problems.append("npm publish without --provenance")
publish_steps = [step.get("run", "") for step in jobs.get("publish", {}).get("steps", [])]
main_publish = [run for run in publish_steps if "npm publish" in run]
if not main_publish or not all(
    "node scripts/publish-manifest.mjs" in run and run.index("node scripts/publish-manifest.mjs") < run.index("npm publish")
    for run in main_publish
):
    problems.append("the main package is published without `node scripts/publish-manifest.mjs` first")

if problems:
    print("release.yml: " + "; ".join(problems))
    sys.exit(1)
print(f"release.yml: ok ({len(jobs)} jobs, {len(built)} targets)")
