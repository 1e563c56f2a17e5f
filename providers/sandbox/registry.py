"""The patch machinery: where each patch goes, the guard that checks moto still looks as the
patches expect, and ``install()``.

Each patch is one small named factory, in the module of its concern, taking moto's original and
returning the replacement (an action moto lacks is added: its factory gets None, and install()
refuses once moto grows its own); its docstring names the AWS behaviour it imitates.

The table of patches (``_PATCHES``, in install order) and of the moto internals they read
without replacing them (``_REQUIREMENTS``) lives in the package, ``providers/sandbox/__init__.py``.
The functions here look both up on the package at call time, so that swapping the package's
table (a test's ``monkeypatch.setattr(sandbox, "_PATCHES", ...)``) is what they then check and
install.

Before it patches anything, ``install()`` checks every target and every internal the patches
read: each must still exist with the signature the patches were written for (moto 5.2.x), else
SandboxError names the first one that changed, and nothing is half patched.
"""

from __future__ import annotations

import importlib
import inspect
import threading
from collections.abc import Callable
from typing import Any

import attrs

from providers.errors import SandboxError

_MOTO_MISSING = "the sandbox needs moto: pip install 'ecsplan[sandbox]'"


@attrs.frozen(kw_only=True)
class _PatchSpec:
    """Where a patch goes and what moto's original looked like when the patch was written.

    ``adds``: the patch adds an action moto does not implement (a response method moto lacks).
    Its factory gets ``None`` for the original, ``params`` is the added method's signature, and
    install() refuses (SandboxError) once moto grows its own version, so that it gets reviewed.
    """

    name: str
    module: str
    owner: str
    attribute: str
    params: tuple[str, ...]
    make: Callable[[Any], Callable[..., Any]]
    adds: bool = False

    @property
    def target(self) -> str:
        return f"{self.module}.{self.owner}.{self.attribute}"


@attrs.frozen(kw_only=True)
class _Requirement:
    """A moto internal the patches read without replacing it."""

    target: str  # module:Owner.attribute or module:name
    params: tuple[str, ...] | None = None


_PATCH_MARKER = "__ecsplan_sandbox_patch__"
_INSTALL_LOCK = threading.Lock()
_INSTALLED: list[str] = []
_ORIGINALS: dict[str, Callable[..., Any] | None] = {}

# The package that holds the tables, providers.sandbox.
_PACKAGE = __name__.rpartition(".")[0]


def _patches() -> tuple[_PatchSpec, ...]:
    """The package's _PATCHES, in install order, looked up at call time (a test swaps it)."""
    patches: tuple[_PatchSpec, ...] = importlib.import_module(_PACKAGE)._PATCHES
    return patches


def _requirements() -> tuple[_Requirement, ...]:
    """The package's _REQUIREMENTS: the moto internals the patches read without replacing them."""
    requirements: tuple[_Requirement, ...] = importlib.import_module(_PACKAGE)._REQUIREMENTS
    return requirements


def _require_moto() -> Any:
    try:
        import moto
    except ImportError as err:
        raise SandboxError(_MOTO_MISSING) from err
    return moto


def _moto_version() -> str:
    try:
        from importlib.metadata import version

        return version("moto")
    except Exception:
        return "unknown"


def _changed(target: str, what: str) -> SandboxError:
    return SandboxError(
        f"moto internal {target} {what}; the sandbox was written against moto 5.2.x and you "
        f"have moto {_moto_version()}: install 'ecsplan[sandbox]' to get a matching moto"
    )


def _check_signature(target: str, func: Any, expected: tuple[str, ...]) -> None:
    """Raise SandboxError unless ``func`` takes exactly the parameters ``expected``."""
    if not callable(func):
        raise _changed(target, "is no longer callable")
    try:
        actual = tuple(inspect.signature(func).parameters)
    except (TypeError, ValueError) as err:
        raise _changed(target, "has no readable signature") from err
    if actual != expected:
        raise _changed(target, f"changed its signature from {expected} to {actual}")


def _resolve_owner(spec_module: str, owner: str, target: str) -> Any:
    try:
        module = importlib.import_module(spec_module)
    except ImportError as err:
        raise _changed(target, "cannot be imported") from err
    found = getattr(module, owner, None)
    if found is None:
        raise _changed(target, "no longer exists")
    return found


def _original_of(spec: _PatchSpec) -> Callable[..., Any] | None:
    """moto's own function for a patch target (also after the patch is installed); None for an
    addition, which moto must not have."""
    owner = _resolve_owner(spec.module, spec.owner, spec.target)
    current = inspect.getattr_static(owner, spec.attribute, None)
    if current is not None and getattr(current, _PATCH_MARKER, None) == spec.name:
        return _ORIGINALS[spec.name]
    if spec.adds:
        if current is not None:
            raise _changed(
                spec.target, "now exists in moto (the sandbox adds its own): review the addition"
            )
        return None
    if current is None:
        raise _changed(spec.target, "no longer exists")
    return current


def _verify_targets() -> None:
    """Check that every patch target and every internal the patches read is still there,
    with the signature the patches were written for. Raises SandboxError naming the first
    one that changed."""
    _require_moto()
    for spec in _patches():
        original = _original_of(spec)
        if not spec.adds:
            _check_signature(spec.target, original, spec.params)
    for req in _requirements():
        module_name, _, dotted = req.target.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
        except ImportError as err:
            raise _changed(req.target, "cannot be imported") from err
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                raise _changed(req.target, "no longer exists")
        if req.params is not None:
            _check_signature(req.target, obj, req.params)


def install() -> None:
    """Apply every patch (idempotent). Nothing is patched unless every target checks out."""
    with _INSTALL_LOCK:
        patches = _patches()
        if len(_INSTALLED) == len(patches):
            return
        _verify_targets()
        for spec in patches:
            if spec.name in _INSTALLED:
                continue
            owner = _resolve_owner(spec.module, spec.owner, spec.target)
            original = _original_of(spec)
            replacement = spec.make(original)
            setattr(replacement, _PATCH_MARKER, spec.name)
            _ORIGINALS[spec.name] = original
            setattr(owner, spec.attribute, replacement)
            _INSTALLED.append(spec.name)


def installed_patches() -> list[str]:
    """Names of the patches applied so far, in the order they were applied."""
    with _INSTALL_LOCK:
        return list(_INSTALLED)
