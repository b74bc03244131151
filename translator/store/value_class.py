"""Value classes without :mod:`dataclasses`: equality, hash and ``repr`` from ``__slots__``, as
a slotted dataclass gives them, for the classes every evaluation loads at start-up (``Pos``,
``Hash``, ``Derivation``...), where importing :mod:`dataclasses` (and :mod:`inspect` with it)
cost 7 ms of each ``nix2image eval``. It lives in the store layer, which imports nothing outside
itself (``tests/test_boundaries.py``); :class:`translator.errors.Pos` uses it too."""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any


class SlotValue:
    """A base for a class whose ``__slots__`` (two or more) are its value: instances of the same
    class are equal when their fields are, hash by them, and show them in ``repr``. A mutable
    subclass sets ``__hash__ = None``."""

    __slots__ = ()
    _fields_of: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        assert len(cls.__slots__) >= 2, "attrgetter gives a tuple for two names or more"
        cls._fields_of = attrgetter(*cls.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        get = self._fields_of
        return get(self) == get(other)

    def __hash__(self) -> int:
        return hash(self._fields_of(self))

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, self._fields_of(self)))
        return f"{type(self).__name__}({fields})"
