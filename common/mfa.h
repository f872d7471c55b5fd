/*
 * Second factors in the database (SECURITY.md C-T25): each user's TOTP
 * authenticator (tables mfa_totp) and recovery codes
 * (mfa_recovery_codes), over db.c.  The TOTP secret is kept sealed
 * (crypto_seal, the user id as associated data); a code's time step is
 * accepted once, by a guarded UPDATE that only moves last_step forward;
 * a recovery code is kept as its SHA-256 and spent by a guarded UPDATE.
 */
#ifndef IDENT_MFA_H
#define IDENT_MFA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "ierr.h"
#include "totp.h"
#include "users.h"

struct db;

#define MFA_SEALED_LEN		(TOTP_SECRET_LEN + SEAL_OVERHEAD)
#define MFA_RECOVERY_CODES	10
#define MFA_RECOVERY_CHARS	16	/* base32: 80 bits */
#define MFA_RECOVERY_TEXT	(MFA_RECOVERY_CHARS + 3)	/* xxxx-xxxx-xxxx-xxxx */
#define MFA_RECOVERY_MAX_INPUT	64

/* A user's TOTP row. */
struct mfa_totp {
	uint8_t		 sealed[MFA_SEALED_LEN + 1];
	size_t		 sealedlen;
	bool		 active;
	long long	 last_step;	/* -1: none accepted yet */
	char		 activated_at[TS_LEN + 1];	/* "" while pending */
};

/* Seal a raw secret of uid into out[MFA_SEALED_LEN].  0 or -1. */
int		mfa_seal(const uint8_t key[SEAL_KEY_LEN], const char *uid,
		    const uint8_t secret[TOTP_SECRET_LEN],
		    uint8_t out[MFA_SEALED_LEN]);
/* Open t's secret into secret.  0, or -1 if it does not open (logged). */
int		mfa_open(const uint8_t key[SEAL_KEY_LEN], const char *uid,
		    const struct mfa_totp *t, uint8_t secret[TOTP_SECRET_LEN]);

/* uid's TOTP row.  IERR_NOT_FOUND if none (pending or active). */
enum ierr	mfa_totp_get(struct db *, const char *uid, struct mfa_totp *out);
/* Whether uid has an active TOTP (the mfa_required_roles check). */
enum ierr	mfa_totp_active(struct db *, const char *uid, bool *active);
/*
 * Store a new pending secret for uid, replacing a pending one; an
 * active one is kept (*stored false).
 */
enum ierr	mfa_totp_put_pending(struct db *, const char *uid,
		    const uint8_t sealed[MFA_SEALED_LEN], bool *stored);
/*
 * Activate uid's pending TOTP with its first code's step.  *won false:
 * it was active already, gone, or that step was spent.
 */
enum ierr	mfa_totp_activate(struct db *, const char *uid, long long step,
		    bool *won);
/*
 * Spend step of uid's active TOTP: one UPDATE that succeeds only if
 * step is later than the last accepted one, so two requests with one
 * code cannot both win.  *won tells.
 */
enum ierr	mfa_totp_use_step(struct db *, const char *uid, long long step,
		    bool *won);
/* Delete uid's TOTP and recovery codes; *found: there was a TOTP. */
enum ierr	mfa_remove(struct db *, const char *uid, bool *found);

/*
 * A new random recovery code, "xxxx-xxxx-xxxx-xxxx" (a-z, 2-7), into
 * text[MFA_RECOVERY_TEXT + 1], and the SHA-256 that is stored.  0 or -1.
 */
int		mfa_recovery_new(char text[MFA_RECOVERY_TEXT + 1],
		    uint8_t hash[SHA256_LEN]);
/*
 * The stored hash of a code as typed: case, '-' and spaces are ignored.
 * Returns 0, or -1 when it cannot be a code of ours.
 */
int		mfa_recovery_hash(const char *in, size_t len,
		    uint8_t hash[SHA256_LEN]);
/* Replace uid's recovery codes with these MFA_RECOVERY_CODES hashes. */
enum ierr	mfa_recovery_replace(struct db *, const char *uid,
		    const uint8_t hashes[MFA_RECOVERY_CODES][SHA256_LEN]);
/* Spend the unused code of uid with this hash; *won tells. */
enum ierr	mfa_recovery_use(struct db *, const char *uid,
		    const uint8_t hash[SHA256_LEN], bool *won);
/* How many of uid's recovery codes are unused. */
enum ierr	mfa_recovery_left(struct db *, const char *uid, unsigned *n);

#endif
