/*
 * The JSON shapes of API.md's objects.
 */
#ifndef IDENT_VIEW_H
#define IDENT_VIEW_H

struct jsonw;
struct profile;
struct user;

/* A User object (never the password hash: struct user has none). */
void	view_user(struct jsonw *, const struct user *);
/* The User's members alone, for an object that adds some of its own. */
void	view_user_members(struct jsonw *, const struct user *);
/* A Profile object. */
void	view_profile(struct jsonw *, const struct profile *);

#endif
