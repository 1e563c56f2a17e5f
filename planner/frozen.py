"""Deep immutability for plan values: a hashable read-only mapping, and freeze / thaw between
API-shaped data (dicts and lists) and the frozen form a Plan holds (FrozenDict and tuples).

A plan is reviewed and then applied; nothing between the two may change what it will send, so
its actions hold frozen values and thaw a copy only when a request is built."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


class FrozenDict(Mapping[str, Any]):
    """A read-only, hashable mapping (insertion order kept, as JSON objects keep it); its values
    are frozen too."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = {str(k): freeze(v) for k, v in (data or {}).items()}
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        equal: bool = thaw(self) == thaw(other)
        return equal

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"


def freeze(value: Any) -> Any:
    """Dicts become FrozenDicts and lists tuples, all the way down."""
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, Mapping):
        return FrozenDict(value)
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The mutable, JSON-ready copy: FrozenDicts become dicts and tuples lists, all the way down."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


def str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """attrs converter for a tuple of names."""
    return tuple(value)


def freeze_mapping(value: Mapping[str, Any] | None) -> FrozenDict:
    """attrs converter for mapping fields."""
    return value if isinstance(value, FrozenDict) else FrozenDict(value)
