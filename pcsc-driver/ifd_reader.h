/* ifd_reader: one virtual reader per Lun. It listens on its DEVICENAME for the card (the card is the
 * client), holds at most one card connection, tracks presence, and runs one exchange with the card
 * at a time. Every function returns an IFD_* response code from ifdhandler.h.
 *
 * Threads: a monitor thread per reader accepts cards and notices disconnects while idle, so
 * presence is current without any command being sent. Calls for different Luns run in parallel;
 * calls for one Lun are serialised internally. IFDHCloseChannel on a Lun must not overlap other
 * calls on the same Lun (pcscd stops a reader's threads before closing it). */
#ifndef IFD_READER_H
#define IFD_READER_H

#include <stddef.h>
#include <stdint.h>

#define IFD_MAX_READERS 16 /* pcscd's PCSCLITE_MAX_READERS_CONTEXTS */

long ifd_reader_open(unsigned long lun, const char *device);
long ifd_reader_close(unsigned long lun);

/* IFD_ICC_PRESENT / IFD_ICC_NOT_PRESENT (IFD_NO_SUCH_DEVICE for an unknown Lun). A card that was
 * replaced since the last call (disconnect + connect in between) is reported absent once, so pcscd
 * treats the new connection as a new card. */
long ifd_reader_presence(unsigned long lun);

/* Blocks until presence differs from what ifd_reader_presence last reported, ifd_reader_stop_wait
 * is called, or timeout_ms passes (< 0: no limit). */
long ifd_reader_wait_change(unsigned long lun, int timeout_ms);
long ifd_reader_stop_wait(unsigned long lun);

/* action: IFD_POWER_UP, IFD_POWER_DOWN, IFD_RESET. atr (33 bytes) / atr_len may be NULL. */
long ifd_reader_power(unsigned long lun, unsigned long action, uint8_t *atr, size_t *atr_len);
/* The ATR of the last power-up/reset (length 0 when unpowered). */
long ifd_reader_atr(unsigned long lun, uint8_t atr[33], size_t *atr_len);

/* One C-APDU (2..65535 bytes) -> one R-APDU (>= 2 bytes) into resp (capacity *resp_len in, length
 * out; 0 on every error). */
long ifd_reader_transmit(unsigned long lun, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len);

#endif
