package com.cardlet.tests.extlen;

import javacardx.apdu.ExtendedLength;

/** An interface of the package that extends ExtendedLength: ExtEchoTagged gets the tag through it. */
interface Tagged extends ExtendedLength {
}
