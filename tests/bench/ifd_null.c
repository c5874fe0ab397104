/* ifd_null: a do-nothing IFD handler for `make bench`. Loaded by pcscd like our real driver, it has a card that is
 * always present and answers 90 00 to every command from inside pcscd, with no socket and no card process. The
 * round trip through it is what pcscd and libpcsclite cost by themselves: the floor under our driver's figure. */
#include <PCSC/ifdhandler.h>
#include <string.h>

/* T=1 only: TS 3B, T0 80 (TD1 follows, no historical bytes), TD1 01 (T=1), TCK 81 (XOR of T0..TD1). */
static const UCHAR null_atr[] = { 0x3B, 0x80, 0x01, 0x81 };

RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
    (void)Lun; (void)DeviceName;
    return IFD_SUCCESS;
}

RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
    (void)Lun; (void)Channel;
    return IFD_SUCCESS;
}

RESPONSECODE IFDHCloseChannel(DWORD Lun)
{
    (void)Lun;
    return IFD_SUCCESS;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
    (void)Lun;
    if (!Length || !Value) return IFD_COMMUNICATION_ERROR;
    switch (Tag) {
    case TAG_IFD_ATR:
        if (*Length < sizeof null_atr) return IFD_ERROR_INSUFFICIENT_BUFFER;
        memcpy(Value, null_atr, sizeof null_atr);
        *Length = sizeof null_atr;
        return IFD_SUCCESS;
    case TAG_IFD_SLOTS_NUMBER:
    case TAG_IFD_SIMULTANEOUS_ACCESS:
        if (*Length < 1) return IFD_ERROR_INSUFFICIENT_BUFFER;
        Value[0] = 1;
        *Length = 1;
        return IFD_SUCCESS;
    case TAG_IFD_SLOT_THREAD_SAFE:
    case TAG_IFD_THREAD_SAFE:
        if (*Length < 1) return IFD_ERROR_INSUFFICIENT_BUFFER;
        Value[0] = 0;
        *Length = 1;
        return IFD_SUCCESS;
    default:
        return IFD_ERROR_TAG;
    }
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
    (void)Lun; (void)Tag; (void)Length; (void)Value;
    return IFD_NOT_SUPPORTED;
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1, UCHAR PTS2, UCHAR PTS3)
{
    (void)Lun; (void)Protocol; (void)Flags; (void)PTS1; (void)PTS2; (void)PTS3;
    return IFD_SUCCESS; /* the ATR offers T=1 only, so that is what pcscd asks for */
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
    (void)Lun;
    if (Action == IFD_POWER_DOWN) {
        if (AtrLength) *AtrLength = 0; /* pcscd passes NULL here */
        return IFD_SUCCESS;
    }
    if (Action != IFD_POWER_UP && Action != IFD_RESET) return IFD_NOT_SUPPORTED;
    if (!Atr || !AtrLength || *AtrLength < sizeof null_atr) return IFD_ERROR_POWER_ACTION;
    memcpy(Atr, null_atr, sizeof null_atr);
    *AtrLength = sizeof null_atr;
    return IFD_SUCCESS;
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer, DWORD TxLength,
                               PUCHAR RxBuffer, PDWORD RxLength, PSCARD_IO_HEADER RecvPci)
{
    (void)Lun; (void)SendPci; (void)TxBuffer;
    if (!RxLength || !RxBuffer || TxLength < 4 || *RxLength < 2) {
        if (RxLength) *RxLength = 0;
        return IFD_COMMUNICATION_ERROR;
    }
    RxBuffer[0] = 0x90;
    RxBuffer[1] = 0x00;
    *RxLength = 2;
    if (RecvPci) RecvPci->Protocol = 1;
    return IFD_SUCCESS;
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength, PUCHAR RxBuffer,
                         DWORD RxLength, LPDWORD pdwBytesReturned)
{
    (void)Lun; (void)dwControlCode; (void)TxBuffer; (void)TxLength; (void)RxBuffer; (void)RxLength;
    if (pdwBytesReturned) *pdwBytesReturned = 0;
    return IFD_ERROR_NOT_SUPPORTED;
}

RESPONSECODE IFDHICCPresence(DWORD Lun)
{
    (void)Lun;
    return IFD_ICC_PRESENT;
}
