package com.cardlet.tests.api2;

import javacard.framework.OwnerPIN;
import javacard.framework.OwnerPINBuilder;
import javacard.framework.OwnerPINx;
import javacard.framework.OwnerPINxWithPredecrement;
import javacard.framework.PIN;
import javacard.framework.PINException;

/**
 * 80 30 P1: OwnerPINBuilder.buildOwnerPIN and the OwnerPINx / OwnerPINxWithPredecrement methods
 * (Java Card 3.0.5). Each command first puts its PIN back to limit 3, value "1234", so commands
 * may run in any order. Answers: see each case; a caught PINException is its reason (2 bytes),
 * Out.NO_EXC (00 EE) means no exception.
 */
final class PinCases {
    private static final byte[] GOOD = { '1', '2', '3', '4' };
    private static final byte[] BAD = { '1', '2', '3', '5' };
    private static final byte[] NEW = { '5', '6', '7', '8' };

    private final OwnerPINx pinX;
    private final OwnerPINxWithPredecrement pinP;
    private final PIN pinO;

    PinCases() {
        pinO = OwnerPINBuilder.buildOwnerPIN((byte) 3, (byte) 8, OwnerPINBuilder.OWNER_PIN);
        pinX = (OwnerPINx) OwnerPINBuilder.buildOwnerPIN((byte) 3, (byte) 8, OwnerPINBuilder.OWNER_PIN_X);
        pinP = (OwnerPINxWithPredecrement) OwnerPINBuilder.buildOwnerPIN((byte) 3, (byte) 8,
                OwnerPINBuilder.OWNER_PIN_X_WITH_PREDECREMENT);
    }

    void run(Out o, byte p1) {
        switch (p1) {
        case 0: build(o); break;
        case 1: legacy(o); break;
        case 2: pinx(o); break;
        case 3: predecrement(o); break;
        case 4: undecremented(o); break;
        case 5: settersResetValidated(o); break;
        case 6: decrementResetsValidated(o); break;
        default: break;
        }
    }

    /**
     * 0: for each kind (OWNER_PIN, OWNER_PIN_X, OWNER_PIN_X_WITH_PREDECREMENT) a new PIN (limit 3,
     * size 8): instanceof OwnerPIN / OwnerPINx / OwnerPINxWithPredecrement, tries, validated; then
     * the refusals: try limit 0, size 0, kind 0 and 4 (PINException.ILLEGAL_VALUE each).
     */
    private static void build(Out o) {
        for (byte kind = 1; kind <= 3; kind++) {
            PIN p = OwnerPINBuilder.buildOwnerPIN((byte) 3, (byte) 8, kind);
            o.putZ(p instanceof OwnerPIN);
            o.putZ(p instanceof OwnerPINx);
            o.putZ(p instanceof OwnerPINxWithPredecrement);
            o.put(p.getTriesRemaining());
            o.putZ(p.isValidated());
        }
        o.putS(refused((byte) 0, (byte) 8, OwnerPINBuilder.OWNER_PIN));
        o.putS(refused((byte) 3, (byte) 0, OwnerPINBuilder.OWNER_PIN_X));
        o.putS(refused((byte) 3, (byte) 8, (byte) 0));
        o.putS(refused((byte) 3, (byte) 8, (byte) 4));
    }

    private static short refused(byte limit, byte size, byte kind) {
        try {
            OwnerPINBuilder.buildOwnerPIN(limit, size, kind);
        } catch (PINException e) {
            return e.getReason();
        }
        return Out.NO_EXC;
    }

    /** 1: the OWNER_PIN kind through the PIN interface: a wrong PIN costs a try, the right one restores them. */
    private void legacy(Out o) {
        OwnerPIN p = (OwnerPIN) pinO;
        p.update(GOOD, (short) 0, (byte) 4);
        o.putZ(pinO.check(BAD, (short) 0, (byte) 4));
        o.put(pinO.getTriesRemaining());
        o.putZ(pinO.check(GOOD, (short) 0, (byte) 4));
        o.put(pinO.getTriesRemaining());
        o.putZ(pinO.isValidated());
        pinO.reset();
        o.putZ(pinO.isValidated());
    }

    /**
     * 2: OwnerPINx. getTryLimit; a wrong check (tries 2); setTriesRemaining(3); the right check
     * (validated); setTryLimit(5): limit 5; the right check; setTriesRemaining(2): tries 2;
     * refusals (ILLEGAL_VALUE, nothing changed): setTryLimit(0), setTriesRemaining(6) above the
     * limit, setTriesRemaining(-1); update("5678"): tries back to the limit (5); the old PIN
     * fails, the new one passes. (What the setters do to the validated flag: case 5.)
     */
    private void pinx(Out o) {
        reset(pinX);
        o.put(pinX.getTryLimit());
        o.putZ(pinX.check(BAD, (short) 0, (byte) 4));
        o.put(pinX.getTriesRemaining());
        pinX.setTriesRemaining((byte) 3);
        o.put(pinX.getTriesRemaining());
        o.putZ(pinX.check(GOOD, (short) 0, (byte) 4));
        pinX.setTryLimit((byte) 5);
        o.put(pinX.getTryLimit());
        o.putZ(pinX.check(GOOD, (short) 0, (byte) 4));
        pinX.setTriesRemaining((byte) 2);
        o.put(pinX.getTriesRemaining());
        o.putS(setLimit(pinX, (byte) 0));
        o.putS(setTries(pinX, (byte) 6));
        o.putS(setTries(pinX, (byte) -1));
        o.put(pinX.getTryLimit());
        o.put(pinX.getTriesRemaining());
        pinX.update(NEW, (short) 0, (byte) 4);
        o.put(pinX.getTriesRemaining());
        o.putZ(pinX.check(GOOD, (short) 0, (byte) 4));
        o.putZ(pinX.check(NEW, (short) 0, (byte) 4));
        reset(pinX);
    }

