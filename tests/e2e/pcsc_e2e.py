"""Helpers of the end-to-end tests' pyscard scripts (tests/e2e/lib.sh puts this directory on PYTHONPATH)."""
import sys

from smartcard.scard import (SCARD_S_SUCCESS, SCARD_SCOPE_USER, SCardEstablishContext, SCardGetErrorMessage,
                             SCardListReaders)


def ok(h, what):
    """Exits naming what failed, with PC/SC's message and code, unless h is SCARD_S_SUCCESS."""
    if h != SCARD_S_SUCCESS:
        sys.exit("%s: %s (0x%08X)" % (what, SCardGetErrorMessage(h), h & 0xFFFFFFFF))


def open_reader(prefix):
    """A PC/SC context and the name of the first reader whose name starts with prefix."""
    h, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    ok(h, "establish")
    h, readers = SCardListReaders(ctx, [])
    ok(h, "list readers")
    named = [r for r in readers if r.startswith(prefix)]
    if not named:
        sys.exit("no reader named %s... in %r" % (prefix, readers))
    return ctx, named[0]
