-- The OpenID Provider (docs/OIDC.md): registered clients, the grants users
-- gave them, pending authorization requests, authorization codes, and the
-- sessions that tie browser sign-ins and clients' tokens together.
-- Secrets, codes, request ids and cookies are stored only as hashes.

-- A relying party.  Lists are stored as text, one item per line (URIs)
-- or separated by spaces (scopes, grant types, audiences): none of their
-- items may hold the separator.  secret_hash is HMAC-SHA-256 of the
-- secret under the server's client_secret_key; prev_secret_hash stays
-- valid until prev_secret_expires_at after a rotation.
CREATE TABLE `oauth_clients` (
  `id` char(36) NOT NULL,
  `name` varchar(200) NOT NULL,
  `is_public` tinyint(1) NOT NULL DEFAULT 0,
  `auth_method` varchar(32) DEFAULT NULL,
  `secret_hash` binary(32) DEFAULT NULL,
  `prev_secret_hash` binary(32) DEFAULT NULL,
  `prev_secret_expires_at` datetime DEFAULT NULL,
  `redirect_uris` text NOT NULL,
  `post_logout_redirect_uris` text NOT NULL,
  `allowed_scopes` varchar(255) NOT NULL,
  `allowed_audiences` text NOT NULL,
  `grant_types` varchar(100) NOT NULL,
  `require_pkce` tinyint(1) NOT NULL DEFAULT 0,
  `require_consent` tinyint(1) NOT NULL DEFAULT 0,
  `is_active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `oauth_clients_created` (`created_at`, `id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- What a user allowed a client (consent), per (user, client).
CREATE TABLE `oauth_grants` (
  `user_id` char(36) NOT NULL,
  `client_id` char(36) NOT NULL,
  `scope` varchar(255) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`user_id`, `client_id`),
  KEY `oauth_grants_client` (`client_id`),
  CONSTRAINT `oauth_grants_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE,
  CONSTRAINT `oauth_grants_client_fk` FOREIGN KEY (`client_id`) REFERENCES `oauth_clients` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- Sessions gain a kind: 'api' (POST /token), 'browser' (the OP's login
-- page; browser_hash is the SHA-256 of its cookie) or 'client' (tokens
-- a client got from a code, child of the browser session parent_id).
-- auth_time is when the user last typed their password for it.
ALTER TABLE `sessions`
  ADD COLUMN `kind` varchar(16) NOT NULL DEFAULT 'api',
  ADD COLUMN `browser_hash` binary(32) DEFAULT NULL,
  ADD COLUMN `auth_time` datetime DEFAULT NULL,
  ADD COLUMN `amr` varchar(32) DEFAULT NULL,
  ADD COLUMN `client_id` char(36) DEFAULT NULL,
  ADD COLUMN `parent_id` char(36) DEFAULT NULL,
  ADD COLUMN `scope` varchar(255) DEFAULT NULL,
  ADD UNIQUE KEY `sessions_browser_hash` (`browser_hash`),
  ADD KEY `sessions_client` (`client_id`, `revoked_at`),
  ADD KEY `sessions_parent` (`parent_id`);

-- A pending authorization request: the browser carries only its opaque
-- id (id_hash is its SHA-256).  It is bound to the browser that started
-- it: csrf_hash is the SHA-256 of that browser's genesis_op_b cookie,
-- which the login and consent forms' POSTs must carry along with their
-- CSRF token.  user_id and session_id are set once the user has signed
-- in on the page.
CREATE TABLE `oauth_requests` (
  `id_hash` binary(32) NOT NULL,
  `csrf_hash` binary(32) NOT NULL,
  `client_id` char(36) NOT NULL,
  `redirect_uri` varchar(2000) NOT NULL,
  `scope` varchar(255) NOT NULL,
  `state` varchar(2048) DEFAULT NULL,
  `nonce` varchar(512) DEFAULT NULL,
  `code_challenge` varchar(128) DEFAULT NULL,
  `prompt` varchar(64) DEFAULT NULL,
  `max_age` int unsigned DEFAULT NULL,
  `login_hint` varchar(255) DEFAULT NULL,
  `user_id` char(36) DEFAULT NULL,
  `session_id` char(36) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `expires_at` datetime NOT NULL,
  PRIMARY KEY (`id_hash`),
  KEY `oauth_requests_expires` (`expires_at`),
  CONSTRAINT `oauth_requests_client_fk` FOREIGN KEY (`client_id`) REFERENCES `oauth_clients` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- An authorization code (SHA-256 of it), single use: used_at is set by
-- the one UPDATE that redeems it; issued_session_id is the session its
-- tokens belong to, revoked if the code is presented again.
CREATE TABLE `oauth_codes` (
  `hash` binary(32) NOT NULL,
  `client_id` char(36) NOT NULL,
  `user_id` char(36) NOT NULL,
  `session_id` char(36) NOT NULL,
  `redirect_uri` varchar(2000) NOT NULL,
  `scope` varchar(255) NOT NULL,
  `nonce` varchar(512) DEFAULT NULL,
  `code_challenge` varchar(128) DEFAULT NULL,
  `auth_time` datetime NOT NULL,
  `amr` varchar(32) NOT NULL,
  `created_at` datetime NOT NULL,
  `expires_at` datetime NOT NULL,
  `used_at` datetime DEFAULT NULL,
  `issued_session_id` char(36) DEFAULT NULL,
  PRIMARY KEY (`hash`),
  KEY `oauth_codes_expires` (`expires_at`),
  CONSTRAINT `oauth_codes_client_fk` FOREIGN KEY (`client_id`) REFERENCES `oauth_clients` (`id`) ON DELETE CASCADE,
  CONSTRAINT `oauth_codes_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `oauth_clients` TO ', @service_account);
EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `oauth_grants` TO ', @service_account);
EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `oauth_requests` TO ', @service_account);
EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `oauth_codes` TO ', @service_account);