    /**
     * 3: OwnerPINxWithPredecrement, used as meant (a decrement before each check).
     * decrementTriesRemaining (2, not validated); the right check: validated, tries back to 3
     * (check itself does not decrement); decrements to 2 and 1; a wrong check after them (false,
     * tries still 1: check does not decrement); decrements to 0, and at 0 (stays 0: blocked);
     * setTriesRemaining(3) unblocks: decrement (2) and the right check pass (tries 3).
     */
    private void predecrement(Out o) {
        reset(pinP);
        o.put(pinP.decrementTriesRemaining());
        o.put(pinP.getTriesRemaining());
        o.putZ(pinP.isValidated());
        o.putZ(pinP.check(GOOD, (short) 0, (byte) 4));
        o.putZ(pinP.isValidated());
        o.put(pinP.getTriesRemaining());
        o.put(pinP.decrementTriesRemaining());
        o.put(pinP.decrementTriesRemaining());
        o.putZ(pinP.check(BAD, (short) 0, (byte) 4));
        o.put(pinP.getTriesRemaining());
        o.put(pinP.decrementTriesRemaining());
        o.put(pinP.decrementTriesRemaining());
        o.put(pinP.getTriesRemaining());
        pinP.setTriesRemaining((byte) 3);
        o.put(pinP.decrementTriesRemaining());
        o.putZ(pinP.check(GOOD, (short) 0, (byte) 4));
        o.put(pinP.getTriesRemaining());
        reset(pinP);
    }

    /**
     * 4: check without decrementTriesRemaining before it must throw PINException.ILLEGAL_STATE
     * (the API: the decrement "must be called prior to calling the check method", and check
     * clears that state): on a fresh PIN; then after one decrement and one check, a second check.
     * Answers both reasons and the tries left (2: only the one decrement counted).
     */
    private void undecremented(Out o) {
        reset(pinP);
        o.putS(checkReason(pinP, BAD));
        pinP.decrementTriesRemaining();
        pinP.check(BAD, (short) 0, (byte) 4);
        o.putS(checkReason(pinP, BAD));
        o.put(pinP.getTriesRemaining());
        reset(pinP);
    }

    /**
     * 5: OwnerPINx.setTryLimit and setTriesRemaining reset the validated flag (the API: "... and
     * resets the validated flag"): validated after the right check (1), after setTryLimit(5) (0),
     * validated again (1), after setTriesRemaining(2) (0).
     */
    private void settersResetValidated(Out o) {
        reset(pinX);
        pinX.check(GOOD, (short) 0, (byte) 4);
        o.putZ(pinX.isValidated());
        pinX.setTryLimit((byte) 5);
        o.putZ(pinX.isValidated());
        pinX.check(GOOD, (short) 0, (byte) 4);
        o.putZ(pinX.isValidated());
        pinX.setTriesRemaining((byte) 2);
        o.putZ(pinX.isValidated());
        reset(pinX);
    }

    /**
     * 6: decrementTriesRemaining resets the validated flag (the API: "It also resets the validated
     * flag"): decrement and the right check (validated 1), decrement again (0).
     */
    private void decrementResetsValidated(Out o) {
        reset(pinP);
        pinP.decrementTriesRemaining();
        pinP.check(GOOD, (short) 0, (byte) 4);
        o.putZ(pinP.isValidated());
        pinP.decrementTriesRemaining();
        o.putZ(pinP.isValidated());
        reset(pinP);
    }

    private static void reset(OwnerPINx p) {
        p.setTryLimit((byte) 3);
        p.update(GOOD, (short) 0, (byte) 4);
    }

    /** check() with no decrement before it: the PINException reason, or 0x01EE / 0x00EE (true / false, no exception). */
    private static short checkReason(OwnerPINxWithPredecrement p, byte[] pin) {
        try {
            return p.check(pin, (short) 0, (byte) 4) ? (short) 0x01EE : Out.NO_EXC;
        } catch (PINException e) {
            return e.getReason();
        }
    }

    private static short setLimit(OwnerPINx p, byte limit) {
        try {
            p.setTryLimit(limit);
        } catch (PINException e) {
            return e.getReason();
        }
        return Out.NO_EXC;
    }

    private static short setTries(OwnerPINx p, byte tries) {
        try {
            p.setTriesRemaining(tries);
        } catch (PINException e) {
            return e.getReason();
        }
        return Out.NO_EXC;
    }
}
