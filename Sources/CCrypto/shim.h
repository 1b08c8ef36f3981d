#ifndef CTSYNC_CCRYPTO_SHIM_H
#define CTSYNC_CCRYPTO_SHIM_H
// Only SHA-256 of OpenSSL's libcrypto: content hashes of every stored version (hardware SHA where the CPU has it).
#include <openssl/sha.h>
#include <openssl/evp.h>
#endif
