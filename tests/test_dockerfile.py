"""
The Dockerfile, tested as far as it can be without a Docker daemon: its
instructions (entry point, default arguments, health check, a layer of
dependencies before any source, no source in the image, a numeric user
the Kubernetes manifests agree with), and the commands it runs, run here:
the dependency list it extracts from setup.py, its health check against a
live Mimic, and the MIMIC_LISTEN default it relies on.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys

import yaml

from mimic.model.mesh import kubernetes
from tests.harness import start_mimic
from tests.k8s_support import DEPLOY, ROOT
from tests.mesh_support import closed_port


def instructions() -> list:
    """(INSTRUCTION, arguments) of each line, continuations joined, comments skipped."""
    found, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = pending + line
        pending = ""
        keyword, _, rest = text.strip().partition(" ")
        found.append((keyword.upper(), rest.strip()))
    return found


def final_stage() -> list:
    steps = instructions()
    last = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last + 1:]


def only(keyword: str) -> str:
    [value] = [rest for k, rest in final_stage() if k == keyword]
    return value


def test_mimic_is_the_entry_point_and_cmd_holds_default_arguments():
    assert json.loads(only("ENTRYPOINT")) == ["mimic"]
    assert json.loads(only("CMD")) == ["--listen", "tcp:8900:interface=0.0.0.0"]
    # Arguments that replace CMD still listen on all interfaces.
    assert only("ENV") == "MIMIC_LISTEN=tcp:8900:interface=0.0.0.0"
    assert only("EXPOSE") == "8900"


def test_the_image_keeps_no_source_and_installs_dependencies_before_it():
    stage = final_stage()
    copies = [rest for k, rest in stage if k == "COPY"]
    # Only what the build stage made: the dependency list and the wheel.
    assert copies == ["--from=build /requirements.txt /tmp/requirements.txt",
                      "--from=build /wheels/ /tmp/wheels/"]
    runs = [rest for k, rest in stage if k == "RUN"]
    assert runs[0].startswith("pip install --no-cache-dir -r /tmp/requirements.txt")
    assert "/tmp/wheels" not in runs[0]
    assert "pip install --no-cache-dir --no-deps /tmp/wheels/*.whl" in runs[1]
    assert "rm -rf /tmp/wheels" in runs[1]
    order = [k if k != "COPY" else rest.split()[1] for k, rest in stage if k in ("COPY", "RUN")]
    assert order == ["/requirements.txt", "RUN", "/wheels/", "RUN"]


def test_plugin_caches_are_written_from_outside_any_source_tree():
    last_run = [rest for k, rest in final_stage() if k == "RUN"][-1]
    assert last_run.endswith("&& cd / && python -m mimic.plugin_cache")


def test_the_image_runs_as_the_numeric_user_the_manifests_ask_for():
    assert only("USER") == str(kubernetes.USER_ID)
    assert "--uid 10001 --gid 10001" in [r for k, r in final_stage() if k == "RUN"][0]
    deployment = yaml.safe_load((DEPLOY / "base" / "deployment.yaml").read_text())
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == \
        kubernetes.USER_ID


def test_the_dependency_list_the_build_extracts_is_setup_pys(tmp_path):
    [run] = [rest for k, rest in instructions() if k == "RUN" and "install_requires" in rest]
    [command] = [part for part in run.split(" && ") if "install_requires" in part]
    words = shlex.split(command.rsplit(">", 1)[0])
    assert words[:2] == ["python", "-c"]
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    # Only the files the build stage has copied so far.
    result = subprocess.run([sys.executable, "-c", words[2]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    import ast

    tree = ast.parse((ROOT / "setup.py").read_text())
    [call] = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
              and getattr(n.func, "id", None) == "setup"]
    [requires] = [k.value for k in call.keywords if k.arg == "install_requires"]
    assert result.stdout.split() == ast.literal_eval(requires)


def healthcheck_command() -> list:
    value = only("HEALTHCHECK")
    assert "--interval=" in value and "--timeout=" in value
    return json.loads(value[value.index("CMD") + 3:].strip())


def test_the_health_check_passes_against_a_listening_mimic_and_fails_without_one(mimic_server):
    command = healthcheck_command()
    assert command[0] == "python"
    port = mimic_server.base_url.rsplit(":", 1)[1]
    here = [sys.executable, *[part.replace(":8900/", f":{port}/") for part in command[1:]]]
    assert subprocess.run(here, timeout=30).returncode == 0
    closed = [sys.executable, *[part.replace(":8900/", f":{closed_port()}/")
                                for part in command[1:]]]
    assert subprocess.run(closed, capture_output=True, timeout=30).returncode != 0


def test_mimic_listen_in_the_environment_is_the_default_listen_address():
    port = closed_port()
    server = start_mimic(command=[sys.executable, "-m", "mimic", "--verbose"],
                         env={"MIMIC_LISTEN": f"tcp:{port}:interface=127.0.0.1"})
    try:
        assert server.base_url == f"http://127.0.0.1:{port}"
        assert server.client().get("/").status_code == 200
    finally:
        server.stop()
