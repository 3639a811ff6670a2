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
# Every step of every job that publishes the main package (an `npm publish` run, or an action) must first
# rewrite package.json with publish-manifest.mjs: as the first command of that run, not a pipeline or `||`.
for name, job in jobs.items():
    for step in job.get("steps", []):
        run = step.get("run", "")
        if "publish" in str(step.get("uses", "")).lower():
            problems.append(f"job {name!r} publishes through an action ({step['uses']}), not `npm publish`")
        if not re.search(r"^\s*npm publish\b", run, re.M):
            continue
        commands = [line.strip() for line in run.splitlines() if line.strip() and not line.strip().startswith("#")]
        if not commands or commands[0] != "node scripts/publish-manifest.mjs":
            problems.append(f"job {name!r} runs `npm publish` without `node scripts/publish-manifest.mjs` as its first command")
if problems:
    print("release.yml: " + "; ".join(problems))
    sys.exit(1)
print(f"release.yml: ok ({len(jobs)} jobs, {len(built)} targets)")
