-- Two-factor sign-in (SECURITY.md C-T25): a TOTP authenticator per user
-- and its single-use recovery codes.  The TOTP secret is stored sealed
-- with AES-256-GCM (key mfa_key_file, the user id as associated data);
-- last_step is the RFC 6238 time step of the last code accepted, which a
-- guarded UPDATE only moves forward, so that each code is accepted once.
-- Recovery codes are stored as SHA-256 hashes; used_at marks spent ones.
CREATE TABLE `mfa_totp` (
  `user_id` char(36) NOT NULL,
  `secret_sealed` varbinary(128) NOT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 0,
  `last_step` bigint DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `activated_at` datetime DEFAULT NULL,
  PRIMARY KEY (`user_id`),
  CONSTRAINT `mfa_totp_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `mfa_recovery_codes` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_id` char(36) NOT NULL,
  `code_hash` binary(32) NOT NULL,
  `created_at` datetime NOT NULL,
  `used_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `mfa_recovery_codes_user_hash` (`user_id`, `code_hash`),
  CONSTRAINT `mfa_recovery_codes_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `mfa_totp` TO ', @service_account);
EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `mfa_recovery_codes` TO ', @service_account);
