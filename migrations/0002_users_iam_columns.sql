-- What API.md's User needs beyond the original columns.  Existing rows
-- keep every value; is_active follows the original's disabled flag.
ALTER TABLE `users`
  ADD COLUMN `role` varchar(16) NOT NULL DEFAULT 'user',
  ADD COLUMN `is_active` tinyint(1) NOT NULL DEFAULT 1,
  ADD COLUMN `email_verified` tinyint(1) NOT NULL DEFAULT 0,
  ADD COLUMN `auth_provider` varchar(32) NOT NULL DEFAULT 'native',
  ADD COLUMN `is_native` tinyint(1) NOT NULL DEFAULT 1,
  ADD COLUMN `last_login_at` datetime DEFAULT NULL,
  ADD COLUMN `last_login_method` varchar(32) DEFAULT NULL,
  ADD COLUMN `failed_logins` int unsigned NOT NULL DEFAULT 0,
  ADD COLUMN `locked_until` datetime DEFAULT NULL,
  ADD CONSTRAINT `users_role_check` CHECK (`role` IN ('user', 'admin')),
  ADD KEY `users_created_id` (`created_at`, `id`);

UPDATE `users` SET `is_active` = 0 WHERE `disabled` <> 0;
