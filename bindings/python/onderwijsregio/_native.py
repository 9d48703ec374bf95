"""Finding and loading libonderwijsregio, the prototypes of its functions, and the helpers every
call goes through (out-parameters freed with oreg_free, failures turned into exceptions).

Where the library is looked for, in order:

1. ``$ONDERWIJSREGIO_LIB`` (a file; a directory is searched for libonderwijsregio.so.0);
2. the copy bundled in the package (``onderwijsregio/_lib/libonderwijsregio.so.0``, in wheels);
3. the system: ``ctypes.util.find_library("onderwijsregio")``, ``pkg-config --variable=libdir
   onderwijsregio``, then the dynamic loader's own search (``libonderwijsregio.so.0``: ldconfig's
   cache, ``LD_LIBRARY_PATH``).

The first that loads and is of a compatible version is used; when none does, LibraryNotFoundError
lists every place tried and why each failed.
"""
from __future__ import annotations

import ctypes
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

from ._version import LIBRARY_MAJOR, MIN_LIBRARY_VERSION
from .errors import LibraryNotFoundError, OnderwijsregioError
from .errors import error_for_status as error_for_status

SONAME = "libonderwijsregio.so.0"
ENV_VAR = "ONDERWIJSREGIO_LIB"
BUNDLED = Path(__file__).resolve().parent / "_lib" / SONAME

_OUT = ctypes.POINTER(ctypes.c_void_p)
_P = ctypes.c_char_p
_VOID = ctypes.c_void_p
_SIZE = ctypes.c_size_t
_INT = ctypes.c_int

# name: (argtypes, restype). Handles and returned buffers are c_void_p, so that buffers go back to
# oreg_free unchanged (a c_char_p restype would copy and lose the pointer).
PROTOTYPES: dict[str, tuple[list[Any], Any]] = {
    "oreg_version": ([], _P),
    "oreg_version_number": ([], _INT),
    "oreg_status_name": ([_INT], _P),
    "oreg_last_error": ([], _P),
    "oreg_free": ([_VOID], None),
    "oreg_json_check": ([_P, _SIZE], _INT),
    "oreg_json_canonicalize": ([_P, _SIZE, _OUT], _INT),
    "oreg_schema_compile": ([_P, _SIZE, _P, _OUT], _INT),
    "oreg_schema_validate": ([_VOID, _P, _SIZE, _OUT], _INT),
    "oreg_schema_free": ([_VOID], None),
    "oreg_client_new": ([_P, _OUT], _INT),
    "oreg_client_schema": ([_VOID, _P, _OUT], _INT),
    "oreg_client_validate": ([_VOID, _P, _P, _SIZE, _OUT], _INT),
    "oreg_client_submit": ([_VOID, _P, _P, _P, _SIZE, _P, _OUT], _INT),
    "oreg_client_get": ([_VOID, _P, _OUT], _INT),
    "oreg_client_flush": ([_VOID, _INT, _P, _OUT], _INT),
    "oreg_client_outbox": ([_VOID, _OUT], _INT),
    "oreg_client_outbox_callback": ([_VOID, _P, _SIZE, _OUT], _INT),
    "oreg_client_free": ([_VOID], None),
    "oreg_verifier_new": ([_P, _OUT], _INT),
    "oreg_verifier_verify": ([_VOID, _P, _P, _SIZE, _P, _P, _P, ctypes.c_int64], _INT),
    "oreg_verifier_free": ([_VOID], None),
    "oreg_callback_sign": ([_P, _P, _P, _SIZE, _P, _P, _OUT], _INT),
}

_lock = threading.Lock()
_loaded: tuple[ctypes.CDLL, str] | None = None


