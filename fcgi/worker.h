/*
 * What a worker process keeps between requests.
 */
#ifndef IDENT_WORKER_H
#define IDENT_WORKER_H

#include <stdint.h>

#include "cors.h"
#include "crypto.h"

struct config;
struct db;
struct jwt_keys;
struct jwt_memo;
struct html_set;
struct shm;

struct worker {
	const struct config	*cfg;
	struct db		*db;
	struct jwt_keys		*keys;
	struct jwt_memo		*verified;	/* tokens already checked */
	struct shm		*shm;
	struct cors		 cors;
	struct html_set		*pages;		/* the OP's templates */
	struct crypto_mac	*client_mac;	/* client_secret_key's */
	uint8_t			 mfa_key[SEAL_KEY_LEN];	/* seals TOTP secrets */
	unsigned long		 served;
};

#endif
