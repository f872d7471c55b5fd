-- Sessions and their refresh tokens (SECURITY.md C-T11): only SHA-256
-- hashes of tokens are stored; generation guards the rotation.
CREATE TABLE `sessions` (
  `id` char(36) NOT NULL,
  `user_id` char(36) NOT NULL,
  `refresh_hash` binary(32) NOT NULL,
  `prev_refresh_hash` binary(32) DEFAULT NULL,
  `generation` int unsigned NOT NULL DEFAULT 1,
  `rotated_at` datetime DEFAULT NULL,
  `ip_address` varchar(45) NOT NULL DEFAULT '',
  `user_agent` varchar(255) DEFAULT NULL,
  `device_name` varchar(100) DEFAULT NULL,
  `login_method` varchar(32) NOT NULL DEFAULT 'password',
  `created_at` datetime NOT NULL,
  `last_activity_at` datetime NOT NULL,
  `expires_at` datetime NOT NULL,
  `absolute_expires_at` datetime NOT NULL,
  `revoked_at` datetime DEFAULT NULL,
  `revoked_reason` varchar(32) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `sessions_refresh_hash` (`refresh_hash`),
  KEY `sessions_prev_refresh_hash` (`prev_refresh_hash`),
  KEY `sessions_user` (`user_id`, `revoked_at`),
  CONSTRAINT `sessions_user_fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, UPDATE, DELETE ON `sessions` TO ', @service_account);
