/*
 * What a worker process keeps between requests.
 */
#ifndef IDENT_WORKER_H
#define IDENT_WORKER_H

struct config;
struct db;
struct jwt_keys;

struct worker {
	const struct config	*cfg;
	struct db		*db;
	struct jwt_keys		*keys;
	unsigned long		 served;
};

#endif
