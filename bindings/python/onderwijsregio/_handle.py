"""The lifecycle shared by the objects that own one library handle (Schema, Client, Verifier)."""
from __future__ import annotations

import threading
from typing import Any, ClassVar, TypeVar

from . import _native
from .errors import MisuseError, Status

_Self = TypeVar("_Self", bound="NativeHandle")


class NativeHandle:
    """Owns one handle of the library, released by the library function ``free`` names::

        class Schema(NativeHandle, free="oreg_schema_free", noun="schema"): ...

    ``noun`` names the object in the MisuseError of a closed one ("the schema is closed").
    The handle is released by :meth:`close`, a ``with`` block, or garbage collection."""

    __slots__ = ("_handle", "_lock", "__weakref__")
    _free: ClassVar[str]
    _noun: ClassVar[str]

    def __init_subclass__(cls, *, free: str, noun: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._free = free
        cls._noun = noun

    def __init__(self, handle: int | None = None) -> None:
        self._handle: int | None = handle
        self._lock = threading.Lock()

    def _live(self) -> int:
        handle = self._handle
        if not handle:
            raise MisuseError(f"the {self._noun} is closed", status=Status.ERR_MISUSE)
        return handle

    def close(self) -> None:
        """Releases the handle; later calls raise MisuseError. Idempotent. Do not close while
        another thread uses the object."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle:
            getattr(_native.load(), self._free)(handle)

    @property
    def closed(self) -> bool:
        return not self._handle

    def __enter__(self: _Self) -> _Self:
        self._live()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: module globals may be gone
            pass
