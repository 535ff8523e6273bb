"""The deployment files, checked without a Docker engine: every path, command and variable they name exists.

The compose file is parsed with PyYAML; the Dockerfile instruction by instruction. Settings
names come from bot/settings.py itself, so a new setting without a line in .env.example (or a
renamed one still in the compose file) fails here.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices

from bot.cli import build_parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
APP = "/app"  # the Dockerfile's WORKDIR: the repository root inside the image


def setting_names() -> set[str]:
    names = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names.add(str(alias.choices[0]) if isinstance(alias, AliasChoices) else str(alias))
    return names


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def instructions(name: str) -> list[str]:
    return [args for word, args in dockerfile() if word == name]


def env_example() -> dict[str, str]:
    """Every `KEY=value` in .env.example, commented out or not."""
    found = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def cli_accepts(argv: list[str]) -> None:
    """`python -m bot ARGS` as the image runs it: the CLI knows the command and its options."""
    assert argv[:3] == ["python", "-m", "bot"], argv
    build_parser().parse_args(argv[3:])


# -- .env.example -------------------------------------------------------------------------------


# Read by docker-compose.yml itself (the PostgreSQL profile), not by the bot.
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    documented = set(env_example()) - COMPOSE_ONLY
    assert documented == setting_names(), {
        "undocumented": setting_names() - documented,
        "unknown": documented - setting_names(),
    }


def test_env_example_as_shipped_is_a_valid_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.telegram_bot_token is None and settings.discord_bot_token is None


def test_the_commented_examples_are_valid_values_too(monkeypatch: pytest.MonkeyPatch) -> None:
    examples: dict[str, Any] = {k: v for k, v in env_example().items() if v}
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    Settings(**{k.lower(): v for k, v in examples.items()})


# -- Dockerfile ---------------------------------------------------------------------------------


def test_dockerfile_base_user_and_entrypoint() -> None:
    (base,) = instructions("FROM")
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", base), base
    (user,) = instructions("USER")
    assert user not in ("root", "0"), user
    (cmd,) = instructions("CMD")
    cli_accepts(json.loads(cmd))
    (health,) = instructions("HEALTHCHECK")
    cli_accepts(json.loads(health.split("CMD", 1)[1]))
    assert instructions("WORKDIR") == [APP]


def test_dockerfile_copies_exist_and_the_dependency_layer_comes_first() -> None:
    copies = [shlex.split(args)[:-1] for args in instructions("COPY")]
    for sources in copies:
        for source in sources:
            assert (ROOT / source).exists(), source
    flat = [s for sources in copies for s in sources]
    # content and migrations are inside the image; dependencies are installed before the code arrives
    assert "bot" in flat and "content" in flat and (ROOT / "bot/storage/migrations/versions").is_dir()
    words = [word for word, _ in dockerfile()]
    first_code_copy = next(i for i, (w, a) in enumerate(dockerfile()) if w == "COPY" and a.startswith("bot"))
    pip_install = next(i for i, (w, a) in enumerate(dockerfile()) if w == "RUN" and "pip install" in a)
    assert pip_install < first_code_copy, words


def test_the_image_installs_the_lock_and_the_lock_covers_the_projects_dependencies() -> None:
    """The image installs requirements.lock with hashes; every runtime dependency is pinned there,
    at a version its range in pyproject.toml accepts (scripts/lock rewrites it)."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    (run,) = [a for a in instructions("RUN") if "pip install" in a]
    assert "--require-hashes" in run and "requirements.lock" in run
    pinned = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, _, version = line.split(" ")[0].partition("==")
            pinned[canonicalize_name(name)] = version
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for spec in wanted:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pinned, f"{name} is not in requirements.lock: run scripts/lock"
        assert req.specifier.contains(pinned[name], prereleases=True), f"{name}=={pinned[name]} is outside {spec}"


