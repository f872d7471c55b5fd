/*
 * The JSON shapes of API.md's objects.
 */
#ifndef IDENT_VIEW_H
#define IDENT_VIEW_H

struct jsonw;
struct user;

/* A User object (never the password hash: struct user has none). */
void	view_user(struct jsonw *, const struct user *);

#endif
