// libsystemd's service manager protocol for Swift: sd_notify and sd_watchdog_enabled
// (Debian: libsystemd-dev; the binary then needs libsystemd0 at run time).
#ifndef SLURMHUB_CSYSTEMD_SHIM_H
#define SLURMHUB_CSYSTEMD_SHIM_H

#include <systemd/sd-daemon.h>

#endif
