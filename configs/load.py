"""Compose and validate a scenario config from Hydra overrides.

:func:`load_config` is the single entry point used by the CLI (before Hydra
takes over), by tests and by library users. Every failure becomes a
:class:`~configs.validate.ConfigError` with one plain message naming the key,
the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException, OverrideParseException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from configs import parameter_sets
from configs.validate import ConfigError, validate

CONFIG_MODULE = "configs"
CONFIG_NAME = "config"
SEARCHPATH = "hydra.searchpath"   # the user's config folders (file://...), composed with ours

_TYPE_WORDS = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def _split_override(override: str) -> tuple[str, str]:
    key, _, value = override.partition("=")
    return key.lstrip("+~"), value


def _expected(default_cfg: DictConfig, key: str) -> str:
    try:
        current = OmegaConf.select(default_cfg, key, throw_on_missing=False)
    except OmegaConfBaseException:
        return "a value of the schema's type"
    if isinstance(current, DictConfig):
        return f"one of the keys {sorted(current.keys())}"
    return _TYPE_WORDS.get(type(current), "a value of the schema's type")


def user_dirs(overrides: Sequence[str]) -> list[Path]:
    """The user's config folders named by ``hydra.searchpath=[...]`` overrides (``file://``)."""
    out = []
    for ov in overrides:
        key, value = _split_override(ov)
        if key == SEARCHPATH:
            for item in value.strip("[]").split(","):
                item = item.strip().strip("'\"")
                if item.startswith("file://"):
                    out.append(Path(item[len("file://"):]))
    return out


def group_options(group: str, dirs: Sequence[Path] = ()) -> list[str]:
    """The options of a config group: fleetsim's own and those in the user's folders."""
    found = set(parameter_sets.names(group))
    for d in dirs:
        folder = d / group
        if folder.is_dir():
            found |= {p.stem for p in folder.glob("*.yaml")}
    return sorted(found)


def _yaml_error(ex: yaml.YAMLError) -> ConfigError:
    mark = getattr(ex, "problem_mark", None)
    where = f"{mark.name}, line {mark.line + 1}: " if mark is not None else ""
    problem = getattr(ex, "problem", None) or str(ex).strip().splitlines()[0]
    return ConfigError(f"{where}invalid YAML ({problem}); non-ASCII or special values "
                       "must be quoted")


def _translate(ex: Exception, overrides: Sequence[str]) -> ConfigError:
    groups = parameter_sets.groups()
    dirs = user_dirs(overrides)
    for ov in overrides:
        key, value = _split_override(ov)
        options = group_options(key, dirs) if "." not in key else []
        if options and value not in options:
            return ConfigError(
                f"{key}={value!r} is not a known parameter set; "
                f"valid {key} sets: {', '.join(options)}")
    missing = _unknown_key(ex)
    if missing:
        bad = next((o for o in overrides if _split_override(o)[0] == missing), None)
        key = _split_override(bad)[0] if bad else missing
        # Look the key up in the config as the chosen groups make it (alerts=none has no rules).
        chosen = [o for o in overrides
                  if _split_override(o)[0] in groups or _split_override(o)[0] == SEARCHPATH]
        with _composed(chosen) as base:
            parent, node = _deepest_node(base, key)
            known = sorted(node.keys())
        where = parent or "the root"
        return ConfigError(f"{key!r} is not a known config key; "
                           f"keys allowed under {where}: {', '.join(known) or '(none)'}")
    if isinstance(ex, OverrideParseException):
        bad = next((o for o in overrides if o in str(ex)), None) or str(ex).split(": ")[-1]
        hint = (" (a value with spaces or non-ASCII characters must be quoted: "
                "key='value', and the whole override in shell quotes)"
                if any(ord(ch) > 127 or ch == " " for ch in bad) else "")
        return ConfigError(f"cannot read the override {bad!r}{hint}")
    full_key = getattr(ex.__cause__, "full_key", None) or getattr(ex, "full_key", None)
    if full_key:
        value = next((_split_override(o)[1] for o in overrides
                      if _split_override(o)[0] == full_key), None)
        with _composed([]) as base:
            allowed = _expected(base, full_key)
        return ConfigError(f"{full_key}={value!r} is not allowed; expected {allowed}")
    first = str(ex).strip().splitlines()[0] if str(ex).strip() else type(ex).__name__
    return ConfigError(f"could not build the config from {list(overrides)}: {first}")


def _unknown_key(ex: Exception) -> str | None:
    """The full key of an unknown-key error (OmegaConf's, possibly wrapped by Hydra's
    "Could not override"), from the exception's own ``full_key``: not parsed from its text."""
    for err in (ex, ex.__cause__):
        if isinstance(err, ConfigAttributeError | ConfigKeyError) and err.full_key:
            return str(err.full_key)
    return None


