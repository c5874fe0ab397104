/* ifd_log: one-line log messages from the driver into pcscd's own log.
 *
 * Inside pcscd the messages go through pcscd's log_msg() (found at run time, so the driver does not
 * need pcscd's symbols to link and pcscd's -f/-d/syslog choices apply); anywhere else (unit tests,
 * the bench) only errors go to stderr. Never pass key material or APDU data. */
#ifndef IFD_LOG_H
#define IFD_LOG_H

enum ifd_log_level { IFD_LOG_DEBUG = 0, IFD_LOG_INFO = 1, IFD_LOG_ERROR = 2 }; /* = pcscd's PCSC_LOG_* */

void ifd_log(enum ifd_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
