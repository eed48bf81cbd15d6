/* version.h - fitd's version, reported by `fitd version` and the service. */
#ifndef FITD_VERSION_H
#define FITD_VERSION_H

#ifndef FITD_VERSION
#define FITD_VERSION "0.1.0-dev"
#endif

#endif