def _deepest_node(cfg: DictConfig, key: str) -> tuple[str, DictConfig]:
    """The deepest existing mapping on the path to ``key`` (all but its last part), and its path."""
    parts = key.split(".")[:-1]
    while parts:
        node = OmegaConf.select(cfg, ".".join(parts))
        if isinstance(node, DictConfig):
            return ".".join(parts), node
        parts.pop()
    return "", cfg


class _composed:
    """Context manager composing the config with a fresh global Hydra instance."""

    def __init__(self, overrides: Sequence[str]) -> None:
        self.overrides = list(overrides)
        self._ctx = None

    def __enter__(self) -> DictConfig:
        if GlobalHydra.instance().is_initialized():
            GlobalHydra.instance().clear()
        self._ctx = initialize_config_module(CONFIG_MODULE, version_base=None)
        self._ctx.__enter__()
        return compose(CONFIG_NAME, overrides=self.overrides)

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


def load_config(overrides: Sequence[str] = ()) -> DictConfig:
    """Compose the default scenario with Hydra ``overrides`` and validate it.

    Args:
        overrides: Hydra override strings, e.g. ``["fleet.size=500", "battery=lfp"]``.

    Returns:
        The composed, validated config.

    Raises:
        ConfigError: with one message naming the key, the value and what is allowed.
    """
    overrides = list(overrides)
    for d in user_dirs(overrides):
        if not d.is_dir():
            raise ConfigError(f"{SEARCHPATH}: the config folder {d} does not exist")
        if (d / f"{CONFIG_NAME}.yaml").exists():
            raise ConfigError(f"{d / CONFIG_NAME}.yaml: a user folder cannot replace fleetsim's "
                              "main config; put a scenario in experiment/ or a group folder")
    try:
        with _composed(overrides) as cfg:
            pass
    except yaml.YAMLError as ex:
        raise _yaml_error(ex) from None
    except (HydraException, OmegaConfBaseException, ValueError) as ex:
        raise _translate(ex, overrides) from None
    validate(cfg)
    return cfg


def plain_overrides(argv: list[str]) -> list[str]:
    """The config overrides among Hydra's command-line arguments: the plain ones, and the
    user's config folders (``--config-dir``/``-cd`` and ``hydra.searchpath``) as one
    ``hydra.searchpath=[file://...]`` override that :func:`load_config` composes with."""
    hydra_keys = ("hydra.", "hydra/", "+hydra", "++hydra", "~hydra")
    plain = [a for a in argv if "=" in a and not a.startswith("-")
             and not a.startswith(hydra_keys)]
    dirs = [str(d) for d in user_dirs([a for a in argv if a.startswith(SEARCHPATH + "=")])]
    for i, a in enumerate(argv):
        if a in ("--config-dir", "-cd") and i + 1 < len(argv):
            dirs.append(argv[i + 1])
        elif a.startswith("--config-dir="):
            dirs.append(a.split("=", 1)[1])
    if dirs:
        paths = ",".join(f"file://{Path(d).expanduser().resolve()}" for d in dirs)
        plain.append(f"{SEARCHPATH}=[{paths}]")
    return plain


def sweep_points(overrides: list[str]) -> list[list[str]]:
    """Override lists that together try every swept value once (others at their first value).

    ``["a=1,2", "b=x"]`` gives ``[["a=1", "b=x"], ["a=2", "b=x"]]``. Checking
    these before launching a multirun rejects a bad value before any job runs.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    choices = []
    for ov in parsed:
        key = ov.get_key_element()
        values = (list(ov.sweep_string_iterator()) if ov.is_sweep_override()
                  else [ov.get_value_element_as_str()])
        choices.append([f"{key}={v}" for v in values])
    first = [c[0] for c in choices]
    points = [first]
    for i, values in enumerate(choices):
        points += [first[:i] + [v] + first[i + 1:] for v in values[1:]]
    return points


def check_command_line(args: Sequence[str]) -> None:
    """Compose every point of ``fleetsim``'s command line before Hydra runs anything.

    A multirun (``-m``) is checked at each swept value (:func:`sweep_points`), so a
    bad value fails before the first job; ``--help`` and the like are not checked.

    Raises:
        ConfigError: the first bad override, named.
    """
    args = list(args)
    if any(a in ("-h", "--help", "--hydra-help", "--info", "-i") for a in args):
        return
    overrides = plain_overrides(args)
    multirun = any(a in ("-m", "--multirun") for a in args)
    for point in sweep_points(overrides) if multirun else [overrides]:
        load_config(point)
