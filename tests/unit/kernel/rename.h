/* Unit tests link kernel-glue objects into host programs next to the
 * host libc. kernel-glue/lib defines libc names (memcpy, snprintf, ...),
 * which would silently replace the libc ones for the whole test program,
 * and then "compare with the host snprintf" would compare the kernel with
 * itself. So kernel-glue files are compiled for the tests with
 * `-include tests/unit/kernel/rename.h`, which gives these functions a k_
 * prefix (declarations, definitions and calls alike); tests include it
 * around the kernel headers and then unrename.h, so in a test `memmove` is
 * the host's and `k_memmove` the kernel's. */
#define memcpy k_memcpy
#define memmove k_memmove
#define memset k_memset
#define memcmp k_memcmp
#define strlen k_strlen
#define strnlen k_strnlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#define strrchr k_strrchr
#define strlcpy k_strlcpy
#define strsep k_strsep
#define vsnprintf k_vsnprintf
#define snprintf k_snprintf
