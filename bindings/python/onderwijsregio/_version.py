"""The binding's version, and the library versions it works with."""
from __future__ import annotations

__version__ = "0.1.0"

#: oreg_version_number() of the oldest library this binding can use (major * 1000000 + minor * 1000
#: + patch): every function and status code the binding calls exists from this version on.
MIN_LIBRARY_VERSION = 1000
#: The binding works with every library of the same major version (new functions and status codes
#: are only ever added); a library of another major version is refused.
LIBRARY_MAJOR = 0
