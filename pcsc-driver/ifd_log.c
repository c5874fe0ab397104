/* Driver logging through pcscd's log_msg when the driver runs inside pcscd. See ifd_log.h. */
#include "pcsc-driver/ifd_log.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

typedef void (*pcscd_log_fn)(const int priority, const char *fmt, ...);

static pcscd_log_fn pcscd_log;
static pthread_once_t lookup_once = PTHREAD_ONCE_INIT;

static void lookup(void)
{
    /* pcscd exports log_msg (the symbol pcsc-lite's own drivers call); a test program does not. */
    void *sym = dlsym(RTLD_DEFAULT, "log_msg");
    pcscd_log = (pcscd_log_fn)(uintptr_t)sym;
}

void ifd_log(enum ifd_log_level level, const char *fmt, ...)
{
    pthread_once(&lookup_once, lookup);
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (pcscd_log) pcscd_log((int)level, "cardlet driver: %s", line);
    else if (level >= IFD_LOG_ERROR) fprintf(stderr, "cardlet driver: %s\n", line); /* tests, bench: errors only */
}
