#ifndef MAILSHARD_CZLIB_SHIM_H
#define MAILSHARD_CZLIB_SHIM_H
#include <zlib.h>
#endif
