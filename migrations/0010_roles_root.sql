-- Roles user < admin < root (API.md "Roles"): existing admins stay admins.
ALTER TABLE `users`
  DROP CONSTRAINT `users_role_check`,
  ADD CONSTRAINT `users_role_check` CHECK (`role` IN ('user', 'admin', 'root'));

-- The admin console's totals (GET /admin/users, GET /admin/analytics)
-- without a COUNT(*) over the whole table: InnoDB counts rows by
-- walking an index, a tenth of a second on a million users.  Triggers
-- keep the counts, spread over 16 slots by the first character of the
-- id so that concurrent registrations seldom wait for one another's
-- row; a total is the sum of 16 rows.  `privileged` counts admin and
-- root.  The triggers run with the rights of the account that ran this
-- migration (their DEFINER): the service account only reads the table.
CREATE TABLE `user_counts` (
  `slot` tinyint unsigned NOT NULL,
  `total` bigint NOT NULL DEFAULT 0,
  `active` bigint NOT NULL DEFAULT 0,
  `native` bigint NOT NULL DEFAULT 0,
  `privileged` bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (`slot`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- No user may be added or removed between the counting and the
-- triggers: a worker of the old version may still be running.
LOCK TABLES `users` WRITE, `user_counts` WRITE;

INSERT INTO `user_counts` (`slot`, `total`, `active`, `native`, `privileged`)
  SELECT ORD(`id`) % 16, COUNT(*), SUM(`disabled` = 0),
    SUM(`auth_provider` = 'native'), SUM(`role` IN ('admin', 'root'))
  FROM `users` GROUP BY ORD(`id`) % 16;

CREATE TRIGGER `users_counted_insert` AFTER INSERT ON `users` FOR EACH ROW
  INSERT INTO `user_counts` (`slot`, `total`, `active`, `native`, `privileged`)
    VALUES (ORD(NEW.`id`) % 16, 1, NEW.`disabled` = 0,
      NEW.`auth_provider` = 'native', NEW.`role` IN ('admin', 'root'))
  ON DUPLICATE KEY UPDATE `total` = `total` + 1,
    `active` = `active` + VALUES(`active`),
    `native` = `native` + VALUES(`native`),
    `privileged` = `privileged` + VALUES(`privileged`);

CREATE TRIGGER `users_counted_delete` AFTER DELETE ON `users` FOR EACH ROW
  UPDATE `user_counts` SET `total` = `total` - 1,
    `active` = `active` - (OLD.`disabled` = 0),
    `native` = `native` - (OLD.`auth_provider` = 'native'),
    `privileged` = `privileged` - (OLD.`role` IN ('admin', 'root'))
  WHERE `slot` = ORD(OLD.`id`) % 16;

-- A login updates its user's row too: only a change of what is counted
-- touches the counts.  An id never changes (every foreign key names it).
CREATE TRIGGER `users_counted_update` AFTER UPDATE ON `users` FOR EACH ROW
  IF NEW.`disabled` <> OLD.`disabled` OR NEW.`role` <> OLD.`role` OR
      NEW.`auth_provider` <> OLD.`auth_provider` THEN
    UPDATE `user_counts` SET
      `active` = `active` + (NEW.`disabled` = 0) - (OLD.`disabled` = 0),
      `native` = `native` + (NEW.`auth_provider` = 'native') -
        (OLD.`auth_provider` = 'native'),
      `privileged` = `privileged` + (NEW.`role` IN ('admin', 'root')) -
        (OLD.`role` IN ('admin', 'root'))
    WHERE `slot` = ORD(NEW.`id`) % 16;
  END IF;

UNLOCK TABLES;

EXECUTE IMMEDIATE CONCAT('GRANT SELECT ON `user_counts` TO ', @service_account);
