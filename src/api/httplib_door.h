// The one place dbinsight's api/ includes cpp-httplib (ARCHITECTURE notes §3).
// Debian ships httplib as a compiled library: every translation unit must see
// the same feature macros it was built with (pkg-config --cflags cpp-httplib),
// or class layouts silently differ. Private to api/*.cc; never include from a
// public header.
#pragma once

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif

#include <httplib.h>
