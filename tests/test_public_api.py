"""The public surface: `aifilm.__all__` and the exception tree drawn in `aifilm.errors`."""

from __future__ import annotations

import importlib
import pkgutil
import re
import types

import aifilm
import aifilm.errors


def test_all_lists_every_public_name() -> None:
    """As httpx's tests/test_exported_members.py: what the package holds is what it exports."""
    public = {
        name
        for name, value in vars(aifilm).items()
        if (not name.startswith("_") or name == "__version__")
        and not isinstance(value, types.ModuleType)  # submodules appear once imported
    }
    assert len(aifilm.__all__) == len(set(aifilm.__all__))
    assert set(aifilm.__all__) == public
    for name in aifilm.__all__:
        assert getattr(aifilm, name) is not None


def _drawn_tree() -> dict[str, str | None]:
    """Class name -> parent name, from the box drawing in errors.py's docstring."""
    doc = aifilm.errors.__doc__ or ""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        found = re.match(r"^(\s*(?:[│ ]\s*)*(?:[├└]── )?)([A-Z]\w+)", line)
        if found is None or not re.search(r"(Error|Unavailable)\b", found.group(2)):
            continue
        depth = len(found.group(1))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[found.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, found.group(2)))
    return parents


def _every_error_class() -> dict[str, type]:
    """Every AifilmError subclass defined in the package (importable modules only)."""
    for module in pkgutil.walk_packages(aifilm.__path__, "aifilm."):
        if ".server" in module.name or module.name.endswith("__main__"):
            continue  # the server's own problem types are HTTP answers, not this tree
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra that is not installed
            continue
    found: dict[str, type] = {}
    todo: list[type] = [aifilm.AifilmError]
    while todo:
        cls = todo.pop()
        # The server's errors are HTTP answers, not this tree (whether or not a test imported them).
        if cls.__module__.startswith("aifilm.") and not cls.__module__.startswith("aifilm.server"):
            found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def test_the_drawn_exception_tree_has_every_class_under_its_parent() -> None:
    drawn = _drawn_tree()
    classes = _every_error_class()
    assert {"RemoteError", "CredentialsError", "SettingsError"} <= set(classes)
    assert set(drawn) == set(classes), "draw every error class in aifilm/errors.py's docstring"
    for name, cls in classes.items():
        parent = cls.__mro__[1].__name__ if name != "AifilmError" else None
        assert drawn[name] == parent, f"{name} is drawn under {drawn[name]}, not {parent}"


def test_every_exit_code_of_an_error_is_documented() -> None:
    for cls in _every_error_class().values():
        assert cls.exit_code in aifilm.EXIT_CODES, cls
