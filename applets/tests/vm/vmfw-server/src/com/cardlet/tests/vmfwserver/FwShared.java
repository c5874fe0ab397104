package com.cardlet.tests.vmfwserver;

import com.cardlet.tests.vmfwlib.FwData;
import com.cardlet.tests.vmfwlib.FwPlain;
import javacard.framework.Shareable;

/** The server's Shareable interface: the only legal way into the server's context. */
public interface FwShared extends Shareable {
    /** v + 1000, and whether the caller's context AID is the client's (1) or not (0) in the low bit of the high byte. */
    short ping(short v);

    /** Server objects handed out: legal to hold, illegal to use from another context. */
    FwData leakData();

    byte[] leakArray();

    Object leakObject();

    /** Server arrays of the other element types ({true, false}, {300, 301}, {data, null}, {70000, 1}). */
    boolean[] leakBools();

    short[] leakShorts();

    Object[] leakRefs();

    int[] leakInts();

    /** The server's FwData through the standard interface FwPlain. */
    FwPlain leakPlain();

    /** The server object itself (Shareable through FwShared) through the standard interface FwPlain. */
    FwPlain selfPlain();

    /** A global array the server makes (JCSystem.makeGlobalArray, owned by the server), {0x33, 0}. */
    byte[] globalArray();

    /** The server touches the client's array: a SecurityException in the server's context. 1 if it was thrown. */
    byte touch(byte[] clientArray);

    /** Throws the JCRE's ISOException (a temporary entry point: any context may use it). */
    void fail(short sw);

    /** Throws an ISOException object the server created (owned by the server's context). */
    void failOwn();
}
