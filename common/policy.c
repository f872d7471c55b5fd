#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "bounds.h"
#include "policy.h"

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

const char *
policy_username(const char *s, size_t len)
{
	size_t	 i;

	if (len < MIN_USERNAME_CHARS || len > MAX_USERNAME_CHARS)
		return "Username must be 3 to 100 characters long";
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return "Username may contain only letters, digits, "
			    "'.', '_' and '-'";
	return NULL;
}

/* RFC 5322 atext, the characters of a dot-atom local part. */
static bool
is_atext(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static bool
domain_ok(const char *d, size_t len)
{
	size_t	 i, label = 0, labels = 0, last = 0;
	bool	 alpha_tld = true;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || d[i] == '.') {
			if (label == 0 || label > 63 || d[i - 1] == '-' ||
			    d[i - label] == '-')
				return false;
			labels++;
			last = i - label;
			label = 0;
			continue;
		}
		if (!is_alnum(d[i]) && d[i] != '-')
			return false;
		label++;
	}
	for (i = last; i < len; i++)
		if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z')))
			alpha_tld = false;
	return labels >= 2 && alpha_tld && len - last >= 2;
}

const char *
policy_email(const char *s, size_t len)
{
	const char	*at;
	size_t		 local, i;

	if (len > MAX_EMAIL_BYTES || (at = memchr(s, '@', len)) == NULL)
		return "value is not a valid email address";
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
		return "value is not a valid email address";
	for (i = 0; i < local; i++)
		if (!is_atext(s[i]) && !(s[i] == '.' && s[i + 1] != '.'))
			return "value is not a valid email address";
	if (!domain_ok(at + 1, len - local - 1))
		return "value is not a valid email address";
	return NULL;
}

const char *
policy_password(const char *pw, size_t len, const char *username,
    const char *email)
{
	bool	 lower = false, upper = false, digit = false, special = false;
	size_t	 i, chars = utf8_chars(pw, len);

	if (chars < MIN_PASSWORD_CHARS)
		return "Password must be at least 12 characters long";
	if (chars > MAX_PASSWORD_CHARS || len > MAX_PASSWORD_BYTES)
		return "Password must be at most 128 characters long";
	for (i = 0; i < len; i++) {
		lower |= pw[i] >= 'a' && pw[i] <= 'z';
		upper |= pw[i] >= 'A' && pw[i] <= 'Z';
		digit |= pw[i] >= '0' && pw[i] <= '9';
		special |= pw[i] != '\0' && strchr("@#$%^&+=!", pw[i]) != NULL;
	}
	if (!lower || !upper || !digit || !special)
		return "Password must contain a lowercase letter, an uppercase "
		    "letter, a digit and one of @#$%^&+=!";
	if ((username != NULL && strcasecmp(pw, username) == 0) ||
	    (email != NULL && strcasecmp(pw, email) == 0))
		return "Password must not be the username or the email";
	return NULL;
}
