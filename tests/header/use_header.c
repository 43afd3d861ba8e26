/* Compiled by `make test-header` as C99 and C11 (and, renamed .cpp, as C++11 to C++20) with
 * -Wall -Wextra -Werror -pedantic: the header must be clean in every dialect a user has. */
#include <tenios.h>

#if !TENIOS_AT_LEAST_VERSION(1, 0, 0)
#error "TENIOS_AT_LEAST_VERSION(1, 0, 0) is false for a 1.x header"
#endif
#if TENIOS_VERSION_NUM != ((TENIOS_VERSION_MAJOR << 16) | (TENIOS_VERSION_MINOR << 8) | TENIOS_VERSION_PATCH)
#error "TENIOS_VERSION_NUM does not match its parts"
#endif

/* A status is exactly 32 bits wide, whatever the compiler does with enums. */
typedef char status_is_32_bits[sizeof(tenios_status) == 4 ? 1 : -1];

int main(void)
{
    tenios_status st = TENIOS_ERR_SHUTDOWN;
    status_is_32_bits check;
    (void)check;
    return st == TENIOS_OK ? 1 : 0;
}
