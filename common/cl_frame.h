/* cl_frame: the frame layout of the reader link (vpcd framing), which both ends write: a big-endian
 * uint16 payload length, then the payload. Only the layout is shared; each end keeps its own send and
 * receive loops (the card's watch a stop pipe and bound how long a reply may wait, the driver's
 * answer to pcscd's deadlines). */
#ifndef CL_FRAME_H
#define CL_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* What is left to send of a frame after done bytes (header hdr[2] already filled with the length,
 * then len payload bytes), as at most two iovecs pointing into hdr and payload: the payload goes out
 * from the caller's buffer, uncopied (it may hold a PIN or a key that a copy would leave behind).
 * Returns the iovec count (0 when done >= len + 2). */
int cl_frame_iov(struct iovec part[2], uint8_t hdr[2], const uint8_t *payload, size_t len, size_t done);

#endif
