-- The audit trail of SECURITY.md C-T5.  The service account may add rows
-- and read them, never change or remove them.
CREATE TABLE `audit_log` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `at` datetime(3) NOT NULL,
  `event` varchar(40) NOT NULL,
  `outcome` varchar(16) NOT NULL,
  `user_id` char(36) DEFAULT NULL,
  `client_address` varchar(45) NOT NULL DEFAULT '',
  `session_id` char(36) DEFAULT NULL,
  `details` text DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `audit_log_at` (`at`),
  KEY `audit_log_user` (`user_id`, `at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT ON `audit_log` TO ', @service_account);