def test_dockerfile_environment_is_valid_settings_pointing_into_the_image(monkeypatch: pytest.MonkeyPatch) -> None:
    env: dict[str, str] = {}
    for args in instructions("ENV"):
        for pair in shlex.split(args):
            key, _, value = pair.partition("=")
            env[key] = value
    ours: dict[str, Any] = {k: v for k, v in env.items() if k.startswith(("STUDYBOT_", "TELEGRAM_", "DISCORD_"))}
    assert set(ours) <= setting_names(), set(ours) - setting_names()
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    settings = Settings(**{k.lower(): v for k, v in ours.items()})
    content = str(settings.content_dir)
    assert content.startswith(APP + "/") and (ROOT / content[len(APP) + 1 :]).is_dir()
    assert env["PYTHONPATH"] == APP and (ROOT / "bot" / "__main__.py").is_file()


def _ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore matching: the last matching pattern wins, `!` re-includes, a folder covers its files."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern.lstrip("!").strip("/")
        if pat.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(part, pat[3:]) for part in parts)
        else:
            hit = any(fnmatch.fnmatchcase(prefix, pat) for prefix in prefixes)
        if hit:
            ignored = not negate
    return ignored


def test_dockerignore_keeps_secrets_and_tests_out_and_code_in() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for secret in (".env", ".env.production", "data/studybot.db", "studybot.db", "tests/conftest.py", ".git/config"):
        assert _ignored(secret, patterns), secret
    assert not _ignored(".env.example", patterns)
    shipped = [
        p.relative_to(ROOT).as_posix()
        for top in ("bot", "content")
        for p in (ROOT / top).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert shipped and not [p for p in shipped if _ignored(p, patterns)]
    assert not _ignored("pyproject.toml", patterns)


# -- docker-compose.yml -------------------------------------------------------------------------


def test_compose_service_builds_this_repo_with_a_named_volume_health_check_and_restart() -> None:
    doc = compose()
    bot = doc["services"]["bot"]
    build = bot["build"] if isinstance(bot["build"], dict) else {"context": bot["build"]}
    context = ROOT / build["context"]
    assert (context / build.get("dockerfile", "Dockerfile")).is_file()
    assert bot["restart"] in ("always", "unless-stopped", "on-failure")
    cli_accepts(bot["healthcheck"]["test"][1:])
    assert bot["healthcheck"]["test"][0] == "CMD"
    volumes = doc["volumes"]
    data_dir = bot["environment"]["STUDYBOT_DATA_DIR"]
    mounts = [v.split(":") for v in bot["volumes"]]
    assert [m for m in mounts if m[0] in volumes and m[1] == data_dir], (mounts, volumes)


def test_compose_configuration_comes_from_env_and_names_only_real_settings() -> None:
    bot = compose()["services"]["bot"]
    env_files = bot["env_file"] if isinstance(bot["env_file"], list) else [bot["env_file"]]
    assert [f if isinstance(f, str) else f["path"] for f in env_files] == [".env"]
    assert (ROOT / ".env.example").is_file()
    assert set(bot.get("environment", {})) <= setting_names()
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    assert interpolated <= set(env_example()), interpolated - set(env_example())


def test_compose_gives_the_bot_time_to_stop_gracefully() -> None:
    bot = compose()["services"]["bot"]
    grace = bot["stop_grace_period"]
    seconds = int(grace[:-1]) * {"s": 1, "m": 60}[grace[-1]]
    assert bot.get("stop_signal", "SIGTERM") == "SIGTERM"
    assert seconds > Settings.model_fields["stop_timeout"].default


def _compose_cli() -> list[str] | None:
    """A Compose CLI, if this machine has one (none needs a Docker engine for `config`)."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_compose_config_is_valid_for_the_compose_cli_when_there_is_one(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose / docker-compose here: the parsed checks above stand in")
    (tmp_path / "docker-compose.yml").write_bytes((ROOT / "docker-compose.yml").read_bytes())
    (tmp_path / "Dockerfile").write_bytes((ROOT / "Dockerfile").read_bytes())
    (tmp_path / ".env").write_bytes((ROOT / ".env.example").read_bytes())
    result = subprocess.run([*cli, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
