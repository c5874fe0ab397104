/* The IFD handler entry points pcscd calls (ifdhandler.h, API v3). Each one checks its arguments and
 * hands the work to ifd_reader (one virtual reader per Lun). */
#include "pcsc-driver/ifd_log.h"
#include "pcsc-driver/ifd_reader.h"
#include "pcsc-driver/ifd_wire.h"

#include <ifdhandler.h>
#include <reader.h>
#include <stdio.h>
#include <string.h>

/* Exported entry points; everything else in the library is internal. */
#define IFD_EXPORT __attribute__((visibility("default")))

IFD_EXPORT RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
    if (!DeviceName) return IFD_COMMUNICATION_ERROR;
    return ifd_reader_open(Lun, DeviceName);
}

/* Without a DEVICENAME pcscd passes CHANNELID: 1..65535 means tcp:127.0.0.1:CHANNELID (as vpcd's
 * port numbers); 0 means the default Unix socket. */
IFD_EXPORT RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
    char device[64];
    if (Channel == 0) snprintf(device, sizeof device, "%s", IFD_DEFAULT_DEVICE);
    else if (Channel <= 65535) snprintf(device, sizeof device, "tcp:127.0.0.1:%lu", (unsigned long)Channel);
    else {
        ifd_log(IFD_LOG_ERROR, "lun 0x%lX: CHANNELID %lu is not a tcp port", (unsigned long)Lun, (unsigned long)Channel);
        return IFD_COMMUNICATION_ERROR;
    }
    return ifd_reader_open(Lun, device);
}

IFD_EXPORT RESPONSECODE IFDHCloseChannel(DWORD Lun) { return ifd_reader_close(Lun); }

static RESPONSECODE poll_for_change(DWORD Lun, int timeout_ms) { return ifd_reader_wait_change(Lun, timeout_ms); }
static RESPONSECODE stop_polling(DWORD Lun) { return ifd_reader_stop_wait(Lun); }

/* Copies a one-byte capability value. */
static RESPONSECODE put_byte(PDWORD Length, PUCHAR Value, UCHAR v)
{
    if (*Length < 1) return IFD_ERROR_INSUFFICIENT_BUFFER;
    Value[0] = v;
    *Length = 1;
    return IFD_SUCCESS;
}

/* Copies a string attribute with its NUL, as PC/SC readers report them. */
static RESPONSECODE put_str(PDWORD Length, PUCHAR Value, const char *v)
{
    size_t n = strlen(v) + 1;
    if (*Length < n) return IFD_ERROR_INSUFFICIENT_BUFFER;
    memcpy(Value, v, n);
    *Length = n;
    return IFD_SUCCESS;
}

static RESPONSECODE put_fn(PDWORD Length, PUCHAR Value, void *fn)
{
    if (*Length < sizeof fn) return IFD_ERROR_INSUFFICIENT_BUFFER;
    memcpy(Value, &fn, sizeof fn);
    *Length = sizeof fn;
    return IFD_SUCCESS;
}

IFD_EXPORT RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
    if (!Length || !Value) return IFD_COMMUNICATION_ERROR;
    switch (Tag) {
    case TAG_IFD_ATR:
    case SCARD_ATTR_ATR_STRING: { /* SCardGetAttrib asks the driver for the ATR under this name */
        uint8_t atr[IFD_ATR_MAX];
        size_t n = 0;
        RESPONSECODE rc = ifd_reader_atr(Lun, atr, &n);
        if (rc != IFD_SUCCESS) { *Length = 0; return rc; }
        if (*Length < n) return IFD_ERROR_INSUFFICIENT_BUFFER;
        memcpy(Value, atr, n);
        *Length = n;
        return IFD_SUCCESS;
    }
    case TAG_IFD_SLOTS_NUMBER: return put_byte(Length, Value, 1);
    case TAG_IFD_SLOT_THREAD_SAFE: return put_byte(Length, Value, 0); /* one slot per reader anyway */
    case TAG_IFD_THREAD_SAFE: return put_byte(Length, Value, 1);      /* readers (Luns) run in parallel */
    case TAG_IFD_SIMULTANEOUS_ACCESS: return put_byte(Length, Value, IFD_MAX_READERS);
    case TAG_IFD_POLLING_THREAD_KILLABLE: return put_byte(Length, Value, 0); /* stopped by the function below */
    case TAG_IFD_POLLING_THREAD_WITH_TIMEOUT: return put_fn(Length, Value, (void *)poll_for_change);
    case TAG_IFD_STOP_POLLING_THREAD: return put_fn(Length, Value, (void *)stop_polling);
    /* SCardGetAttrib passes these through: say what this reader is. */
    case SCARD_ATTR_VENDOR_NAME: return put_str(Length, Value, "cardlet");
    case SCARD_ATTR_VENDOR_IFD_TYPE: return put_str(Length, Value, "Cardlet Virtual Reader");
    case SCARD_ATTR_ICC_INTERFACE_STATUS: { /* contacts active = the card is powered (has an ATR) */
        uint8_t atr[IFD_ATR_MAX];
        size_t n = 0;
        RESPONSECODE rc = ifd_reader_atr(Lun, atr, &n);
        if (rc != IFD_SUCCESS) { *Length = 0; return rc; }
        return put_byte(Length, Value, n > 0);
    }
    default: return IFD_ERROR_TAG;
    }
}

IFD_EXPORT RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
    (void)Lun; (void)Length; (void)Value;
    (void)Tag;
    return IFD_ERROR_TAG; /* nothing is settable */
}

IFD_EXPORT RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1, UCHAR PTS2,
                                                  UCHAR PTS3)
{
    (void)Lun; (void)Flags; (void)PTS1; (void)PTS2; (void)PTS3;
    /* A socket has no baud rate: T=0 and T=1 both carry whole APDUs, nothing to negotiate. */
    if (Protocol == SCARD_PROTOCOL_T0 || Protocol == SCARD_PROTOCOL_T1) return IFD_SUCCESS;
    return IFD_PROTOCOL_NOT_SUPPORTED;
}

IFD_EXPORT RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
    size_t n = 0;
    RESPONSECODE rc = ifd_reader_power(Lun, Action, Atr, AtrLength ? &n : NULL);
    if (AtrLength) *AtrLength = rc == IFD_SUCCESS ? n : 0;
    return rc;
}

IFD_EXPORT RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer, DWORD TxLength,
                                          PUCHAR RxBuffer, PDWORD RxLength, PSCARD_IO_HEADER RecvPci)
{
    (void)SendPci;
    if (!RxLength) return IFD_COMMUNICATION_ERROR;
    if (!RxBuffer) { *RxLength = 0; return IFD_COMMUNICATION_ERROR; }
    size_t n = *RxLength;
    RESPONSECODE rc = ifd_reader_transmit(Lun, TxBuffer, TxLength, RxBuffer, &n);
    *RxLength = rc == IFD_SUCCESS ? n : 0;
    if (RecvPci && rc == IFD_SUCCESS) RecvPci->Protocol = SendPci.Protocol;
    return rc;
}

IFD_EXPORT RESPONSECODE IFDHICCPresence(DWORD Lun) { return ifd_reader_presence(Lun); }

IFD_EXPORT RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength,
                                    PUCHAR RxBuffer, DWORD RxLength, LPDWORD pdwBytesReturned)
{
    (void)Lun; (void)dwControlCode; (void)TxBuffer; (void)TxLength; (void)RxBuffer; (void)RxLength;
    if (pdwBytesReturned) *pdwBytesReturned = 0;
    return IFD_ERROR_NOT_SUPPORTED; /* no reader escape commands: there is no reader hardware */
}
