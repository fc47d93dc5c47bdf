/* debug.h — attributes and assertions for user programs. A failed
 * assertion prints where on the console and exits with status 1. */
#ifndef PINTOS_DEBUG_H
#define PINTOS_DEBUG_H

#define UNUSED __attribute__((unused))
#define NO_RETURN __attribute__((noreturn))
#define NO_INLINE __attribute__((noinline))
#define PRINTF_FORMAT(FMT, FIRST) __attribute__((format(printf, FMT, FIRST)))

void debug_panic(const char *file, int line, const char *function, const char *message)
    __attribute__((noreturn));

#define PANIC(MSG) debug_panic(__FILE__, __LINE__, __func__, MSG)
#define ASSERT(COND) ((COND) ? (void)0 : PANIC("assertion `" #COND "' failed"))
#define NOT_REACHED() PANIC("executed an unreachable statement")

#endif
