/* One line per event on stderr, prefixed with the program name, so a lab
 * log can be grepped for what the switch saw. */
#ifndef UMK_SWITCH_LOG_H
#define UMK_SWITCH_LOG_H

#include <stdint.h>

void sw_log_init(const char *prog);
/* From now on log to syslog (a daemon without -log FILE). */
void sw_log_syslog(void);
void sw_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCK_MONOTONIC in nanoseconds / milliseconds. */
uint64_t sw_now_ns(void);
static inline uint64_t sw_now_ms(void) { return sw_now_ns() / 1000000u; }

#endif
