-- Every refresh token a session has retired, not only the last one, so
-- that a replay of any of them revokes the session (RFC 9700 §4.14.2).
-- Rows go with their session.
CREATE TABLE `retired_refresh_tokens` (
  `hash` binary(32) NOT NULL,
  `session_id` char(36) NOT NULL,
  `retired_at` datetime NOT NULL,
  PRIMARY KEY (`hash`),
  KEY `retired_refresh_tokens_session` (`session_id`),
  CONSTRAINT `retired_refresh_tokens_session_fk` FOREIGN KEY (`session_id`) REFERENCES `sessions` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, DELETE ON `retired_refresh_tokens` TO ', @service_account);
