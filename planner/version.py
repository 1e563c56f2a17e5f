"""The installed version, without importing anything heavy (`ecsplan --version` is instant)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def tool_version() -> str:
    try:
        return version("ecsplan")
    except PackageNotFoundError:  # not installed (running from a checkout)
        return "0.0.0+unknown"