def _candidates() -> Iterator[tuple[str, str]]:
    """(what, path or name to dlopen) in search order. A generator: the system lookups, which run
    ldconfig and pkg-config as child processes, happen only when the earlier places fail."""
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if path.is_dir():
            path = path / SONAME
        yield (f"${ENV_VAR}", str(path))
    yield ("the copy bundled in the package", str(BUNDLED))
    import ctypes.util
    import shutil
    import subprocess

    name = ctypes.util.find_library("onderwijsregio")
    if name:
        yield ("ctypes.util.find_library('onderwijsregio')", name)
    pkg_config = shutil.which("pkg-config")
    if pkg_config:
        try:
            libdir = subprocess.run([pkg_config, "--variable=libdir", "onderwijsregio"], capture_output=True,
                                    text=True, timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            libdir = ""
        if libdir:
            yield ("pkg-config --variable=libdir onderwijsregio", str(Path(libdir) / SONAME))
    yield ("the dynamic loader's search path (ldconfig cache, LD_LIBRARY_PATH)", SONAME)
    yield ("the dynamic loader's search path (ldconfig cache, LD_LIBRARY_PATH)", "libonderwijsregio.so")


def _check(library: ctypes.CDLL) -> None:
    for name, (argtypes, restype) in PROTOTYPES.items():
        function = getattr(library, name)   # AttributeError names a missing function
        function.argtypes = argtypes
        function.restype = restype
    number = library.oreg_version_number()
    major = number // 1000000
    if major != LIBRARY_MAJOR or number < MIN_LIBRARY_VERSION:
        version = library.oreg_version().decode("ascii", "replace")
        raise LibraryNotFoundError(
            f"version {version} ({number}) does not fit this binding, which needs "
            f"{LIBRARY_MAJOR}.x at least {MIN_LIBRARY_VERSION // 1000000}.{MIN_LIBRARY_VERSION // 1000 % 1000}."
            f"{MIN_LIBRARY_VERSION % 1000}")


def load() -> ctypes.CDLL:
    """The loaded library (found and checked on the first call, then cached)."""
    global _loaded
    loaded = _loaded
    if loaded is not None:
        return loaded[0]
    with _lock:
        if _loaded is not None:
            return _loaded[0]
        tried: list[str] = []
        seen: set[str] = set()
        for what, target in _candidates():
            if target in seen:
                continue
            seen.add(target)
            if os.sep in target and not os.path.exists(target):
                tried.append(f"{what}: {target}: no such file")
                continue
            try:
                library = ctypes.CDLL(target)
            except OSError as error:
                tried.append(f"{what}: {target}: {error}")
                continue
            try:
                _check(library)
            except AttributeError as error:
                tried.append(f"{what}: {target}: not a usable libonderwijsregio ({error})")
                continue
            except LibraryNotFoundError as error:
                tried.append(f"{what}: {target}: {error.message}")
                continue
            _loaded = (library, target)
            return library
        lines = "\n  ".join(tried)
        raise LibraryNotFoundError(
            "libonderwijsregio could not be loaded. Install it (make install), install the wheel that "
            f"bundles it, or set {ENV_VAR} to the path of libonderwijsregio.so.0. Tried:\n  {lines}", tried)


def library_path() -> str:
    """What was loaded: the path or name given to dlopen."""
    load()
    assert _loaded is not None
    return _loaded[1]


def last_error() -> dict[str, Any]:
    """The calling thread's oreg_last_error(), parsed."""
    text = load().oreg_last_error()
    if text is None:
        return {}
    try:
        value = json.loads(text.decode("utf-8", "replace"))
    except ValueError:
        return {"message": text.decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"message": str(value)}


def failure(status: int) -> OnderwijsregioError:
    """The exception for a failed call, from the calling thread's oreg_last_error() (read at once,
    before anything else on this thread can fail)."""
    return error_for_status(status, last_error())


def take(pointer: int | None) -> bytes | None:
    """The NUL-terminated buffer at pointer, copied; the buffer is freed with oreg_free."""
    if not pointer:
        return None
    try:
        return ctypes.string_at(pointer)
    finally:
        load().oreg_free(pointer)


def call_out(function: Callable[..., int], *args: Any) -> tuple[int, bytes | None, dict[str, Any] | None]:
    """Calls function(*args, &out): (status, the out buffer copied and freed, oreg_last_error()
    parsed when the status is a failure). The out buffer is freed whatever happens."""
    out = ctypes.c_void_p()
    status = -99
    try:
        status = function(*args, ctypes.byref(out))
        details = last_error() if status < 0 else None
    finally:
        data = take(out.value)
    return status, data, details


def encode_text(value: str | bytes | os.PathLike[str] | None, what: str) -> bytes | None:
    """A NUL-terminated C string argument: str as UTF-8, bytes as they are; NUL bytes refused."""
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
    if b"\0" in data:
        raise ValueError(f"{what} must not contain a NUL character")
    return data


def encode_json(value: Any, what: str = "payload") -> bytes:
    """A JSON input: dict, list, tuple, int, float, bool and None are serialised with json.dumps
    (TypeError for what JSON cannot hold, before any library call); str is JSON text, encoded UTF-8;
    bytes, bytearray and memoryview are passed as they are."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(f"{what} is not valid UTF-8 text (lone surrogate at {error.start})") from None
    if value is None or isinstance(value, (dict, list, tuple, int, float, bool)):
        try:
            return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        except ValueError as error:
            # NaN/Infinity (not JSON) and circular references.
            raise TypeError(f"{what} cannot be serialised as JSON: {error}") from None
        except UnicodeEncodeError as error:
            raise TypeError(f"{what} holds a lone surrogate and cannot be encoded as UTF-8: {error}") from None
    raise TypeError(f"{what} must be a dict, list, str (JSON text) or bytes, not {type(value).__name__}")


def decode_json(data: bytes | None) -> Any:
    return None if data is None else json.loads(data)


def options_json(options: dict[str, Any]) -> bytes:
    try:
        return json.dumps(options, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError as error:
        raise TypeError(f"options cannot be serialised as JSON: {error}") from None


def camel(name: str) -> str:
    """snake_case -> camelCase ("connect_ms" -> "connectMs"); camelCase stays as it is."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value: Any) -> Any:
    """camel() applied to the keys of nested option objects."""
    if isinstance(value, dict):
        return {camel(str(key)) if isinstance(key, str) else key: camel_keys(item) for key, item in value.items()}
    return value
