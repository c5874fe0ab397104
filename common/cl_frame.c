/* The frame layout shared by both ends of the reader link. See cl_frame.h. */
#include "common/cl_frame.h"

int cl_frame_iov(struct iovec part[2], uint8_t hdr[2], const uint8_t *payload, size_t len, size_t done)
{
    int cnt = 0;
    if (done < 2) part[cnt++] = (struct iovec){ hdr + done, 2 - done };
    size_t poff = done > 2 ? done - 2 : 0;
    if (poff < len) part[cnt++] = (struct iovec){ (uint8_t *)payload + poff, len - poff };
    return cnt;
}
