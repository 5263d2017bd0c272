/* What inet_env.c (the IPv4 unit test's world) lets the test do. */
#ifndef UMK_TEST_INET_ENV_H
#define UMK_TEST_INET_ENV_H
#include <stdint.h>

/* Move the clock on by ms, running the timers that fall due on the way. */
void inet_env_advance(int64_t ms);
uint64_t inet_env_random(void);

/* What reached the socket side (raw_local_deliver, raw_icmp_error, ping_rcv). */
struct inet_env_log {
	int raw_delivered, raw_protocol;
	int icmp_errors, err_type, err_code;
	uint32_t err_info;
	int echo_replies;
	int uevents;			/* device add/remove events sent */
};
extern struct inet_env_log inet_env_log;
#endif
