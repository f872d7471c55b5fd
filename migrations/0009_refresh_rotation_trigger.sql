-- A refresh (sessions_rotate) is one UPDATE of the session's row: the
-- token it retires and the refresh's audit row are written by this
-- trigger inside that statement, so the three stay one atomic change
-- without a transaction of five round trips around them.  A rotation is
-- the only update that moves `generation`.  last_client_address is the
-- address of the latest use (login or refresh), for that audit row.
--
-- The trigger runs with the rights of the account that ran this
-- migration (its DEFINER), so the service account needs no more than it
-- has: UPDATE on sessions.
ALTER TABLE `sessions`
  ADD COLUMN `last_client_address` varchar(45) NOT NULL DEFAULT '' AFTER `ip_address`;

UPDATE `sessions` SET `last_client_address` = `ip_address`;

CREATE TRIGGER `sessions_rotated` AFTER UPDATE ON `sessions` FOR EACH ROW
BEGIN
  IF NEW.`generation` <> OLD.`generation` THEN
    INSERT INTO `retired_refresh_tokens` (`hash`, `session_id`, `retired_at`)
      VALUES (OLD.`refresh_hash`, NEW.`id`, UTC_TIMESTAMP());
    INSERT INTO `audit_log` (`at`, `event`, `outcome`, `user_id`,
        `client_address`, `session_id`, `details`)
      VALUES (UTC_TIMESTAMP(3), 'token_refresh', 'success', NEW.`user_id`,
        NEW.`last_client_address`, NEW.`id`, '{}');
  END IF;
END;
