/* Ends rename.h (see there): the libc names are the host's again. */
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strlcpy
#undef strsep
#undef vsnprintf
#undef snprintf
