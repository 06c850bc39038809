#!/usr/bin/env python3
"""Static checks of the deployment files (run by scripts/ci.d/40-container-contract).

No platform CLI runs here: there is no Docker engine, and flyctl, the Render CLI and the
Vercel CLI are not installable from this machine's registries. So each file is checked
against what its platform documents (a JSON schema written from the documented keys, in
scripts/deploy/schemas/, where unknown keys are errors), Compose by Debian's docker-compose
(`config` needs no engine), and every file for the values the guides in docs/DEPLOY.md rely
on. Prints one line per check and exits 1 if any failed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).resolve().parent / "schemas"

results: list[tuple[str, str | None]] = []


def check(name: str):
    """Decorator: runs the function now; an AssertionError (or any error) fails the check."""
    def run(fn):
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - report every kind of failure the same way
            detail = str(error) or type(error).__name__
            results.append((name, detail))
            print(f"FAIL  {name}: {detail}")
        else:
            results.append((name, None))
            print(f"ok    {name}")
        return fn
    return run


def schema_errors(document: object, schema_file: str) -> list[str]:
    schema = json.loads((SCHEMAS / schema_file).read_text())
    validator = Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]


def known_settings() -> set[str]:
    """Every variable the server reads, as listed (commented or not) in .env.example."""
    names = set(re.findall(r"(?m)^#?([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text()))
    assert {"PORT", "AUTH_SECRET", "DATABASE_URL", "FORWARDED_HOPS"} <= names, "could not read .env.example"
    return names


SETTINGS = known_settings()


def assert_known(names: set[str], where: str) -> None:
    unknown = sorted(names - SETTINGS)
    assert not unknown, f"{where} sets {unknown}, which Punchlist does not read (typo?)"


# --- Dockerfile -------------------------------------------------------------------------

def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (REPO / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


@check("Dockerfile: multi-stage, Swift 6.3 build, static stdlib, uid 1000, HOST/PORT/DATA_DIR, healthcheck")
def _dockerfile():
    ins = dockerfile_instructions()
    froms = [arg for word, arg in ins if word == "FROM"]
    assert len(froms) >= 2, f"expected a build and a runtime stage, got FROM {froms}"
    build = re.match(r"swift:6\.3-(bookworm|noble) AS build$", froms[0], re.I)
    assert build, f"first stage must build in swift:6.3-bookworm or -noble, got {froms[0]!r}"
    runtime = {"bookworm": "debian:bookworm-slim", "noble": "ubuntu:24.04"}[build.group(1)]
    assert froms[-1].split()[0] == runtime, f"runtime stage should be {runtime} (same distribution as the build), got {froms[-1]!r}"
    final = ins[max(i for i, (w, _) in enumerate(ins) if w == "FROM"):]
    runs = " ".join(arg for w, arg in ins if w == "RUN")
    assert "--static-swift-stdlib" in runs and "-c release" in runs, "release build with --static-swift-stdlib"
    release_build = (REPO / "scripts" / "release-build").read_text()
    for flag in ("-Xswiftc -Xfrontend -Xswiftc -function-sections", "-Xcc -ffunction-sections"):
        assert flag in runs and flag in release_build, f"Dockerfile and scripts/release-build both build with {flag} (linker/text.ld)"
    copies = [arg for w, arg in ins if w == "COPY"]
    assert "linker ./linker" in copies, "COPY linker ./linker: the release link reads linker/startup-order.txt and text.ld"
    for package in ("libsqlite3-dev", "zlib1g-dev"):
        assert package in runs, f"the build stage needs {package} (GRDB, compress-nio)"
    final_runs = " ".join(arg for w, arg in final if w == "RUN")
    assert "libsqlite3-0" in final_runs, "the runtime stage needs libsqlite3-0"
    assert "ca-certificates" in final_runs, "the runtime stage needs ca-certificates (TLS to Neon, JWKS)"
    assert "install -d -o 1000 -g 1000" in final_runs, "/data must be created owned by uid 1000"
    users = [arg for w, arg in final if w == "USER"]
    assert users and users[-1] in ("1000", "1000:1000"), f"must run as uid 1000, got USER {users}"
    env = " ".join(arg for w, arg in final if w == "ENV")
    for setting in ("HOST=0.0.0.0", "PORT=7860", "DATA_DIR=/data", "PUBLIC_DIR=/app/Public"):
        assert setting in env.split(), f"ENV {setting} missing (got {env!r})"
    health = [arg for w, arg in final if w == "HEALTHCHECK"]
    assert health and health[0].endswith('CMD ["punchlist", "healthcheck"]'), f"HEALTHCHECK through punchlist healthcheck, got {health}"
    assert ("EXPOSE", "7860") in final, "EXPOSE 7860"
    entry = [arg for w, arg in final if w == "ENTRYPOINT"]
    assert entry == ['["punchlist"]'], f"exec-form ENTRYPOINT so the server is PID 1 and gets SIGTERM, got {entry}"
    copies = [arg for w, arg in ins if w == "COPY"]
    assert any("Public" in c for c in copies) or "Public" in runs, "the web app (Public/) must be copied"


@check(".dockerignore: the build context holds the sources, linker/ and Public/, never secrets or build output")
def _dockerignore():
    patterns = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    # docker-py's implementation of .dockerignore matching (python3-docker, which Debian's
    # docker-compose depends on), run by the system Python that has it.
    probe = ("import json, sys\nfrom docker.utils.build import exclude_paths\n"
             "print(json.dumps(sorted(exclude_paths(sys.argv[1], json.loads(sys.argv[2])))))")
    done = subprocess.run(["/usr/bin/python3", "-c", probe, str(REPO), json.dumps(patterns)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"docker-py's exclude_paths failed: {done.stderr.strip()[-500:]}"
    context = set(json.loads(done.stdout))
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    needed = [p for p in tracked if p in ("Package.swift",) or p.startswith(("Sources/", "Tests/PunchlistTests/", "linker/", "Public/"))]
    missing = [p for p in needed if p not in context]
    assert not missing, f"the build needs these but .dockerignore leaves them out: {missing[:10]}"
    forbidden = [p for p in context if re.match(r"(\.build[^/]*|\.venv|data|\.git)/|(.*/)?\.env$|.*\.sqlite", p)]
    assert not forbidden, f"these must not reach the build context: {forbidden[:10]}"
    # (docker-py lists the allowed directories themselves too.)
    stray = sorted(p for p in context if not p.startswith(("Sources/", "Tests/PunchlistTests/", "linker/", "Public/"))
                   and p not in ("Package.swift", "Package.resolved", "Dockerfile", ".dockerignore",
                                 "Sources", "Tests/PunchlistTests", "linker", "Public"))
    assert not stray, f"unexpected files in the build context: {stray[:10]}"


# --- Hugging Face ----------------------------------------------------------------------------

@check("deploy/huggingface/README.md: Space front matter (sdk: docker, app_port: 7860)")
def _huggingface():
    text = (REPO / "deploy/huggingface/README.md").read_text()
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, "the Space README must start with YAML front matter between --- lines"
    meta = yaml.safe_load(match.group(1))
    assert meta.get("sdk") == "docker", f"sdk: docker, got {meta.get('sdk')!r}"
    assert meta.get("app_port") == 7860, f"app_port: 7860, got {meta.get('app_port')!r}"
    colors = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}
    for key in ("colorFrom", "colorTo"):
        assert meta.get(key) in colors, f"{key} must be one of {sorted(colors)}"
    assert len(meta.get("short_description", "")) <= 60, "short_description: at most 60 characters"
    assert isinstance(meta.get("title"), str) and meta["title"], "title"
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", text, re.M))
    assert {"AUTH_SECRET", "DATABASE_URL", "FORWARDED_HOPS"} <= documented, "the Space README lists the secrets to set"
    assert_known(documented, "the Space README")


# --- Fly.io ----------------------------------------------------------------------------------

@check("deploy/fly/fly.toml: schema, port 7860, /health checks, autostop, connection limits, volume at /data")
def _fly():
    config = tomllib.loads((REPO / "deploy/fly/fly.toml").read_text())
    errors = schema_errors(config, "fly.schema.json")
    assert not errors, "; ".join(errors)
    service = config["http_service"]
    assert service["internal_port"] == 7860
    assert config["env"].get("PORT", "7860") == "7860", "PORT must match internal_port"
    assert config["env"].get("FORWARDED_HOPS") == "1", "FORWARDED_HOPS=1 behind Fly's proxy"
    assert_known(set(config["env"]), "fly.toml [env]")
    assert not {"AUTH_SECRET", "DATABASE_URL"} & set(config["env"]), "secrets belong in `fly secrets`, not [env]"
    assert service["auto_stop_machines"] in ("stop", "suspend", True) and service["auto_start_machines"] is True
    concurrency = service["concurrency"]
    assert concurrency == {"type": "connections", "soft_limit": 800, "hard_limit": 1000}, concurrency
    assert [c["path"] for c in service["checks"]] == ["/health"], "HTTP check on /health"
    mounts = config["mounts"] if isinstance(config["mounts"], list) else [config["mounts"]]
    assert [m["destination"] for m in mounts] == ["/data"], "a volume at /data (DATA_DIR in the image)"
    assert config.get("kill_signal") == "SIGTERM"
    timeout = config.get("kill_timeout", "5s")
    seconds = int(timeout[:-1]) if isinstance(timeout, str) else timeout
    assert seconds >= 10, f"kill_timeout {timeout} is shorter than a drain may take"
    vm = config["vm"][0]
    assert vm.get("memory") == "256mb" and vm.get("size") == "shared-cpu-1x", vm


# --- Render ----------------------------------------------------------------------------------

def render_env(service: dict) -> dict[str, dict]:
    return {v["key"]: v for v in service.get("envVars", []) if "key" in v}


@check("deploy/render/render.yaml: schema, docker runtime, /health, secrets, PORT left to Render")
def _render():
    text = (REPO / "deploy/render/render.yaml").read_text()
    blueprint = yaml.safe_load(text)
    errors = schema_errors(blueprint, "render.schema.json")
    assert not errors, "; ".join(errors)
    (service,) = blueprint["services"]
    assert service["type"] == "web" and service["runtime"] == "docker"
    assert service["dockerfilePath"] == "./Dockerfile" and service["dockerContext"] == "."
    assert service["healthCheckPath"] == "/health"
    env = render_env(service)
    assert_known(set(env), "render.yaml envVars")
    assert env["AUTH_SECRET"].get("generateValue") is True or env["AUTH_SECRET"].get("sync") is False
    assert env["DATABASE_URL"].get("sync") is False, "DATABASE_URL is a secret the user enters (sync: false)"
    assert env["FORWARDED_HOPS"].get("value") == "1"
    assert "PORT" not in env, "Render sets PORT itself; Punchlist reads it"
    assert "DATA_DIR" not in env, "DATA_DIR=/data comes from the image"

    # The commented-out disk variant for paid plans must be valid too once uncommented.
    block = re.search(r"(?m)^    # disk:\n((?:    #   .*\n)+)", text)
    assert block, "the commented disk block (for paid plans) is missing"
    disk = yaml.safe_load("disk:\n" + re.sub(r"(?m)^    #", "", block.group(1)))["disk"]
    assert disk["mountPath"] == "/data", "the disk goes where DATA_DIR points"
    variant = json.loads(json.dumps(blueprint))
    variant["services"][0].update(plan="starter", disk=disk)
    errors = schema_errors(variant, "render.schema.json")
    assert not errors, "with the disk: " + "; ".join(errors)
    variant["services"][0]["plan"] = "free"
    assert schema_errors(variant, "render.schema.json"), "the schema should refuse a disk on the free plan"


# --- Docker Compose --------------------------------------------------------------------------

def compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    exe = shutil.which("docker-compose")
    assert exe, "docker-compose is not installed (Debian package docker-compose; .ci/run installs it)"
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run([exe, "-f", str(REPO / "deploy/compose/compose.yaml"), *args],
                          env={**base, **env}, capture_output=True, text=True, timeout=120)


@check("deploy/compose/compose.yaml: docker-compose config, postgres healthy first, named volume, port 7860")
def _compose():
    secrets = {"AUTH_SECRET": "x" * 48, "POSTGRES_PASSWORD": "pw0123456789"}
    done = compose("--env-file", str(REPO / "deploy/compose/.env.example"), "config", env=secrets)
    assert done.returncode == 0, f"docker-compose config: {done.stderr.strip()}"
    config = yaml.safe_load(done.stdout)
    app, db = config["services"]["punchlist"], config["services"]["postgres"]
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "pgdata:/var/lib/postgresql/data" in " ".join(db["volumes"]) and "pgdata" in config["volumes"]
    assert any(p.get("target") == 7860 and p.get("published") == 7860 for p in app["ports"]), app["ports"]
    environment = app["environment"]
    assert environment["AUTH_SECRET"] == "x" * 48
    assert environment["DATABASE_URL"] == "postgres://punchlist:pw0123456789@postgres:5432/punchlist?sslmode=disable"
    assert_known(set(environment), "compose.yaml (punchlist service)")
    assert app["build"]["dockerfile"] == "Dockerfile" and Path(app["build"]["context"]) == REPO
    assert "ports" not in db, "PostgreSQL should not be published"

    # Without the secrets, `docker compose up` must refuse to start, naming the .env file.
    for missing in secrets:
        done = compose("config", env={k: v for k, v in secrets.items() if k != missing})
        assert done.returncode != 0 and f"set {missing} in deploy/compose/.env" in done.stderr, \
            f"without {missing}: rc={done.returncode} {done.stderr.strip()[-300:]}"
    example = (REPO / "deploy/compose/.env.example").read_text()
    assert re.search(r"(?m)^AUTH_SECRET=$", example) and re.search(r"(?m)^POSTGRES_PASSWORD=$", example), \
        ".env.example must leave the secrets empty (no shared default secret)"


# --- Vercel ----------------------------------------------------------------------------------

@check("deploy/vercel/vercel.json: schema, serves Public/, writes Public/config.js from PUNCHLIST_API")
def _vercel():
    config = json.loads((REPO / "deploy/vercel/vercel.json").read_text())
    errors = schema_errors(config, "vercel.schema.json")
    assert not errors, "; ".join(errors)
    assert config["outputDirectory"] == "Public"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "Public").mkdir()
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        done = subprocess.run(["sh", "-c", config["buildCommand"]], cwd=tmp, capture_output=True, text=True,
                              env={**base, "PUNCHLIST_API": "https://api.example.com"}, timeout=30)
        assert done.returncode == 0, done.stderr
        written = (Path(tmp) / "Public/config.js").read_text()
        assert written == 'window.PUNCHLIST_API = "https://api.example.com";\n', written
        done = subprocess.run(["sh", "-c", config["buildCommand"]], cwd=tmp, capture_output=True, text=True,
                              env=base, timeout=30)
        assert done.returncode != 0 and "PUNCHLIST_API" in done.stderr, "the build must fail without PUNCHLIST_API"


# --- The guide -------------------------------------------------------------------------------

@check("docs/DEPLOY.md: covers every platform file and the three checks (/health, /ready, /docs)")
def _guide():
    text = (REPO / "docs/DEPLOY.md").read_text()
    for needle in ("deploy/huggingface/README.md", "deploy/fly/fly.toml", "deploy/render/render.yaml",
                   "deploy/compose/compose.yaml", "deploy/vercel/vercel.json", "/health", "/ready", "/docs",
                   "CORS_ORIGINS", "FORWARDED_HOPS", "AUTH_SECRET", "DATABASE_URL"):
        assert needle in text, f"docs/DEPLOY.md does not mention {needle}"
    links = re.findall(r"\]\((?!https?://|#)([^)#]+)", text)
    broken = [link for link in links if not (REPO / "docs" / link).resolve().exists()]
    assert not broken, f"broken relative links: {broken}"


failed = [name for name, detail in results if detail]
print(f"deploy-configs: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
