package com.cardlet.tests.api2;

import javacard.framework.APDU;
import javacard.framework.APDUException;
import javacard.framework.Util;

/** APDU methods: getNAD and waitExtension in every state (INS 10), command chaining and block-wise receive (INS 11). */
final class ApduCases {
    /** receiveBytes in INS 11 reads into the last BLOCK bytes of the buffer, so a long command arrives in several blocks. */
    static final short BLOCK = 200;

    private ApduCases() {
    }

    /**
     * 80 10 00 [data]: getNAD (T=1 without a node address: 0) and the state before and after
     * waitExtension in the initial, incoming, outgoing, length-known and partly-sent states: the
     * call must change neither the state nor the received data. 80 10 01: waitExtension after
     * setOutgoingNoChaining must throw APDUException.ILLEGAL_USE (JCRE 3.0.5, 9.4.2.1); answers the reason.
     */
    static void info(APDU apdu, byte p1, Out o) {
        byte[] res = o.buf;
        if (p1 == 1) {
            apdu.setOutgoingNoChaining();
            short reason = Out.NO_EXC;
            try {
                APDU.waitExtension();
            } catch (APDUException e) {
                reason = e.getReason();
            }
            apdu.setOutgoingLength((short) 2);
            Util.setShort(res, (short) 0, reason);
            apdu.sendBytesLong(res, (short) 0, (short) 2);
            return;
        }
        byte[] buf = apdu.getBuffer();
        o.put(apdu.getNAD());
        o.put(apdu.getCurrentState());
        APDU.waitExtension();
        o.put(apdu.getCurrentState());
        short got = apdu.setIncomingAndReceive();
        APDU.waitExtension();
        o.put(apdu.getCurrentState());
        o.putS(got);
        o.putS(Out.sum(buf, apdu.getOffsetCdata(), got));
        apdu.setOutgoing();
        APDU.waitExtension();
        o.put(apdu.getCurrentState());
        o.put(apdu.getNAD());
        short n = o.length();
        apdu.setOutgoingLength((short) (n + 2));
        APDU.waitExtension();
        res[n] = apdu.getCurrentState();
        apdu.sendBytesLong(res, (short) 0, n);
        APDU.waitExtension();
        res[(short) (n + 1)] = apdu.getCurrentState();
        apdu.sendBytesLong(res, n, (short) 2);
    }

    /**
     * CLA 80/00/90/10 11 00 00 Lc data (short or extended): one command of a chain. Answers
     * isCommandChainingCLA, isISOInterindustryCLA, the state before receiving, Nc, what
     * setIncomingAndReceive got and the state after it; then the number of receiveBytes calls it
     * took to get the rest into the last BLOCK bytes of the buffer, and for each its count and
     * the state after it; then a final receiveBytes (0: all has arrived) and the state; then the
     * chain's byte count and byte sum so far (the sum is reset when a command ends the chain).
     */
    static void chain(APDU apdu, Out o, short[] acc) {
        byte[] buf = apdu.getBuffer();
        boolean chaining = apdu.isCommandChainingCLA();
        o.putZ(chaining);
        o.putZ(apdu.isISOInterindustryCLA());
        o.put(apdu.getCurrentState());
        short got = apdu.setIncomingAndReceive();
        short off = apdu.getOffsetCdata();
        short total = apdu.getIncomingLength();
        o.putS(total);
        o.putS(got);
        o.put(apdu.getCurrentState());
        add(acc, buf, off, got);
        short at = (short) (buf.length - BLOCK);
        short count = got;
        short calls = 0;
        short callsAt = o.length();
        o.put((byte) 0);
        while (count < total) {
            short n = apdu.receiveBytes(at);
            if (n <= 0) break;                          // never loop on a card that stops delivering
            add(acc, buf, at, n);
            count = (short) (count + n);
            calls++;
            if (calls <= 60) {
                o.putS(n);
                o.put(apdu.getCurrentState());
            }
        }
        o.buf[callsAt] = (byte) calls;
        o.putS(apdu.receiveBytes(off));
        o.put(apdu.getCurrentState());
        o.putS(acc[0]);
        o.putS(acc[1]);
        if (!chaining) {
            acc[0] = 0;
            acc[1] = 0;
        }
        short n = o.length();
        apdu.setOutgoing();
        apdu.setOutgoingLength(n);
        apdu.sendBytesLong(o.buf, (short) 0, n);
    }

    private static void add(short[] acc, byte[] b, short off, short n) {
        acc[0] = (short) (acc[0] + n);
        acc[1] = (short) (acc[1] + Out.sum(b, off, n));
    }
}
