"""Fixtures shared by test_abi.py and test_client.py: the built library, loaded once a session
with every prototype of oreg_ctypes.PROTOTYPES applied."""
from __future__ import annotations

import ctypes

import pytest

from oreg_ctypes import LIB_PATH, load_library


@pytest.fixture(scope="session")
def lib() -> ctypes.CDLL:
    if not LIB_PATH.exists():
        pytest.fail(f"{LIB_PATH} does not exist: run `make dist` or set ONDERWIJSREGIO_LIB")
    try:
        return load_library(LIB_PATH)
    except AttributeError as error:
        pytest.fail(f"{LIB_PATH} lacks a function of include/onderwijsregio.h: {error}")
