// The libssh client API for Swift (libssh >= 0.9; Debian 12 ships 0.10).
// server.h is included only for ssh_send_keepalive, which clients use too.
#ifndef SLURMHUB_CLIBSSH_SHIM_H
#define SLURMHUB_CLIBSSH_SHIM_H

#include <libssh/libssh.h>
#include <libssh/server.h>

#endif
